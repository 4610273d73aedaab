-- Draft Gateway schema, version 1: drafts, teams, players, picks and the
-- transactional outbox. See docs/schema.md.

CREATE TABLE drafts (
  id                uuid PRIMARY KEY,
  type              text NOT NULL CHECK (type IN ('snake', 'linear')),
  status            text NOT NULL DEFAULT 'NOT_STARTED'
                    CHECK (status IN ('NOT_STARTED', 'IN_PROGRESS', 'PAUSED', 'COMPLETED')),
  rounds            integer NOT NULL CHECK (rounds BETWEEN 1 AND 100),
  time_per_pick_sec integer NOT NULL CHECK (time_per_pick_sec BETWEEN 1 AND 86400),
  team_count        integer NOT NULL CHECK (team_count BETWEEN 2 AND 64),
  -- The per-draft event sequence: the seq of the last outbox row written.
  last_seq          bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
  created_at        timestamptz NOT NULL DEFAULT now(),
  started_at        timestamptz,
  paused_at         timestamptz,
  completed_at      timestamptz,
  updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE teams (
  id             uuid PRIMARY KEY,
  draft_id       uuid NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
  name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- 1-based seat in the first round.
  draft_position integer NOT NULL CHECK (draft_position >= 1),
  UNIQUE (draft_id, draft_position),
  UNIQUE (draft_id, name)
);

CREATE TABLE players (
  id       uuid PRIMARY KEY,
  name     text NOT NULL,
  position text NOT NULL CHECK (position IN ('QB', 'RB', 'WR', 'TE', 'K', 'DEF')),
  nfl_team text NOT NULL,
  -- Consensus rank, 1 is best; autopick takes the best available.
  rank     integer NOT NULL UNIQUE CHECK (rank >= 1)
);

-- One row per slot, created with the draft; player_id is set when picked.
CREATE TABLE picks (
  id           uuid PRIMARY KEY,
  draft_id     uuid NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
  round        integer NOT NULL CHECK (round >= 1),
  pick         integer NOT NULL CHECK (pick >= 1),
  overall_pick integer NOT NULL CHECK (overall_pick >= 1),
  team_id      uuid NOT NULL REFERENCES teams (id),
  player_id    uuid REFERENCES players (id),
  started_at   timestamptz,
  timeout_at   timestamptz,
  picked_at    timestamptz,
  auto_picked  boolean NOT NULL DEFAULT false,
  UNIQUE (draft_id, overall_pick),
  UNIQUE (draft_id, round, pick),
  -- A player is drafted at most once per draft (NULLs are distinct).
  UNIQUE (draft_id, player_id),
  CHECK ((player_id IS NULL) = (picked_at IS NULL))
);

-- The clock: open slots whose timer runs, soonest first.
CREATE INDEX picks_open_timeouts ON picks (timeout_at)
  WHERE player_id IS NULL AND timeout_at IS NOT NULL;

-- The transactional outbox. Rows are written in the same transaction as the
-- change they describe; seq is per draft, gap-free, in commit order (see
-- draft_append_event below).
CREATE TABLE draft_outbox (
  id              bigserial PRIMARY KEY,
  event_id        uuid NOT NULL UNIQUE,
  draft_id        uuid NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
  seq             bigint NOT NULL CHECK (seq >= 1),
  event_type      text NOT NULL CHECK (event_type IN
                  ('PickMade', 'PickStarted', 'DraftStarted', 'DraftPaused',
                   'DraftResumed', 'DraftCompleted')),
  payload         jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- The relay's bookkeeping.
  sent_at         timestamptz,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  dead            boolean NOT NULL DEFAULT false,
  dead_at         timestamptz,
  UNIQUE (draft_id, seq)
);

-- What the relay still has to publish, per draft in seq order.
CREATE INDEX draft_outbox_unsent ON draft_outbox (draft_id, seq)
  WHERE sent_at IS NULL AND NOT dead;

-- Wake-up hint for the gateway's poller and the relay: sent at commit, one per
-- row. Listeners must still poll after reconnecting (a hint can be lost).
CREATE FUNCTION draft_outbox_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('draft_outbox',
    json_build_object('id', NEW.id, 'draft_id', NEW.draft_id, 'seq', NEW.seq,
                      'event_type', NEW.event_type)::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER draft_outbox_notify AFTER INSERT ON draft_outbox
  FOR EACH ROW EXECUTE FUNCTION draft_outbox_notify();

-- The one way to write an event. Bumping drafts.last_seq row-locks the draft
-- until commit, so concurrent writers of one draft serialise: seq order is
-- commit order, with no gap. Returns the new seq.
CREATE FUNCTION draft_append_event(p_draft_id uuid, p_event_id uuid,
                                   p_event_type text, p_payload jsonb)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v_seq bigint;
BEGIN
  UPDATE drafts SET last_seq = last_seq + 1, updated_at = now()
   WHERE id = p_draft_id
  RETURNING last_seq INTO v_seq;
  IF v_seq IS NULL THEN
    RAISE EXCEPTION 'unknown draft %', p_draft_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  INSERT INTO draft_outbox (event_id, draft_id, seq, event_type, payload)
  VALUES (p_event_id, p_draft_id, v_seq, p_event_type, p_payload);
  RETURN v_seq;
END;
$$;
