// `gonggu/sdk`: the typed client, its errors, idempotency keys and the live room. Runtime imports carry ".ts": Node
// runs these files directly (type stripping), without a bundler.

export type { ChatMessage } from "./chat.ts";
export type { ClientFrame, Fill, ServerFrame } from "./protocol.ts";
export {
  type AppRouter,
  createGongguClient,
  type GongguClient,
  type GongguClientOptions,
  type ReconciliationRow,
  type ReconciliationRun,
  type RouterInputs,
  type RouterOutputs,
  reconciliationRunRows,
} from "./sdkClient.ts";
export {
  type GongguError,
  type GongguErrorCode,
  type GongguErrorDetails,
  GongguRoomError,
  gongguErrorOf,
  isGongguError,
} from "./sdkErrors.ts";
export {
  type ChatHistory,
  type ConnectRoomOptions,
  connectRoom,
  type Room,
  type RoomConnection,
  type RoomEvents,
  type RoomSnapshot,
  type RoomStatus,
  type WebSocketLike,
} from "./sdkRoom.ts";

/**
 * A fresh key for a mutation that takes `idempotencyKey` (groupBuys.join / leave / create with hostShares,
 * wallet.charge / refund, membership.subscribe, admin.wallet.grant). Make one per intended action and reuse it
 * when you retry that action (timeout, network error, 5xx): the server applies it once and answers every retry with
 * the first outcome (a join retried answers `replay: true`). A new key is a new action.
 */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
