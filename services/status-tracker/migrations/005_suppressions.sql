-- The per-tenant suppression (opt-out) list: recipients who asked not to be messaged. Fed by inbound
-- "STOP" replies and user_preferences webhooks (attributed to every tenant that sends from the
-- receiving phone_number_id) and by operators through the API; the compose stage of csv-splitter
-- skips these numbers with reason `opted-out`. One row per (tenant, E.164 number): the first reason
-- recorded stays until the row is deleted.
-- LOUD WARNING: persisted; the reason codes are public identifiers (API, exports): add, never rename.
CREATE TABLE IF NOT EXISTS suppressions (
  tenant_id       text        NOT NULL,
  phone           text        NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{4,16}$'),
  reason          text        NOT NULL CHECK (reason IN ('stop-reply', 'user-preferences', 'api')),
  -- Where it came from: the keyword or Meta's detail text, or the operator's note.
  detail          text,
  -- Webhook opt-outs: the business number that received it, and the inbound message id (wamid).
  phone_number_id text,
  message_id      text,
  -- When the user opted out (Meta's timestamp), or when the API call added it.
  opted_out_at    timestamptz NOT NULL DEFAULT now(),
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, phone)
);

-- Webhooks carry the business phone_number_id but no tenant: the tenants that send from it.
CREATE INDEX IF NOT EXISTS broadcasts_phone_number_id ON broadcasts (phone_number_id, tenant_id);
