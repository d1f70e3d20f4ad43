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
