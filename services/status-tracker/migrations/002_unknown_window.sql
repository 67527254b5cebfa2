-- The unknown-outcome window (UNKNOWN_RECONCILE_SECONDS): the sweep finds recipients still
-- `unknown` past the window without scanning the table.
CREATE INDEX IF NOT EXISTS recipients_unknown ON recipients (updated_at) WHERE state = 'unknown';
