import { defineFuzzShard } from "./fuzz";

defineFuzzShard(0);
