import { defineFuzzShard } from "./fuzz";

defineFuzzShard(1);
