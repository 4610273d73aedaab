// Decoders for what the server sends, checked the way the C++ decoders check
// (protocol/json_decode.cpp): fields in table order, the first problem wins,
// unknown members ignored. They never throw.

import { JsonObject, JsonValue, parseObject, typeName } from "./json.js";
import { maxBy, maxSeq, ObjectReader } from "./reader.js";
import type {
  ClockSlot,
  CurrentPick,
  DraftEvent,
  EventType,
  PickMade,
  PicksPage,
  Presence,
  PresenceTeam,
  ServerMessage,
  StateBody,
  StateSnapshot,
} from "./types.js";

export type Decoded<T> = { ok: true; message: T } | { ok: false; error: string };

const maxRound = 1000;
const maxPickInRound = 1000;
const maxOverall = 1000000;
const maxClockSec = 86400;
// Presence counts are int32 on the server (protocol/wire_types.hpp).
const maxCount = 2147483647;

const eventTypes: readonly EventType[] = [
  "PickMade", "PickStarted", "DraftStarted", "DraftPaused",
  "DraftResumed", "DraftCompleted", "TimerTick", "PickUndone",
];
const otherTypes = ["StateSnapshot", "PresenceChanged", "pong"];

export function readPickMade(r: ObjectReader): PickMade {
  const p: PickMade = {
    pick_id: r.uuid("pick_id"),
    player_id: r.uuid("player_id"),
    team_id: r.uuid("team_id"),
    round: r.int("round", 1, maxRound),
    pick: r.int("pick", 1, maxPickInRound),
    overall_pick: r.int("overall_pick", 1, maxOverall),
    player_name: r.string("player_name"),
    team_name: r.string("team_name"),
    picked_at: r.time("picked_at"),
  };
  const auto = r.optionalBool("auto_picked");
  if (auto !== undefined) p.auto_picked = auto;
  const source = r.optionalString("autopick_source", 16);
  if (auto === true && source !== "queue" && source !== "rank")
    r.fail("autopick_source", 'expected "queue" or "rank" for an autopick');
  else if (auto !== true && source !== "")
    r.fail("autopick_source", "only an autopick (auto_picked true) has one");
  else if (source === "queue" || source === "rank") p.autopick_source = source;
  // An empty `by` means "none", as on the server.
  const by = r.optionalString("by", maxBy);
  if (by !== "") p.by = by;
  return p;
}

// The fields of PickStarted and of the snapshot's current_pick, in order.
function readClockSlot(r: ObjectReader): ClockSlot {
  return {
    pick_id: r.uuid("pick_id"),
    team_id: r.uuid("team_id"),
    round: r.int("round", 1, maxRound),
    pick: r.int("pick", 1, maxPickInRound),
    overall_pick: r.int("overall_pick", 1, maxOverall),
    started_at: r.time("started_at"),
    timeout_at: r.time("timeout_at"),
  };
}

function readData(type: EventType, r: ObjectReader): DraftEvent["data"] {
  switch (type) {
    case "PickMade":
      return readPickMade(r);
    case "PickStarted":
      return {
        ...readClockSlot(r),
        time_per_pick_sec: r.int("time_per_pick_sec", 1, maxClockSec),
      };
    case "DraftStarted": {
      const draft_id = r.uuid("draft_id");
      const draft_type = r.string("draft_type");
      if (r.error === null && draft_type !== "snake" && draft_type !== "linear")
        r.fail("draft_type", 'expected "snake" or "linear"');
      return {
        draft_id,
        draft_type: draft_type as "snake" | "linear",
        started_at: r.time("started_at"),
        total_rounds: r.int("total_rounds", 1, maxRound),
        total_picks: r.int("total_picks", 1, maxOverall),
      };
    }
    case "DraftPaused":
      return {
        draft_id: r.uuid("draft_id"),
        paused_at: r.time("paused_at"),
        pick_id: r.uuid("pick_id"),
        overall_pick: r.int("overall_pick", 1, maxOverall),
        time_remaining_sec: r.int("time_remaining_sec", 0, maxClockSec),
      };
    case "DraftResumed":
      return {
        draft_id: r.uuid("draft_id"),
        resumed_at: r.time("resumed_at"),
        pick_id: r.uuid("pick_id"),
        overall_pick: r.int("overall_pick", 1, maxOverall),
      };
    case "DraftCompleted":
      return {
        draft_id: r.uuid("draft_id"),
        completed_at: r.time("completed_at"),
        duration: r.duration("duration"),
        total_picks: r.int("total_picks", 1, maxOverall),
      };
    case "TimerTick":
      return {
        draft_id: r.uuid("draft_id"),
        pick_id: r.uuid("pick_id"),
        team_id: r.uuid("team_id"),
        overall_pick: r.int("overall_pick", 1, maxOverall),
        server_time: r.time("server_time"),
        timeout_at: r.time("timeout_at"),
        time_remaining_sec: r.int("time_remaining_sec", 0, maxClockSec),
      };
    case "PickUndone":
      return {
        pick_id: r.uuid("pick_id"),
        player_id: r.uuid("player_id"),
        team_id: r.uuid("team_id"),
        overall_pick: r.int("overall_pick", 1, maxOverall),
        undone_at: r.time("undone_at"),
        by: r.string("by", maxBy),
      };
  }
}

function decodeEvent(root: JsonObject, type: EventType): Decoded<DraftEvent> {
  const r = new ObjectReader(root, "");
  const id = r.uuid("id");
  const draft_id = r.uuid("draft_id");
  const timestamp = r.time("timestamp");
  // A TimerTick carries the draft's last seq, which is 0 before any event.
  const seq = r.int("seq", type === "TimerTick" ? 0 : 1, maxSeq);
  const dataObject = r.object("data");
  if (r.error !== null || dataObject === null) return { ok: false, error: r.error ?? "data: is required" };
  const d = new ObjectReader(dataObject, "data");
  const data = readData(type, d);
  if (d.error !== null) return { ok: false, error: d.error };
  return { ok: true, message: { id, draft_id, type, timestamp, seq, data } as DraftEvent };
}

function readPresenceTeams(r: ObjectReader, key: string): PresenceTeam[] {
  const teams: PresenceTeam[] = [];
  r.array(key).forEach((item: JsonValue, i: number) => {
    const path = `${r.pathOf(key)}[${i}]`;
    if (!(item instanceof Map)) {
      if (r.error === null) r.error = `${path}: expected an object, got ${typeName(item)}`;
      return;
    }
    const t = new ObjectReader(item, path);
    const team = { team_id: t.uuid("team_id"), connections: t.int("connections", 0, maxCount) };
    if (t.error !== null && r.error === null) r.error = t.error;
    teams.push(team);
  });
  return teams;
}

function readPresence(r: ObjectReader): Presence {
  return { teams: readPresenceTeams(r, "teams"), viewers: r.int("viewers", 0, maxCount) };
}

function readCurrentPick(r: ObjectReader): CurrentPick {
  return {
    ...readClockSlot(r),
    time_remaining_sec: r.int("time_remaining_sec", 0, maxClockSec),
  };
}

function decodeState(root: JsonObject): Decoded<StateSnapshot> {
  const r = new ObjectReader(root, "");
  const draft_id = r.uuid("draft_id");
  const status = r.string("status", 32);
  if (r.error === null && !["NOT_STARTED", "IN_PROGRESS", "PAUSED", "COMPLETED"].includes(status))
    r.fail("status", `unknown status "${status}"; expected one of NOT_STARTED, IN_PROGRESS, PAUSED, COMPLETED`);
  const total_picks = r.int("total_picks", 0, maxOverall);
  const completed_picks = r.int("completed_picks", 0, maxOverall);
  const last_seq = r.int("last_seq", 0, maxSeq);
  // A missing current_pick reads as null, like the server's decoder.
  let current_pick: CurrentPick | null = null;
  const pickObject = r.isNull("current_pick") ? null : r.object("current_pick");
  if (r.error !== null) return { ok: false, error: r.error };
  if (pickObject !== null) {
    const pr = new ObjectReader(pickObject, "current_pick");
    current_pick = readCurrentPick(pr);
    if (pr.error !== null) return { ok: false, error: pr.error };
  }
  let presence: Presence | undefined;
  const presenceObject = r.isNull("presence") ? null : r.object("presence");
  if (r.error !== null) return { ok: false, error: r.error };
  if (presenceObject !== null) {
    const pr = new ObjectReader(presenceObject, "presence");
    presence = readPresence(pr);
    if (pr.error !== null) return { ok: false, error: pr.error };
  }
  if (completed_picks > total_picks) return { ok: false, error: "completed_picks: must not exceed total_picks" };
  const body: StateBody = { draft_id, status: status as StateBody["status"], current_pick, total_picks, completed_picks, last_seq };
  const snapshot: StateSnapshot = { type: "StateSnapshot", ...body };
  if (presence !== undefined) snapshot.presence = presence;
  return { ok: true, message: snapshot };
}

/** Decodes one WebSocket text message (at most 64 KiB). */
export function decodeServerMessage(text: string): Decoded<ServerMessage> {
  const parsed = parseObject(text);
  if (!parsed.ok) return parsed;
  const root = parsed.root;
  const r = new ObjectReader(root, "");
  // `type` first: it decides which table the other fields follow.
  const type = r.string("type", 64);
  if (r.error !== null) return { ok: false, error: r.error };
  if ((eventTypes as readonly string[]).includes(type)) return decodeEvent(root, type as EventType);
  if (type === "StateSnapshot") return decodeState(root);
  if (type === "PresenceChanged") {
    const draft_id = r.uuid("draft_id");
    const { teams, viewers } = readPresence(r);
    const server_time = r.time("server_time");
    if (r.error !== null) return { ok: false, error: r.error };
    return { ok: true, message: { type, draft_id, teams, viewers, server_time } };
  }
  if (type === "pong") {
    const nonce = r.optionalString("nonce", 128);
    const server_time = r.time("server_time");
    if (r.error !== null) return { ok: false, error: r.error };
    return { ok: true, message: { type, nonce, server_time } };
  }
  return {
    ok: false,
    error: `type: unknown message type "${type}"; expected one of ${eventTypes.join(", ")}, ${otherTypes.join(", ")}`,
  };
}

/** Decodes the body of GET /api/drafts/{id}/state (no `type` member needed). */
export function decodeStateBody(text: string): Decoded<StateBody> {
  const parsed = parseObject(text);
  if (!parsed.ok) return parsed;
  const decoded = decodeState(parsed.root);
  if (!decoded.ok) return decoded;
  const { type: _type, presence: _presence, ...body } = decoded.message;
  return { ok: true, message: body };
}

// A page of 100 picks with long names can pass 64 KiB; REST bodies are not
// WebSocket messages, so they get a larger bound.
const pageLimits = { maxBytes: 4 * 1024 * 1024, maxDepth: 16 };

/** Decodes a page of GET /api/drafts/{id}/picks. */
export function decodePicksPage(text: string): Decoded<PicksPage> {
  const parsed = parseObject(text, pageLimits);
  if (!parsed.ok) return parsed;
  const r = new ObjectReader(parsed.root, "");
  const draft_id = r.uuid("draft_id");
  const items = r.array("picks");
  if (r.error !== null) return { ok: false, error: r.error };
  const picks: PickMade[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!(item instanceof Map)) return { ok: false, error: `picks[${i}]: expected an object, got ${typeName(item)}` };
    const pr = new ObjectReader(item, `picks[${i}]`);
    const pick = readPickMade(pr);
    if (pr.error !== null) return { ok: false, error: pr.error };
    picks.push(pick);
  }
  const next_cursor = r.isNull("next_cursor") ? null : r.uuid("next_cursor");
  if (r.error !== null) return { ok: false, error: r.error };
  return { ok: true, message: { draft_id, picks, next_cursor } };
}
