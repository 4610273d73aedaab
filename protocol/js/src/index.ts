// The Draft Gateway client SDK (docs/client.md).
export * from "./types.js";
export { decodeServerMessage, decodeStateBody, decodePicksPage } from "./decode.js";
export type { Decoded } from "./decode.js";
export { SeqCursor } from "./seq.js";
export type { SeqVerdict } from "./seq.js";
export { backoffDelay, defaultBackoff } from "./backoff.js";
export type { BackoffOptions } from "./backoff.js";
export { classifyClose, classifyHandshakeStatus } from "./close_policy.js";
export type { CloseAction, GiveUpReason, HandshakeVerdict } from "./close_policy.js";
export { tokenExp, refreshDelayMs } from "./token.js";
export { connectUrl, httpBase } from "./urls.js";
export * from "./board.js";
export { DraftClient } from "./client.js";
export type { ClientOptions, ClientEvents, ConnectionStatus, SocketLike, SocketConstructor } from "./client.js";
export { DraftRoom } from "./room.js";
export type { RoomEvents } from "./room.js";
