-- Pairing a device by a short code on its own screen. A row lives at most ten minutes (and
-- ten more once an admin accepted it, for the device to fetch its token), then is swept.
-- The device's secret is kept only as a hash; the device's token is made when the device
-- asks for it with that secret, and kept only as a hash, like every token.
CREATE TABLE pairings (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    addr TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    device_id INTEGER REFERENCES devices(id)
);
CREATE INDEX pairings_by_code ON pairings (code);

-- Wrong codes an admin typed, counted over ten minutes.
CREATE TABLE pairing_misses (at INTEGER NOT NULL);

-- A counter's rating tablet is a kind of device, bound to its counter (and the counter a
-- tablet asked for, while its pairing waits). The kind's CHECK is part of the table, so the
-- table is made again (SQLite's way: a new table, the rows copied, the old one dropped and
-- the new one renamed; the migrations run with foreign keys off, and checked before commit).
CREATE TABLE devices_new (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL CHECK (kind IN ('kiosk', 'display', 'printer', 'tablet')),
    token_hash     TEXT NOT NULL UNIQUE,
    created_at     INTEGER NOT NULL,
    kiosk_id       INTEGER REFERENCES devices (id),
    revoked_at     INTEGER,
    last_seen_at   INTEGER,
    last_seen_addr TEXT,
    counter_no     INTEGER
);
INSERT INTO devices_new (id, name, kind, token_hash, created_at, kiosk_id, revoked_at,
                         last_seen_at, last_seen_addr)
    SELECT id, name, kind, token_hash, created_at, kiosk_id, revoked_at, last_seen_at,
           last_seen_addr FROM devices;
DROP TABLE devices;
ALTER TABLE devices_new RENAME TO devices;

ALTER TABLE pairings ADD COLUMN counter_no INTEGER;
