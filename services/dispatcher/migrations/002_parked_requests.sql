-- Send requests of a paused broadcast (or sender), parked here instead of waiting inside the
-- dispatcher's in-flight window (where they stalled every other broadcast on their partitions and
-- kept the partition's offset from moving). One row per recipient request: a replay parks once.
-- Taken back (DELETE … RETURNING, FOR UPDATE SKIP LOCKED: each row by one replica) and re-published
-- to send-requests when the target is active again or cancelled. Protocol: src/unpark.service.ts.
CREATE TABLE IF NOT EXISTS parked_requests (
  recipient_id text PRIMARY KEY,
  -- The send-requests topic (with its prefix) the request came from and goes back to: only
  -- dispatchers of that topic sweep it (several deployments or test runs may share a database).
  topic text NOT NULL,
  broadcast_id text NOT NULL,
  phone_number_id text NOT NULL,
  -- The whole message.send-requested event, re-published as is (same event id).
  request jsonb NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  parked_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS parked_requests_target
  ON parked_requests (topic, broadcast_id, phone_number_id, seq);
