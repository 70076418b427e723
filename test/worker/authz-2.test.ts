import { defineAuthzShard } from "./authz";

defineAuthzShard(2);
