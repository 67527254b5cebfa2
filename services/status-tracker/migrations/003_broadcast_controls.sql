-- Operator controls of a broadcast (broadcast.control on broadcast-control): the state shown on top of
-- the computed one (`paused`, `cancelled`). One row per broadcast; the newest event wins, except that
-- a cancel is final. LOUD WARNING: persisted; add columns, never rename.
CREATE TABLE IF NOT EXISTS broadcast_controls (
  tenant_id text NOT NULL,
  broadcast_id text NOT NULL,
  control text NOT NULL CHECK (control IN ('running', 'paused', 'cancelled')),
  reason text,
  event_id text NOT NULL,
  occurred_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, broadcast_id)
);
