// The SDK's board reducer and the gateway's draft_model (C++) agree: both
// are fed protocol/golden/event_log.jsonl (a draft with pauses, undos, a
// PickStarted while paused and an undo that reopens the completed draft),
// and after every event the state they hold is the same: status, counts,
// last seq, the pick on the clock and its time left at the event's time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const sdk = await import(pathToFileURL(process.env.DRAFT_SDK_DIR + "/index.js").href);
const logText = readFileSync(process.env.DRAFT_GOLDEN_DIR + "/event_log.jsonl", "utf8");

test("the reducer and the gateway's draft model hold the same state after every event", () => {
  const native = execFileSync(process.env.DRAFT_MODEL_REPLAY, { input: logText, encoding: "utf8" })
    .trim().split("\n").map((l) => JSON.parse(l));
  const events = logText.trim().split("\n").map((line) => {
    const decoded = sdk.decodeServerMessage(line);
    assert.ok(decoded.ok, decoded.error);
    return decoded.message;
  });
  assert.equal(native.length, events.length);
  let board = sdk.emptyBoard(events[0].draft_id);
  const types = new Set();
  events.forEach((event, i) => {
    const at = Date.parse(event.timestamp);
    board = sdk.applyEvent(board, event, at);
    types.add(event.type);
    const want = native[i];
    const where = `after seq ${event.seq} (${event.type})`;
    assert.equal(board.status, want.status, where);
    assert.equal(board.completedPicks, want.completed_picks, where);
    assert.equal(board.totalPicks, want.total_picks, where);
    assert.equal(board.lastSeq, want.last_seq, where);
    if (want.current_pick === null) {
      assert.equal(board.currentPick, null, where);
      return;
    }
    const cp = board.currentPick;
    assert.ok(cp, where + ": the reducer has no current pick");
    for (const k of ["pick_id", "team_id", "round", "pick", "overall_pick", "started_at", "timeout_at"])
      assert.equal(cp[k], want.current_pick[k], `${where}: current_pick.${k}`);
    assert.equal(sdk.secondsLeft(board, at), want.current_pick.time_remaining_sec, where + ": time left");
  });
  // The log covers every stored event type.
  assert.deepEqual([...types].sort(), ["DraftCompleted", "DraftPaused", "DraftResumed", "DraftStarted",
    "PickMade", "PickStarted", "PickUndone"]);
});
