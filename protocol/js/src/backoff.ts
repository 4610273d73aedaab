// Exponential back-off with full jitter: a random delay between 0 and the
// exponential bound, so clients dropped together (a node restart) do not
// come back together.

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const defaultBackoff: BackoffOptions = { baseMs: 500, capMs: 30000 };

/** random() * min(capMs, baseMs * 2**attempt); `random` returns [0, 1). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = defaultBackoff,
  random: () => number = Math.random,
): number {
  // 2**attempt is Infinity for a large attempt; min() still gives the cap.
  const bound = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, attempt));
  return random() * bound;
}
