-- Broadcasts the gateway could not deliver (seed §8 "dead letter queue for
-- failed broadcasts"), e.g. a client closed as a slow consumer. The client
-- resumes with last_seq; the row is for operators.
CREATE TABLE broadcast_dead_letters (
  id            bigserial PRIMARY KEY,
  draft_id      uuid NOT NULL,
  connection_id text NOT NULL,
  user_subject  text NOT NULL,
  seq           bigint NOT NULL,
  reason        text NOT NULL,
  node          text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX broadcast_dead_letters_draft ON broadcast_dead_letters (draft_id, created_at);
