-- Where each rating was given: 'phone' (the citizen's own) or 'counter' (the counter's
-- tablet, signed in as its clerk). A phone rating replaces the tablet's, so the ticket and
-- its visit hold the rating that counts and its source; the log keeps both events.
-- Ratings from before the log said where keep NULL: they count as they always did.
ALTER TABLE tickets ADD COLUMN rating_source TEXT;
ALTER TABLE stat_visits ADD COLUMN rating_source TEXT;
-- 1 when the citizen's phone rating replaced the tablet's.
ALTER TABLE stat_visits ADD COLUMN rating_replaced INTEGER NOT NULL DEFAULT 0;

UPDATE tickets SET rating_source = (
    SELECT json_extract(data, '$.channel') FROM events
    WHERE events.ticket_id = tickets.id AND kind = 'rated'
    ORDER BY seq DESC LIMIT 1)
WHERE rating IS NOT NULL;

UPDATE stat_visits SET rating_source = (
    SELECT json_extract(data, '$.channel') FROM events
    WHERE events.ticket_id = stat_visits.ticket_id AND kind = 'rated'
    ORDER BY seq DESC LIMIT 1)
WHERE rating IS NOT NULL;

-- The counter tablet rates only the ticket its counter finished last: one step down here.
CREATE INDEX tickets_served_at_counter ON tickets (counter_no, finished_at)
    WHERE status = 'served';
