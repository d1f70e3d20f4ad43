-- The audit list: the log's changes of set-up, newest first, one index step a page.
CREATE INDEX events_audited ON events(seq) WHERE kind = 'audited';

-- Settings changed on the admin pages: one row a section (`hall`, `services`, ...), its
-- value as the settings file's section would hold it, as JSON. A section here wins over the
-- settings file's.
CREATE TABLE settings (
    section    TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    changed_at INTEGER NOT NULL,
    changed_by TEXT NOT NULL
);
