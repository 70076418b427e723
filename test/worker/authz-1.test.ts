import { defineAuthzShard } from "./authz";

defineAuthzShard(1);
