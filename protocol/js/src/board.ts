// A draft board kept from the snapshot and the events, with no UI framework:
// pure functions that return a new board (usable from React's useReducer).
// The rules mirror the gateway's draft_model (actors/draft_state.cpp); a
// test feeds both the same event log and compares them after every event.

import { ClockSlot, DraftEvent, DraftStatus, PickMade, Presence, StateSnapshot } from "./types.js";

export interface BoardTeam {
  team_id: string;
  name: string | null;
}

export interface Board {
  draftId: string;
  status: DraftStatus;
  totalPicks: number;
  completedPicks: number;
  lastSeq: number;
  totalRounds: number | null;
  draftType: string | null;
  currentPick: (ClockSlot & { time_per_pick_sec?: number }) | null;
  /** Seconds left on the clock while PAUSED. */
  pausedRemainingSec: number | null;
  /** By overall pick number. */
  picks: Record<number, PickMade>;
  teams: Record<string, BoardTeam>;
  presence: Presence | null;
  /** Server clock minus local clock, from the last tick. */
  serverOffsetMs: number;
  /** Overall picks an event has set or cleared since the last snapshot. */
  touched: number[];
}

export function emptyBoard(draftId: string): Board {
  return {
    draftId, status: "NOT_STARTED", totalPicks: 0, completedPicks: 0, lastSeq: 0,
    totalRounds: null, draftType: null, currentPick: null, pausedRemainingSec: null,
    picks: {}, teams: {}, presence: null, serverOffsetMs: 0, touched: [],
  };
}

function withTeam(teams: Record<string, BoardTeam>, id: string, name: string | null): Record<string, BoardTeam> {
  const known = teams[id];
  if (known && (name === null || known.name === name)) return teams;
  return { ...teams, [id]: { team_id: id, name: name ?? known?.name ?? null } };
}

function wholeSeconds(fromIso: string, toIso: string): number {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  return ms <= 0 ? 0 : Math.ceil(ms / 1000);
}

export function applySnapshot(board: Board, s: StateSnapshot, _localNowMs = Date.now()): Board {
  let teams = board.teams;
  let currentPick: Board["currentPick"] = null;
  if (s.current_pick) {
    const { time_remaining_sec: _left, ...rest } = s.current_pick;
    currentPick = rest;
    teams = withTeam(teams, rest.team_id, null);
  }
  return {
    ...board,
    draftId: s.draft_id,
    status: s.status,
    totalPicks: s.total_picks,
    completedPicks: s.completed_picks,
    lastSeq: s.last_seq,
    currentPick,
    pausedRemainingSec: s.status === "PAUSED" && s.current_pick ? s.current_pick.time_remaining_sec : null,
    teams,
    presence: s.presence ?? board.presence,
    touched: [],
  };
}

export function applyPresence(board: Board, presence: Presence): Board {
  return { ...board, presence: { teams: presence.teams, viewers: presence.viewers } };
}

export function applyEvent(board: Board, e: DraftEvent, localNowMs = Date.now()): Board {
  if (e.type === "TimerTick")
    return { ...board, serverOffsetMs: Date.parse(e.data.server_time) - localNowMs };
  const b: Board = { ...board, lastSeq: e.seq };
  switch (e.type) {
    case "DraftStarted":
      return { ...b, status: "IN_PROGRESS", totalPicks: e.data.total_picks,
        totalRounds: e.data.total_rounds, draftType: e.data.draft_type };
    case "PickStarted": {
      const d = e.data;
      const paused = b.status === "PAUSED";
      return {
        ...b,
        status: paused ? "PAUSED" : "IN_PROGRESS",
        pausedRemainingSec: paused ? wholeSeconds(d.started_at, d.timeout_at) : b.pausedRemainingSec,
        currentPick: { pick_id: d.pick_id, team_id: d.team_id, round: d.round, pick: d.pick,
          overall_pick: d.overall_pick, started_at: d.started_at, timeout_at: d.timeout_at,
          time_per_pick_sec: d.time_per_pick_sec },
        teams: withTeam(b.teams, d.team_id, null),
      };
    }
    case "PickMade":
      return { ...b, completedPicks: b.completedPicks + 1, currentPick: null,
        picks: { ...b.picks, [e.data.overall_pick]: e.data },
        teams: withTeam(b.teams, e.data.team_id, e.data.team_name),
        touched: [...b.touched, e.data.overall_pick] };
    case "PickUndone": {
      const picks = { ...b.picks };
      delete picks[e.data.overall_pick];
      return { ...b, completedPicks: Math.max(0, b.completedPicks - 1), currentPick: null, picks,
        touched: [...b.touched, e.data.overall_pick] };
    }
    case "DraftPaused":
      return { ...b, status: "PAUSED", pausedRemainingSec: e.data.time_remaining_sec };
    case "DraftResumed":
      return { ...b, status: "IN_PROGRESS", pausedRemainingSec: null };
    case "DraftCompleted":
      return { ...b, status: "COMPLETED", currentPick: null, completedPicks: e.data.total_picks };
  }
}

/**
 * Merges picks read from GET /api/drafts/{id}/picks after a snapshot. The
 * read happens after the snapshot, and every change after the snapshot
 * arrives as an event; so a slot an event has touched keeps the event's
 * value, and an untouched slot takes the page's. Whatever order the page
 * and the events arrive in, the board ends as the database.
 */
export function applyPicksPage(board: Board, picks: PickMade[]): Board {
  const touched = new Set(board.touched);
  const next = { ...board.picks };
  let teams = board.teams;
  for (const p of picks) {
    if (touched.has(p.overall_pick)) continue;
    next[p.overall_pick] = p;
    teams = withTeam(teams, p.team_id, p.team_name);
  }
  return { ...board, picks: next, teams };
}

export function applyTeams(board: Board, teams: { team_id: string; name: string }[]): Board {
  let t = board.teams;
  for (const x of teams) t = withTeam(t, x.team_id, x.name);
  return { ...board, teams: t };
}

/** Seconds left on the clock at `localNowMs`, by the server's clock; null with no pick on it. */
export function secondsLeft(board: Board, localNowMs = Date.now()): number | null {
  if (!board.currentPick) return null;
  if (board.status === "PAUSED") return board.pausedRemainingSec;
  const ms = Date.parse(board.currentPick.timeout_at) - (localNowMs + board.serverOffsetMs);
  return ms <= 0 ? 0 : Math.ceil(ms / 1000);
}
