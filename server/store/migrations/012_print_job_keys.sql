-- Print jobs get an identity of their own, random and never reused. A restored or
-- reinstalled hall numbers its jobs again from where its database stands, so an agent that
-- remembered job 3 as printed must not take the new job 3 for it. The hall's own identity
-- (random, made once with its database) tells an agent whose jobs it is remembering.
ALTER TABLE print_jobs ADD COLUMN job_key TEXT;
UPDATE print_jobs SET job_key = lower(hex(randomblob(16))) WHERE job_key IS NULL;
CREATE UNIQUE INDEX print_jobs_key ON print_jobs (job_key);
-- Open jobs by age, for the sweep that fails the ones nobody will print.
CREATE INDEX print_jobs_open_by_age ON print_jobs (created_at) WHERE status IN ('queued', 'sent');

CREATE TABLE hall_identity (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    id  TEXT NOT NULL
);
INSERT INTO hall_identity (one, id) VALUES (1, lower(hex(randomblob(8))));
