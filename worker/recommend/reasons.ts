// The reason type lives in shared/ so the client and SDK format it (Korean default, English toggle).
export type { Reason } from "../../shared/recommend-reasons.ts";
