-- Revocation: a device's token can be revoked and a member of staff disabled, without
-- deleting the rows the event log and the figures point to. A device's last sign of life
-- (its time and client address) is kept too, written at most once a minute.

ALTER TABLE devices ADD COLUMN revoked_at INTEGER;
ALTER TABLE devices ADD COLUMN last_seen_at INTEGER;
ALTER TABLE devices ADD COLUMN last_seen_addr TEXT;
ALTER TABLE users ADD COLUMN disabled_at INTEGER;
