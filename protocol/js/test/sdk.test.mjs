// The SDK's rules: golden messages, the seq rule, back-off bounds, the
// close-code policy, and the board reducer (node:test; runs on dist/).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import * as sdk from "../dist/index.js";

const golden = new URL("../../golden/", import.meta.url);
const read = (name) => readFileSync(new URL(name, golden), "utf8");

test("every golden server message decodes", () => {
  const rest = new Set(["relay_envelope.json", "state_sync.json", "state_sync_no_pick.json"]);
  for (const name of readdirSync(golden).filter((n) => n.endsWith(".json") && !rest.has(n))) {
    const d = sdk.decodeServerMessage(read(name));
    assert.ok(d.ok, name + ": " + d.error);
  }
  const snap = sdk.decodeServerMessage(read("state_snapshot_message.json"));
  assert.equal(snap.message.presence.viewers, 3);
  const body = JSON.parse(read("state_sync.json"));
  assert.ok(sdk.decodeServerMessage(JSON.stringify({ type: "StateSnapshot", ...body })).ok);
});

test("malformed messages are refused with the field's path", () => {
  const event = JSON.parse(read("pick_made.json"));
  const bad = (change, prefix) => {
    const e = structuredClone(event);
    change(e);
    const d = sdk.decodeServerMessage(JSON.stringify(e));
    assert.equal(d.ok, false);
    assert.ok(d.error.startsWith(prefix), d.error);
  };
  bad((e) => (e.data.round = 1.5), "data.round:");
  bad((e) => (e.id = "not-a-uuid"), "id:");
  bad((e) => (e.type = "PickRevoked"), "type:");
  bad((e) => (e.seq = 0), "seq:");
  bad((e) => delete e.data, "data");
  assert.equal(sdk.decodeServerMessage("[1]").ok, false);
  assert.equal(sdk.decodeServerMessage(JSON.stringify({ type: "pong", nonce: "x".repeat(70000) })).ok, false);
});

test("the seq rule: next applies, a repeat is a duplicate, a jump is a gap", () => {
  const c = new sdk.SeqCursor();
  assert.equal(c.offer(1), "gap"); // no snapshot yet
  c.reset(4);
  assert.equal(c.offer(5), "apply");
  assert.equal(c.offer(5), "duplicate");
  assert.equal(c.offer(3), "duplicate");
  assert.equal(c.offer(7), "gap");
  assert.equal(c.lastSeq, 5);
});

test("back-off with full jitter stays within its bounds", () => {
  const o = { baseMs: 500, capMs: 30000 };
  for (const r of [0, 0.5, 0.999999])
    for (let n = 0; n < 40; n++) {
      const d = sdk.backoffDelay(n, o, () => r);
      assert.ok(d >= 0 && d <= Math.min(o.capMs, o.baseMs * 2 ** n), `attempt ${n}, random ${r}: ${d}`);
    }
  assert.equal(sdk.backoffDelay(3, o, () => 0.5), 2000);
});

test("close codes and handshake statuses sort into actions", () => {
  const want = { 1000: "retry", 1011: "retry", 4008: "retry", 4010: "retry", 4029: "retry",
    1001: "retry_elsewhere", 1006: "retry_elsewhere", 1012: "retry_elsewhere",
    4001: "refresh_token", 4000: "give_up", 4009: "give_up", 1009: "give_up" };
  for (const [code, action] of Object.entries(want)) assert.equal(sdk.classifyClose(Number(code)), action, code);
  assert.deepEqual(sdk.classifyHandshakeStatus(401, 0), { action: "refresh_token" });
  assert.deepEqual(sdk.classifyHandshakeStatus(401, 1), { action: "give_up", reason: "unauthorized" });
  assert.deepEqual(sdk.classifyHandshakeStatus(403), { action: "give_up", reason: "forbidden" });
  assert.deepEqual(sdk.classifyHandshakeStatus(404), { action: "give_up", reason: "unknown_draft" });
  assert.deepEqual(sdk.classifyHandshakeStatus(429), { action: "retry" });
  assert.deepEqual(sdk.classifyHandshakeStatus(null), { action: "retry_elsewhere" });
});

test("the board follows every event type, pause, undo and completion", () => {
  const events = read("event_log.jsonl").trim().split("\n").map((l) => sdk.decodeServerMessage(l).message);
  let b = sdk.emptyBoard(events[0].draft_id);
  const seen = [];
  for (const e of events) {
    b = sdk.applyEvent(b, e, Date.parse(e.timestamp));
    seen.push([e.type, b.status, b.completedPicks]);
  }
  assert.equal(b.status, "COMPLETED");
  assert.equal(b.completedPicks, 4);
  assert.deepEqual(Object.keys(b.picks).map(Number), [1, 2, 3, 4]);
  assert.equal(b.picks[4].player_name, "Player 7"); // the undone pick was made again
  assert.ok(seen.some(([t, s]) => t === "PickStarted" && s === "PAUSED")); // a PickStarted while paused
  assert.equal(b.teams["c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f"].name, "Team 1");
});

test("a picks page fills only the slots no event touched since the snapshot", () => {
  let b = sdk.applySnapshot(sdk.emptyBoard("d"), { type: "StateSnapshot", draft_id: "d", status: "IN_PROGRESS",
    current_pick: null, total_picks: 4, completed_picks: 2, last_seq: 5 });
  const pick = (n, player) => ({ pick_id: "p" + n, player_id: player, team_id: "t", round: 1, pick: n,
    overall_pick: n, player_name: player, team_name: "T", picked_at: "2023-12-01T10:00:00Z" });
  b = sdk.applyEvent(b, { type: "PickUndone", seq: 6, data: { overall_pick: 2 } });
  b = sdk.applyPicksPage(b, [pick(1, "a"), pick(2, "stale")]);
  assert.equal(b.picks[1].player_id, "a");
  assert.equal(b.picks[2], undefined);
});

test("seconds left follow the server's clock", () => {
  let b = sdk.emptyBoard("d");
  b = { ...b, status: "IN_PROGRESS", currentPick: { timeout_at: "2023-12-01T10:01:00Z" } };
  const local = Date.parse("2023-12-01T10:00:00Z");
  assert.equal(sdk.secondsLeft(b, local), 60);
  b = sdk.applyEvent(b, { type: "TimerTick", seq: 0, data: { server_time: "2023-12-01T10:00:30Z" } }, local);
  assert.equal(sdk.secondsLeft(b, local), 30);
  assert.equal(sdk.secondsLeft({ ...b, status: "PAUSED", pausedRemainingSec: 12 }, local), 12);
});
