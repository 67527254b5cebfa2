-- Resend waves (issue 8) and UNKNOWN_POLICY=resend (issue 6). A wave is a broadcast of its own (new
-- id: new recipient ids, callback data and dispatcher attempt records) whose `parent_broadcast_id`
-- names the ORIGINAL broadcast (every wave points at the first one, not at the previous wave) and
-- whose recipients keep the original's row numbers. See src/domain/resend-eligibility.ts.
-- LOUD WARNING: persisted; add columns, never rename.

-- 1 (or NULL) for an original broadcast, 2 for the first resend, ...
ALTER TABLE broadcasts ADD COLUMN IF NOT EXISTS wave_number integer;
-- Rows selected into this wave when it was created.
ALTER TABLE broadcasts ADD COLUMN IF NOT EXISTS wave_selected integer;
-- `operator` (POST .../resend) or `unknown-policy` (the unknown-window sweep).
ALTER TABLE broadcasts ADD COLUMN IF NOT EXISTS wave_origin text;
-- The waves of an original, in order; one wave number once (two concurrent resends: one wins).
CREATE UNIQUE INDEX IF NOT EXISTS broadcasts_waves
  ON broadcasts (tenant_id, parent_broadcast_id, wave_number)
  WHERE parent_broadcast_id IS NOT NULL AND wave_number IS NOT NULL;

-- The row selection of each wave, stored so that csv-splitter can read it (keyset by row number) and
-- split only those rows of the original's CSV object.
CREATE TABLE IF NOT EXISTS wave_rows (
  tenant_id         text    NOT NULL,
  broadcast_id      text    NOT NULL,  -- the wave
  row_number        integer NOT NULL,  -- the original's row number
  from_broadcast_id text    NOT NULL,  -- the broadcast (original or wave) whose outcome made it eligible
  from_state        text    NOT NULL,  -- failed | unknown
  from_error_code   text,
  PRIMARY KEY (tenant_id, broadcast_id, row_number)
);
-- UNKNOWN_POLICY=resend: "was this unknown outcome resent already?" by the row it came from.
CREATE INDEX IF NOT EXISTS wave_rows_from ON wave_rows (tenant_id, from_broadcast_id, row_number);
