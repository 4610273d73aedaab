// The seq rule of docs/protocol.md §2: seq is per draft, gapless and in
// commit order, so the next event is exactly last + 1. TimerTick carries
// the last seq again and must never be offered here.

export type SeqVerdict = "apply" | "duplicate" | "gap";

export class SeqCursor {
  /** The seq of the last event applied; null until a snapshot (or a known start) sets it. */
  lastSeq: number | null;

  constructor(lastSeq: number | null = null) {
    this.lastSeq = lastSeq;
  }

  /** Sets the cursor from a snapshot's last_seq. */
  reset(lastSeq: number): void {
    this.lastSeq = lastSeq;
  }

  /**
   * Judges a stored event's seq and advances the cursor on "apply". With no
   * cursor yet, nothing can be applied: the event's place is unknown ("gap").
   */
  offer(seq: number): SeqVerdict {
    if (this.lastSeq === null) return "gap";
    if (seq === this.lastSeq + 1) {
      this.lastSeq = seq;
      return "apply";
    }
    return seq <= this.lastSeq ? "duplicate" : "gap";
  }
}
