// DraftClient with a fake WebSocket and fake timers: no real sockets, no
// sleeps. Snapshot then events; a duplicate dropped; a gap asks one resume;
// a drop resumes with last_seq on the next URL; 4008 stays; 4001 refreshes
// the token; a token is refreshed before it expires; a ping left without an
// answer drops the connection and resumes elsewhere; a refused upgrade probed
// as 403 gives up; stop() leaves no timer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { DraftClient } from "../dist/index.js";

const golden = (n) => JSON.parse(readFileSync(new URL("../../golden/" + n, import.meta.url), "utf8"));
const D = "6e0f5d4c-3b2a-4198-8776-655443322110";

function harness(options = {}) {
  const sockets = [];
  class FakeSocket {
    constructor(url) { this.url = url; this.sent = []; sockets.push(this); }
    send(t) { this.sent.push(JSON.parse(t)); }
    close() { this.closed = true; }
    open() { this.onopen?.({}); }
    deliver(m) { this.onmessage?.({ data: JSON.stringify(m) }); }
    end(code) { this.onclose?.({ code, reason: "" }); }
  }
  const timers = new Map();
  const delays = new Map();
  let id = 0;
  const h = { sockets, timers, log: [] };
  h.client = new DraftClient({
    urls: ["ws://a", "ws://b"], draftId: D, WebSocket: FakeSocket, random: () => 0,
    setTimeout: (fn, ms) => (timers.set(++id, fn), delays.set(id, ms), id), clearTimeout: (i) => timers.delete(i),
    now: () => 0, fetch: options.fetch ?? (async () => ({ status: 200 })), token: options.token ?? "tok",
  });
  for (const n of ["event", "duplicate", "gap", "giveup", "closed"]) h.client.on(n, (v) => h.log.push([n, v]));
  h.flush = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)); };
  h.runTimers = async () => { for (const [k, fn] of [...timers]) { timers.delete(k); fn(); } await h.flush(); };
  // Runs only the timers set for `ms` (the others stay armed).
  h.fire = async (ms) => {
    for (const [k, fn] of [...timers]) if (delays.get(k) === ms) { timers.delete(k); fn(); }
    await h.flush();
  };
  h.pending = () => [...timers.keys()].map((k) => delays.get(k));
  return h;
}

const event = (seq) => ({ ...golden("draft_resumed.json"), seq });
const snapshot = (last) => ({ type: "StateSnapshot", ...golden("state_sync_no_pick.json"), last_seq: last });

test("snapshot, events in order, a duplicate dropped, a gap asks one resume", async () => {
  const h = harness();
  h.client.start();
  await h.flush();
  const s = h.sockets[0];
  assert.ok(!s.url.includes("last_seq"));
  s.open(); s.deliver(snapshot(3)); s.deliver(event(4)); s.deliver(event(4)); s.deliver(event(6)); s.deliver(event(7));
  assert.equal(h.client.status, "live");
  assert.deepEqual(h.log.map(([n]) => n), ["event", "duplicate", "gap", "gap"]);
  assert.deepEqual(s.sent.filter((m) => m.type === "resume"), [{ type: "resume", last_seq: 4 }]);
  h.client.stop();
  assert.equal(h.timers.size, 0);
});

test("a dropped connection resumes with last_seq on the next URL; 4008 stays", async () => {
  const h = harness();
  h.client.start();
  await h.flush();
  h.sockets[0].open(); h.sockets[0].deliver(snapshot(3)); h.sockets[0].deliver(event(4));
  h.sockets[0].end(1006);
  assert.equal(h.client.status, "resuming");
  await h.runTimers();
  assert.ok(h.sockets[1].url.startsWith("ws://b/") && h.sockets[1].url.endsWith("&last_seq=4"), h.sockets[1].url);
  h.sockets[1].open(); h.sockets[1].end(4008);
  await h.runTimers();
  assert.ok(h.sockets[2].url.startsWith("ws://b/"), h.sockets[2].url);
  h.client.stop();
});

test("4001 asks the token provider again and reconnects with the new token", async () => {
  let n = 0;
  const h = harness({ token: () => "tok-" + ++n });
  h.client.start();
  await h.flush();
  h.sockets[0].open(); h.sockets[0].deliver(snapshot(0)); h.sockets[0].end(4001);
  await h.flush();
  assert.ok(h.sockets[1].url.includes("token=tok-2") && h.sockets[1].url.includes("last_seq=0"), h.sockets[1].url);
  h.client.stop();
});

test("an upgrade refused before it opened is probed: 403 gives up as forbidden", async () => {
  const h = harness({ fetch: async () => ({ status: 403 }) });
  h.client.start();
  await h.flush();
  h.sockets[0].end(1006);
  await h.flush();
  const giveup = h.log.find(([n]) => n === "giveup");
  assert.equal(giveup[1].reason, "forbidden");
  assert.equal(h.client.status, "stopped");
});

// A token whose payload says it expires at `exp` (seconds since the epoch).
const jwt = (exp, n) => "h." + Buffer.from(JSON.stringify({ exp, n })).toString("base64url") + ".s";

test("a token is refreshed a margin before it expires, and the session resumes with it", async () => {
  let n = 0;
  const h = harness({ token: () => jwt(100, ++n) });
  h.client.start();
  await h.flush();
  h.sockets[0].open(); h.sockets[0].deliver(snapshot(5));
  // now() is 0, exp 100 s away, the margin 60 s: the refresh is due at 40 s
  // (a longer-lived token would be refreshed at half its remaining life).
  assert.ok(h.pending().includes(40000), JSON.stringify(h.pending()));
  await h.fire(40000);
  assert.equal(n, 2);
  assert.ok(h.sockets[0].closed);
  assert.equal(h.sockets.length, 2);
  assert.ok(h.sockets[1].url.includes("token=" + jwt(100, 2)) && h.sockets[1].url.includes("last_seq=5"),
    h.sockets[1].url);
  h.sockets[1].open();
  assert.equal(h.client.status, "live");
  h.client.stop();
  assert.equal(h.timers.size, 0);
});

test("a ping without an answer drops the connection and resumes on the next URL", async () => {
  const h = harness();
  h.client.start();
  await h.flush();
  h.sockets[0].open(); h.sockets[0].deliver(snapshot(2));
  await h.fire(15000); // the ping interval
  assert.deepEqual(h.sockets[0].sent.map((m) => m.type), ["ping"]);
  // An answer in time disarms the deadline.
  h.sockets[0].deliver({ type: "pong", nonce: h.sockets[0].sent[0].nonce, server_time: "2025-01-01T00:00:00Z" });
  assert.ok(!h.pending().includes(10000));
  await h.fire(15000);
  assert.equal(h.sockets[0].sent.length, 2);
  await h.fire(10000); // no answer this time
  assert.ok(h.sockets[0].closed);
  const closed = h.log.filter(([n]) => n === "closed").map(([, v]) => v);
  assert.deepEqual(closed.map((c) => [c.reason, c.action]), [["no answer to a ping", "retry_elsewhere"]]);
  assert.equal(h.client.status, "resuming");
  await h.runTimers();
  assert.ok(h.sockets[1].url.startsWith("ws://b/") && h.sockets[1].url.endsWith("&last_seq=2"), h.sockets[1].url);
  h.client.stop();
});
