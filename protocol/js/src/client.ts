// The protocol client: connect -> snapshot -> live, the seq rule, resume
// with last_seq after any drop, back-off with full jitter, roaming over a
// URL list, token refresh, dead-connection detection (docs/client.md).

import { backoffDelay, BackoffOptions, defaultBackoff } from "./backoff.js";
import { classifyClose, classifyHandshakeStatus, CloseAction, GiveUpReason } from "./close_policy.js";
import { decodeServerMessage } from "./decode.js";
import { Emitter } from "./emitter.js";
import { SeqCursor } from "./seq.js";
import { refreshDelayMs } from "./token.js";
import { PresenceChanged, StateSnapshot, StoredEvent, TimerTickEvent } from "./types.js";
import { connectUrl, httpBase } from "./urls.js";

export type ConnectionStatus = "connecting" | "live" | "resuming" | "offline" | "stopped";

/** The part of a WebSocket the client uses (browser WebSocket and ws both fit). */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type SocketConstructor = new (url: string) => SocketLike;

export interface ClientOptions {
  urls: string[];
  draftId: string;
  token: string | (() => string | Promise<string>);
  WebSocket?: SocketConstructor;
  fetch?: typeof fetch;
  lastSeq?: number;
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  backoff?: BackoffOptions;
  random?: () => number;
  tokenRefreshMarginSec?: number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  now?: () => number;
}

export interface ClientEvents {
  status: ConnectionStatus;
  snapshot: StateSnapshot;
  event: StoredEvent;
  tick: TimerTickEvent;
  presence: PresenceChanged;
  gap: { expected: number; got: number };
  duplicate: { seq: number };
  closed: { code: number; reason: string; action: CloseAction; url: string };
  giveup: { reason: GiveUpReason; code?: number; message: string };
  error: Error;
}

export class DraftClient extends Emitter<ClientEvents> {
  private readonly o: Required<Omit<ClientOptions, "lastSeq" | "WebSocket" | "fetch">> & {
    WebSocket: SocketConstructor; fetch: typeof fetch };
  private readonly cursor: SeqCursor;
  private socket: SocketLike | null = null;
  private urlIndex = 0;
  private attempt = 0;
  private opened = false;
  private token = "";
  private refreshed401 = 0;
  private statusValue: ConnectionStatus = "stopped";
  private timers = new Set<unknown>();
  private pingTimer: unknown = null;
  private deadTimer: unknown = null;
  private resumeSentFor: { seq: number; at: number } | null = null;
  private nonce = 0;
  private running = false;
  private removeNetworkListeners: (() => void) | null = null;

  constructor(options: ClientOptions) {
    super();
    const WS = options.WebSocket ?? (globalThis as { WebSocket?: SocketConstructor }).WebSocket;
    if (!WS) throw new Error("no WebSocket here: on Node 20 pass the ws package's WebSocket as options.WebSocket");
    if (!options.urls.length) throw new Error("options.urls is empty: give at least one gateway URL");
    this.o = {
      urls: options.urls, draftId: options.draftId, token: options.token, WebSocket: WS,
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
      pingIntervalMs: options.pingIntervalMs ?? 15000, pingTimeoutMs: options.pingTimeoutMs ?? 10000,
      backoff: options.backoff ?? defaultBackoff, random: options.random ?? Math.random,
      tokenRefreshMarginSec: options.tokenRefreshMarginSec ?? 60,
      setTimeout: options.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms)),
      clearTimeout: options.clearTimeout ?? ((h) => globalThis.clearTimeout(h as number)),
      now: options.now ?? Date.now,
    };
    this.cursor = new SeqCursor(options.lastSeq ?? null);
  }

  get status(): ConnectionStatus { return this.statusValue; }
  get lastSeq(): number | null { return this.cursor.lastSeq; }
  get url(): string { return this.o.urls[this.urlIndex]; }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.listenToNetwork();
    this.setStatus("connecting");
    void this.connect(true);
  }

  stop(): void {
    this.running = false;
    this.dropSocket();
    for (const t of this.timers) this.o.clearTimeout(t);
    this.timers.clear();
    this.removeNetworkListeners?.();
    this.removeNetworkListeners = null;
    this.setStatus("stopped");
  }

  private setStatus(s: ConnectionStatus): void {
    if (s === this.statusValue) return;
    this.statusValue = s;
    this.emit("status", s);
  }

  private later(fn: () => void, ms: number): unknown {
    const handle = this.o.setTimeout(() => {
      this.timers.delete(handle);
      fn();
    }, ms);
    this.timers.add(handle);
    return handle;
  }

  private cancel(handle: unknown): void {
    if (handle === null) return;
    this.o.clearTimeout(handle);
    this.timers.delete(handle);
  }

  private async currentToken(refresh: boolean): Promise<string> {
    if (typeof this.o.token === "string") return this.o.token;
    if (refresh || !this.token) this.token = await this.o.token();
    return this.token;
  }

  private async connect(refresh = false): Promise<void> {
    if (!this.running) return;
    let token: string;
    try {
      token = await this.currentToken(refresh);
    } catch (e) {
      this.emit("error", e instanceof Error ? e : new Error(String(e)));
      return this.retry("retry");
    }
    if (!this.running) return;
    this.token = token;
    this.opened = false;
    const url = this.url;
    const ws = new this.o.WebSocket(connectUrl(url, this.o.draftId, token, this.cursor.lastSeq));
    this.socket = ws;
    ws.onopen = () => {
      if (this.socket !== ws) return;
      this.opened = true;
      if (this.cursor.lastSeq !== null) this.becameLive();
      this.armPing();
    };
    ws.onmessage = (ev) => this.socket === ws && this.onMessage(ev.data);
    ws.onerror = () => {};
    ws.onclose = (ev) => this.socket === ws && this.onClose(ev.code, ev.reason, url);
    this.scheduleRefresh(token);
  }

  private becameLive(): void {
    this.attempt = 0;
    this.refreshed401 = 0;
    this.setStatus("live");
  }

  private onMessage(data: unknown): void {
    const text = typeof data === "string" ? data : new TextDecoder().decode(data as ArrayBuffer);
    this.armDeadline(false);
    const decoded = decodeServerMessage(text);
    if (!decoded.ok) {
      this.emit("error", new Error("malformed server message: " + decoded.error));
      this.dropSocket(4000);
      return this.retry("retry");
    }
    const m = decoded.message;
    switch (m.type) {
      case "StateSnapshot":
        this.cursor.reset(m.last_seq);
        this.resumeSentFor = null;
        this.emit("snapshot", m);
        this.becameLive();
        return;
      case "PresenceChanged":
        return this.emit("presence", m);
      case "pong":
        return;
      case "TimerTick":
        return this.emit("tick", m);
      default: {
        const verdict = this.cursor.offer(m.seq);
        if (verdict === "apply") {
          this.resumeSentFor = null;
          return this.emit("event", m);
        }
        if (verdict === "duplicate") return this.emit("duplicate", { seq: m.seq });
        const expected = (this.cursor.lastSeq ?? 0) + 1;
        this.emit("gap", { expected, got: m.seq });
        this.askResume();
      }
    }
  }

  // One resume per cursor value (the server allows about one a second).
  private askResume(): void {
    const seq = this.cursor.lastSeq;
    if (seq === null || !this.socket) return;
    const now = this.o.now();
    if (this.resumeSentFor && this.resumeSentFor.seq === seq && now - this.resumeSentFor.at < 5000) return;
    this.resumeSentFor = { seq, at: now };
    this.socket.send(JSON.stringify({ type: "resume", last_seq: seq }));
  }

  private async onClose(code: number, reason: string, url: string): Promise<void> {
    const opened = this.opened;
    this.dropSocket();
    if (!this.running || this.statusValue === "offline") return;
    if (!opened) return this.probe(url);
    const action = classifyClose(code);
    this.emit("closed", { code, reason, action, url });
    if (action === "give_up") return this.giveUp("protocol_error", reason || "refused by the server", code);
    this.retry(action);
  }

  // The upgrade never opened: a browser hides why, so ask the REST API.
  private async probe(url: string): Promise<void> {
    let status: number | null = null;
    try {
      const res = await this.o.fetch(`${httpBase(url)}/api/drafts/${encodeURIComponent(this.o.draftId)}/state`,
        { headers: { Authorization: "Bearer " + this.token } });
      status = res.status;
    } catch {
      status = null;
    }
    if (!this.running) return;
    const verdict = classifyHandshakeStatus(status, this.refreshed401);
    this.emit("closed", { code: 1006, reason: "handshake refused (" + (status ?? "no answer") + ")",
      action: verdict.action, url });
    if (verdict.action === "give_up") return this.giveUp(verdict.reason, "the gateway answered " + status);
    this.refreshed401 = status === 401 ? this.refreshed401 + 1 : 0;
    this.retry(verdict.action);
  }

  private giveUp(reason: GiveUpReason, message: string, code?: number): void {
    this.emit("giveup", { reason, message, ...(code === undefined ? {} : { code }) });
    this.stop();
  }

  private retry(action: CloseAction): void {
    if (!this.running) return;
    this.setStatus(this.cursor.lastSeq === null ? "connecting" : "resuming");
    if (action === "retry_elsewhere") this.urlIndex = (this.urlIndex + 1) % this.o.urls.length;
    if (action === "refresh_token") return void this.connect(true);
    const delay = backoffDelay(this.attempt++, this.o.backoff, this.o.random);
    this.later(() => void this.connect(), delay);
  }

  private dropSocket(code?: number): void {
    this.cancel(this.pingTimer);
    this.cancel(this.deadTimer);
    this.pingTimer = this.deadTimer = null;
    const ws = this.socket;
    this.socket = null;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    try {
      ws.close(code);
    } catch {
      // already closed
    }
  }

  private armPing(): void {
    this.cancel(this.pingTimer);
    this.pingTimer = this.later(() => {
      this.pingTimer = null;
      if (!this.socket) return;
      this.socket.send(JSON.stringify({ type: "ping", nonce: String(++this.nonce) }));
      this.armDeadline(true);
      this.armPing();
    }, this.o.pingIntervalMs);
  }

  // After a ping, some message must come within pingTimeoutMs.
  private armDeadline(set: boolean): void {
    this.cancel(this.deadTimer);
    this.deadTimer = null;
    if (!set) return;
    this.deadTimer = this.later(() => {
      this.deadTimer = null;
      this.emit("closed", { code: 1006, reason: "no answer to a ping", action: "retry_elsewhere", url: this.url });
      this.dropSocket();
      this.attempt = 0;
      this.retry("retry_elsewhere");
    }, this.o.pingTimeoutMs);
  }

  private scheduleRefresh(token: string): void {
    if (typeof this.o.token === "string") return;
    const delay = refreshDelayMs(token, this.o.now(), this.o.tokenRefreshMarginSec);
    if (delay === null) return;
    this.later(async () => {
      if (!this.running || this.token !== token) return;
      const fresh = await this.currentToken(true).catch(() => token);
      if (fresh === token || !this.running) return;
      this.dropSocket(1000);
      void this.connect();
    }, delay);
  }

  private listenToNetwork(): void {
    const g = globalThis as { addEventListener?: typeof addEventListener; removeEventListener?: typeof removeEventListener;
      navigator?: { onLine?: boolean } };
    if (!g.addEventListener || !g.removeEventListener || g.navigator?.onLine === undefined) return;
    const offline = () => {
      this.dropSocket();
      for (const t of this.timers) this.o.clearTimeout(t);
      this.timers.clear();
      this.setStatus("offline");
    };
    const online = () => {
      if (!this.running) return;
      this.attempt = 0;
      this.setStatus(this.cursor.lastSeq === null ? "connecting" : "resuming");
      void this.connect();
    };
    g.addEventListener("offline", offline);
    g.addEventListener("online", online);
    this.removeNetworkListeners = () => {
      g.removeEventListener?.("offline", offline);
      g.removeEventListener?.("online", online);
    };
  }
}
