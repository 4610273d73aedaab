// Reads a JWT's `exp` so the client can refresh before the server closes
// the session with 4001. No verification: the server does that.

/** The token's `exp` in seconds since the epoch, or null if it has none. */
export function tokenExp(token: string): number | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const b64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const payload: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof payload !== "object" || payload === null) return null;
    const exp = (payload as { exp?: unknown }).exp;
    return typeof exp === "number" && Number.isFinite(exp) ? exp : null;
  } catch {
    return null;
  }
}

// A floor, so a provider that keeps returning a token about to expire is
// not asked in a tight loop.
const minRefreshMs = 1000;

/**
 * When to ask for a new token: `marginSec` before `exp`, or at half the
 * remaining lifetime if that comes first. Null when there is nothing to
 * schedule (no exp, or already expired: the server's 4001 or 401 then
 * leads to a refresh anyway).
 */
export function refreshDelayMs(token: string, nowMs: number, marginSec: number): number | null {
  const exp = tokenExp(token);
  if (exp === null) return null;
  const leftMs = exp * 1000 - nowMs;
  if (leftMs <= 0) return null;
  return Math.max(minRefreshMs, Math.min(leftMs - marginSec * 1000, leftMs / 2));
}
