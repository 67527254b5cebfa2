-- status-tracker schema, version 1. Runs unchanged on PostgreSQL (15+) and on PGlite: one dialect.
-- Migrations are applied in file-name order at boot and recorded in schema_migrations; never edit a
-- migration that has shipped, add the next one.
--
-- LOUD WARNING: state names, skip reasons and error codes stored here are persisted identifiers
-- (reports, dashboards, the public API): add values, never rename them.

-- Monotonic rank of a recipient state; see src/domain/recipient-state.ts for the why.
-- skipped sits outside the order (NULL).
CREATE FUNCTION wab_state_rank(state text) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE state
    WHEN 'pending' THEN 0
    WHEN 'unknown' THEN 1
    WHEN 'accepted' THEN 2
    WHEN 'sent' THEN 3
    WHEN 'failed' THEN 4
    WHEN 'delivered' THEN 5
    WHEN 'read' THEN 6
  END
$$;

-- The merge rule of src/domain/recipient-state.ts (mergeState), in SQL so that a whole batch is one
-- statement. The store test suite checks both against the same table of cases.
CREATE FUNCTION wab_merge_state(current_state text, incoming text, source text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN current_state IS NULL THEN incoming
    WHEN incoming = 'skipped' THEN CASE WHEN current_state = 'pending' THEN 'skipped' ELSE current_state END
    WHEN current_state = 'skipped' THEN current_state
    WHEN incoming = 'failed' AND source = 'send-result'
      THEN CASE WHEN current_state IN ('pending', 'unknown') THEN 'failed' ELSE current_state END
    WHEN wab_state_rank(incoming) > wab_state_rank(current_state) THEN incoming
    ELSE current_state
  END
$$;

-- One row per broadcast and tenant. `state` stores the lifecycle (created → splitting → sending, or
-- failed); `completed` is written by the completion check from the counters, which are maintained in
-- the same transaction as every recipient write (n_* = recipients per state, so progress is O(1)
-- whatever the broadcast size).
CREATE TABLE broadcasts (
  tenant_id          text        NOT NULL,
  id                 text        NOT NULL,
  name               text,
  state              text        NOT NULL DEFAULT 'created',
  failure_reason     text,
  failure_message    text,
  source             text,
  phone_number_id    text,
  template           jsonb,
  mapping            jsonb,
  default_country    text,
  object             jsonb,
  parent_broadcast_id text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  started_at         timestamptz,
  split_completed_at timestamptz,
  completed_at       timestamptz,
  total_rows         integer,
  recipients         integer,
  skipped_rows       integer,
  n_pending          integer     NOT NULL DEFAULT 0,
  n_accepted         integer     NOT NULL DEFAULT 0,
  n_sent             integer     NOT NULL DEFAULT 0,
  n_delivered        integer     NOT NULL DEFAULT 0,
  n_read             integer     NOT NULL DEFAULT 0,
  n_failed           integer     NOT NULL DEFAULT 0,
  n_skipped          integer     NOT NULL DEFAULT 0,
  n_unknown          integer     NOT NULL DEFAULT 0,
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
-- The tenant's listing, newest first, keyset-paged.
CREATE INDEX broadcasts_tenant_created ON broadcasts (tenant_id, created_at DESC, id DESC);
-- Webhooks carry no tenant: the callback data's broadcast id finds it.
CREATE INDEX broadcasts_id ON broadcasts (id);

-- One row per CSV row of a broadcast: recipients (pending → outcome) and skipped rows alike, so that
-- the report is one ordered scan. Keyed by (tenant, broadcast, row number): every writer upserts on it,
-- which makes re-delivered events and re-splits harmless.
CREATE TABLE recipients (
  tenant_id    text        NOT NULL,
  broadcast_id text        NOT NULL,
  row_number   integer     NOT NULL,
  phone        text,
  e164         text,
  state        text        NOT NULL,
  wamid        text,
  -- failed: Meta's error code and title (+ details); skipped: the skip reason and message;
  -- unknown: why the outcome is unknown. A failure reported after delivery is recorded here too.
  error_code   text,
  error_reason text,
  -- First time the recipient left `pending` for a send outcome: the progress rate is measured on it.
  terminal_at  timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, broadcast_id, row_number)
);
-- Webhook correlation by callback data (no tenant in it) and, as a fallback, by wamid.
CREATE INDEX recipients_broadcast_row ON recipients (broadcast_id, row_number);
CREATE INDEX recipients_wamid ON recipients (wamid) WHERE wamid IS NOT NULL;
-- Recipients listing filtered by state, keyset-paged by row number.
CREATE INDEX recipients_state ON recipients (tenant_id, broadcast_id, state, row_number);
-- Rate over a recent window of terminal transitions.
CREATE INDEX recipients_terminal_at ON recipients (tenant_id, broadcast_id, terminal_at)
  WHERE terminal_at IS NOT NULL;

-- failedByReason / skippedByReason, maintained with the counters (same transaction).
CREATE TABLE broadcast_reason_counts (
  tenant_id    text    NOT NULL,
  broadcast_id text    NOT NULL,
  state        text    NOT NULL,
  code         text    NOT NULL,
  title        text,
  count        integer NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, broadcast_id, state, code)
);
