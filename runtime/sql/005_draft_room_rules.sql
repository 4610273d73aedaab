-- Draft-room rules: per-team pick queues, who made each pick and how an
-- autopick chose, and the PickUndone event. See docs/orchestrator.md.

-- A team's queue: the players it wants, in order. Private to the team (never
-- written to the outbox). A drafted player leaves every queue of the draft.
CREATE TABLE team_queues (
  draft_id  uuid NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
  team_id   uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  position  integer NOT NULL CHECK (position BETWEEN 1 AND 50),
  player_id uuid NOT NULL REFERENCES players (id),
  PRIMARY KEY (team_id, position),
  UNIQUE (team_id, player_id)
);

CREATE INDEX team_queues_player ON team_queues (draft_id, player_id);

-- `picked_by`: the token subject that made the pick (NULL for an autopick);
-- `autopick_source`: where an autopick took its player from.
ALTER TABLE picks
  ADD COLUMN picked_by text,
  ADD COLUMN autopick_source text CHECK (autopick_source IN ('queue', 'rank'));
-- Autopicks before queues existed all took the best rank.
UPDATE picks SET autopick_source = 'rank' WHERE auto_picked;
ALTER TABLE picks ADD CONSTRAINT picks_autopick_source
  CHECK ((autopick_source IS NOT NULL) = auto_picked);

ALTER TABLE draft_outbox DROP CONSTRAINT draft_outbox_event_type_check;
ALTER TABLE draft_outbox ADD CONSTRAINT draft_outbox_event_type_check
  CHECK (event_type IN ('PickMade', 'PickStarted', 'DraftStarted', 'DraftPaused',
                        'DraftResumed', 'DraftCompleted', 'PickUndone'));
