-- Version 7: the `cancelled` recipient state, and scheduled starts.
--
-- LOUD WARNING: state names and schedule statuses are persisted identifiers (reports, dashboards,
-- the public API): add values, never rename them.

-- `cancelled` joins the monotonic order just above `pending` (src/domain/recipient-state.ts has the
-- why): a cancel replaces only `pending`; any fact that the message went, an unknown call, a failure
-- or a skip replaces `cancelled`. The ranks are compared, never stored, so renumbering is safe.
CREATE OR REPLACE FUNCTION wab_state_rank(state text) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE state
    WHEN 'pending' THEN 0
    WHEN 'cancelled' THEN 1
    WHEN 'unknown' THEN 2
    WHEN 'accepted' THEN 3
    WHEN 'sent' THEN 4
    WHEN 'failed' THEN 5
    WHEN 'delivered' THEN 6
    WHEN 'read' THEN 7
  END
$$;

-- The merge rule of mergeState (src/domain/recipient-state.ts); the store test suite checks both
-- against every (current, incoming, source) case.
CREATE OR REPLACE FUNCTION wab_merge_state(current_state text, incoming text, source text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN current_state IS NULL THEN incoming
    WHEN incoming = 'skipped'
      THEN CASE WHEN current_state IN ('pending', 'cancelled') THEN 'skipped' ELSE current_state END
    WHEN current_state = 'skipped' THEN current_state
    WHEN incoming = 'failed' AND source = 'send-result'
      THEN CASE WHEN current_state IN ('pending', 'unknown', 'cancelled') THEN 'failed' ELSE current_state END
    WHEN wab_state_rank(incoming) > wab_state_rank(current_state) THEN incoming
    ELSE current_state
  END
$$;

-- The counter of the new state, maintained like the others (same transaction as the rows).
ALTER TABLE broadcasts ADD COLUMN IF NOT EXISTS n_cancelled integer NOT NULL DEFAULT 0;

-- Scheduled starts (POST /v1/broadcasts/{id}/start with `startAt`). One row per broadcast. The row
-- is the durable truth across gateway restarts; gateway replicas claim due rows with a conditional
-- UPDATE (… FOR UPDATE SKIP LOCKED), so exactly one of them starts a broadcast; a claim is a lease
-- (claimed_until): a claimer that died is replaced once it runs out. Statuses:
--   scheduled → claimed → started | failed (the start was refused: code and message kept)
--   scheduled → unscheduled (DELETE …/schedule: back to a draft) | cancelled (POST …/cancel: final)
-- `now()` of this database is the one clock every replica agrees on.
CREATE TABLE IF NOT EXISTS broadcast_schedules (
  tenant_id       text        NOT NULL,
  broadcast_id    text        NOT NULL,
  start_at        timestamptz NOT NULL,
  status          text        NOT NULL CHECK (status IN ('scheduled', 'claimed', 'started', 'failed', 'unscheduled', 'cancelled')),
  claim_token     text,
  claimed_until   timestamptz,
  attempts        integer     NOT NULL DEFAULT 0,
  failure_code    text,
  failure_message text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, broadcast_id)
);
-- The claimers' scan: due or expired rows only, oldest first.
CREATE INDEX IF NOT EXISTS broadcast_schedules_due ON broadcast_schedules (start_at)
  WHERE status IN ('scheduled', 'claimed');
