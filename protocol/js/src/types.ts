// The server → client messages of docs/protocol.md. Ids are lower-case
// UUID strings (the decoder normalises them); timestamps are the RFC 3339
// text as the server sent it.

export type Uuid = string;
export type Timestamp = string;

export type EventType =
  | "PickMade"
  | "PickStarted"
  | "DraftStarted"
  | "DraftPaused"
  | "DraftResumed"
  | "DraftCompleted"
  | "TimerTick"
  | "PickUndone";

export type DraftStatus = "NOT_STARTED" | "IN_PROGRESS" | "PAUSED" | "COMPLETED";

/** §3 PickMade. The three optional fields are absent in events stored before them. */
export interface PickMade {
  pick_id: Uuid;
  player_id: Uuid;
  team_id: Uuid;
  round: number;
  pick: number;
  overall_pick: number;
  player_name: string;
  team_name: string;
  picked_at: Timestamp;
  /** Absent means false. */
  auto_picked?: boolean;
  /** Present exactly when auto_picked is true. */
  autopick_source?: "queue" | "rank";
  /** The `sub` of the token that made the pick; absent for an autopick. */
  by?: string;
}

/** The slot on the clock, as PickStarted and the snapshot's current_pick both give it. */
export interface ClockSlot {
  pick_id: Uuid;
  team_id: Uuid;
  round: number;
  pick: number;
  overall_pick: number;
  started_at: Timestamp;
  timeout_at: Timestamp;
}

export interface PickStarted extends ClockSlot {
  time_per_pick_sec: number;
}

export interface DraftStarted {
  draft_id: Uuid;
  draft_type: "snake" | "linear";
  started_at: Timestamp;
  total_rounds: number;
  total_picks: number;
}

export interface DraftPaused {
  draft_id: Uuid;
  paused_at: Timestamp;
  pick_id: Uuid;
  overall_pick: number;
  time_remaining_sec: number;
}

export interface DraftResumed {
  draft_id: Uuid;
  resumed_at: Timestamp;
  pick_id: Uuid;
  overall_pick: number;
}

export interface DraftCompleted {
  draft_id: Uuid;
  completed_at: Timestamp;
  /** Go duration syntax, e.g. "2h30m0s". */
  duration: string;
  total_picks: number;
}

export interface TimerTick {
  draft_id: Uuid;
  pick_id: Uuid;
  team_id: Uuid;
  overall_pick: number;
  server_time: Timestamp;
  timeout_at: Timestamp;
  time_remaining_sec: number;
}

export interface PickUndone {
  pick_id: Uuid;
  player_id: Uuid;
  team_id: Uuid;
  overall_pick: number;
  undone_at: Timestamp;
  by: string;
}

interface EventOf<T extends EventType, D> {
  id: Uuid;
  draft_id: Uuid;
  type: T;
  timestamp: Timestamp;
  /** Position in the draft's sequence; for TimerTick the draft's last seq. */
  seq: number;
  data: D;
}

export type PickMadeEvent = EventOf<"PickMade", PickMade>;
export type PickStartedEvent = EventOf<"PickStarted", PickStarted>;
export type DraftStartedEvent = EventOf<"DraftStarted", DraftStarted>;
export type DraftPausedEvent = EventOf<"DraftPaused", DraftPaused>;
export type DraftResumedEvent = EventOf<"DraftResumed", DraftResumed>;
export type DraftCompletedEvent = EventOf<"DraftCompleted", DraftCompleted>;
export type TimerTickEvent = EventOf<"TimerTick", TimerTick>;
export type PickUndoneEvent = EventOf<"PickUndone", PickUndone>;

/** Any event message, discriminated on `type`. */
export type DraftEvent =
  | PickMadeEvent
  | PickStartedEvent
  | DraftStartedEvent
  | DraftPausedEvent
  | DraftResumedEvent
  | DraftCompletedEvent
  | TimerTickEvent
  | PickUndoneEvent;

/** The seven event types that are stored and take a place in the seq order. */
export type StoredEvent = Exclude<DraftEvent, TimerTickEvent>;

export interface CurrentPick extends ClockSlot {
  time_remaining_sec: number;
}

/** The body of GET /api/drafts/{id}/state (§4). */
export interface StateBody {
  draft_id: Uuid;
  status: DraftStatus;
  current_pick: CurrentPick | null;
  total_picks: number;
  completed_picks: number;
  /** The seq of the last event reflected; live events continue at last_seq + 1. */
  last_seq: number;
}

export interface PresenceTeam {
  team_id: Uuid;
  connections: number;
}

/** Who is in the draft's room: connections per team, and viewers (no team). */
export interface Presence {
  teams: PresenceTeam[];
  viewers: number;
}

/** The first message of a connection made without last_seq. */
export interface StateSnapshot extends StateBody {
  type: "StateSnapshot";
  presence?: Presence;
}

/** Ephemeral: no seq, never stored or replayed. */
export interface PresenceChanged {
  type: "PresenceChanged";
  draft_id: Uuid;
  teams: PresenceTeam[];
  viewers: number;
  server_time: Timestamp;
}

export interface Pong {
  type: "pong";
  nonce: string;
  server_time: Timestamp;
}

export type ServerMessage = DraftEvent | StateSnapshot | PresenceChanged | Pong;

/** One page of GET /api/drafts/{id}/picks. */
export interface PicksPage {
  draft_id: Uuid;
  picks: PickMade[];
  next_cursor: Uuid | null;
}
