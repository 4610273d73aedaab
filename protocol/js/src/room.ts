// A DraftClient and a Board together, for UIs: the board follows the
// snapshot and the events, and after each snapshot the picks made before
// it are read from the same node's picks API and merged (board.ts).

import { applyEvent, applyPicksPage, applyPresence, applySnapshot, Board, emptyBoard } from "./board.js";
import { ClientEvents, ClientOptions, ConnectionStatus, DraftClient } from "./client.js";
import { decodePicksPage } from "./decode.js";
import { Emitter } from "./emitter.js";
import { httpBase } from "./urls.js";

export interface RoomEvents extends ClientEvents {
  board: Board;
}

export class DraftRoom extends Emitter<RoomEvents> {
  readonly client: DraftClient;
  private boardValue: Board;
  private loaded = false;
  private readonly options: ClientOptions;

  constructor(options: ClientOptions) {
    super();
    this.options = options;
    this.client = new DraftClient(options);
    this.boardValue = emptyBoard(options.draftId);
    const pass = <K extends keyof ClientEvents>(name: K) =>
      this.client.on(name, (v) => this.emit(name, v as RoomEvents[K]));
    for (const name of ["status", "tick", "presence", "gap", "duplicate", "closed", "giveup", "error"] as const)
      pass(name);
    this.client.on("snapshot", (s) => {
      this.set(applySnapshot(this.boardValue, s));
      this.emit("snapshot", s);
      void this.loadPicks();
    });
    this.client.on("event", (e) => {
      this.set(applyEvent(this.boardValue, e));
      this.emit("event", e);
    });
    this.client.on("tick", (t) => this.set(applyEvent(this.boardValue, t)));
    this.client.on("presence", (p) => this.set(applyPresence(this.boardValue, p)));
    // Resuming from a known seq: the board was built from the events.
    if (options.lastSeq !== undefined) this.loaded = true;
  }

  get board(): Board { return this.boardValue; }
  get status(): ConnectionStatus { return this.client.status; }
  /** True once the picks made before the first snapshot are on the board. */
  get picksLoaded(): boolean { return this.loaded; }

  start(): void { this.client.start(); }
  stop(): void { this.client.stop(); }

  private set(b: Board): void {
    this.boardValue = b;
    this.emit("board", b);
  }

  private async loadPicks(): Promise<void> {
    const f = this.options.fetch ?? globalThis.fetch.bind(globalThis);
    const token = typeof this.options.token === "string" ? this.options.token : await this.options.token();
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        let cursor: string | null = null;
        do {
          const url = `${httpBase(this.client.url)}/api/drafts/${encodeURIComponent(this.options.draftId)}` +
            `/picks?limit=100${cursor ? "&cursor=" + cursor : ""}`;
          const res = await f(url, { headers: { Authorization: "Bearer " + token } });
          if (!res.ok) throw new Error("picks API answered " + res.status);
          const page = decodePicksPage(await res.text());
          if (!page.ok) throw new Error("picks page: " + page.error);
          this.set(applyPicksPage(this.boardValue, page.message.picks));
          cursor = page.message.next_cursor;
        } while (cursor);
        this.loaded = true;
        this.set(this.boardValue);
        return;
      } catch (e) {
        if (attempt === 3) this.emit("error", e instanceof Error ? e : new Error(String(e)));
        else await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      }
    }
  }
}
