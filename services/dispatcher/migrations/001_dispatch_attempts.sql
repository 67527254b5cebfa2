-- The dispatcher's durable attempt record: one row per recipient request (recipientId), consulted
-- before every Cloud API call so that no replay (crash, rebalance, broker restart, redelivery) ever
-- messages a recipient twice. Protocol: src/attempts.service.ts. Persisted identifiers: renaming
-- the table or a state strands the record of sends already made.
CREATE TABLE IF NOT EXISTS dispatch_attempts (
  recipient_id text PRIMARY KEY,
  broadcast_id text NOT NULL,
  -- sending:  claimed, a call may be in flight (or the replica died during it): never call again
  -- released: the last call was refused by Meta or never left (safe to claim again)
  -- accepted / failed / unknown: final; `outcome` holds the send-result outcome to re-publish
  state text NOT NULL CHECK (state IN ('sending', 'released', 'accepted', 'failed', 'unknown')),
  claims integer NOT NULL DEFAULT 1,
  outcome jsonb,
  owner text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS dispatch_attempts_broadcast ON dispatch_attempts (broadcast_id);
-- Retention sweeps (old finished broadcasts) scan by age.
CREATE INDEX IF NOT EXISTS dispatch_attempts_updated ON dispatch_attempts (updated_at);
