-- The collector shares the hall's sign-in (motcua_store::accounts), which refuses a
-- disabled member of staff: its users need the same column.

ALTER TABLE users ADD COLUMN disabled_at INTEGER;
