-- End-to-end tracing: each outbox row keeps the W3C trace context of the
-- command that wrote it (docs/operations.md). The relay sends it on as a
-- `traceparent` header; the gateway logs it.

ALTER TABLE draft_outbox ADD COLUMN traceparent text
  CHECK (traceparent ~ '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$');

-- draft_append_event gains an optional trace context; callers of the four
-- arguments form keep working (one function, a default, no overload).
DROP FUNCTION draft_append_event(uuid, uuid, text, jsonb);

CREATE FUNCTION draft_append_event(p_draft_id uuid, p_event_id uuid,
                                   p_event_type text, p_payload jsonb,
                                   p_traceparent text DEFAULT NULL)
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
  INSERT INTO draft_outbox (event_id, draft_id, seq, event_type, payload, traceparent)
  VALUES (p_event_id, p_draft_id, v_seq, p_event_type, p_payload, p_traceparent);
  RETURN v_seq;
END;
$$;
