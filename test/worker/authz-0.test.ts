import { defineAuthzShard } from "./authz";

defineAuthzShard(0);
