-- Tracing (OpenTelemetry): the W3C traceparent of the recipient's send result, so that its status
-- webhooks (Meta sends no trace context) are recorded as spans of the recipient's trace. Only written
-- while tracing is enabled; NULL otherwise. LOUD WARNING: persisted; add columns, never rename.
ALTER TABLE recipients ADD COLUMN IF NOT EXISTS traceparent text;
