// What to do after a connection ends: from the close code (docs/protocol.md
// §10), or, for an upgrade that never opened, from the HTTP status of a
// probe. Browsers hide a refused upgrade's status (it shows as 1006 without
// an open), so the client asks GET /api/drafts/{id}/state with the same
// token on the same node, which applies the same token and draft checks.

export type CloseAction = "retry" | "retry_elsewhere" | "refresh_token" | "give_up";

export type GiveUpReason = "unauthorized" | "forbidden" | "unknown_draft" | "protocol_error";

/** Sorts a close code received on an open connection. */
export function classifyClose(code: number): CloseAction {
  switch (code) {
    case 1000: // the server does not send it; a proxy might
    case 1011: // internal error (a replay query failed)
    case 4008: // slow consumer
    case 4010: // an operator's disconnect
    case 4029: // too many resumes
      return "retry";
    case 4001: // the token expired
      return "refresh_token";
    case 4000: // the server could not decode what this client sent
    case 4009: // a client message too big
    case 1009: // a client message far too big
      return "give_up";
    default: // 1001 shutting down, 1012 actor moved, 1006 and any other abnormal end
      return "retry_elsewhere";
  }
}

export type HandshakeVerdict =
  | { action: "retry" | "retry_elsewhere" | "refresh_token" }
  | { action: "give_up"; reason: GiveUpReason };

/**
 * Sorts the probe's HTTP status (null when the probe itself failed).
 * `previous401s` counts the 401s in a row just before this one: a refreshed
 * token gets one more try, a second 401 in a row gives up.
 */
export function classifyHandshakeStatus(status: number | null, previous401s = 0): HandshakeVerdict {
  if (status === 401)
    return previous401s > 0 ? { action: "give_up", reason: "unauthorized" } : { action: "refresh_token" };
  if (status === 403) return { action: "give_up", reason: "forbidden" };
  // 400 on /state is a draft id that is not a UUID: no such draft either.
  if (status === 404 || status === 400) return { action: "give_up", reason: "unknown_draft" };
  if (status === 429) return { action: "retry" };
  // 5xx, a failed probe, a 200 (the node refused only the WebSocket, e.g.
  // it is full) and anything unexpected: another node may do better.
  return { action: "retry_elsewhere" };
}
