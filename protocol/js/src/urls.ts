// URLs of a node: bases are given as "ws://host:8080" or "wss://host/path".

function trimSlash(base: string): string {
  return base.replace(/\/+$/, "");
}

/** The WebSocket URL; `lastSeq` null asks for a snapshot first. */
export function connectUrl(base: string, draftId: string, token: string, lastSeq: number | null): string {
  let url = `${trimSlash(base)}/drafts/${encodeURIComponent(draftId)}/connect?token=${encodeURIComponent(token)}`;
  if (lastSeq !== null) url += `&last_seq=${lastSeq}`;
  return url;
}

/** The same node's HTTP base: http:// for ws://, https:// for wss://. */
export function httpBase(base: string): string {
  return trimSlash(base).replace(/^ws(s?):\/\//i, (_m, s: string) => `http${s.toLowerCase()}://`);
}
