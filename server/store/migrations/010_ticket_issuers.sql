-- Who issued each ticket: the kiosk (its device) or the member of staff at a counter, so a
-- manager can cancel at once everything one stolen kiosk token or one clerk issued.
ALTER TABLE tickets ADD COLUMN issued_device INTEGER REFERENCES devices (id);
ALTER TABLE tickets ADD COLUMN issued_user INTEGER REFERENCES users (id);

-- Tickets still waiting from before this release: a kiosk's ticket has its print job,
-- which names the kiosk (one pass over today's jobs, not one per ticket).
UPDATE tickets SET issued_device = jobs.kiosk_id
FROM (
    SELECT ticket_id, MIN(kiosk_id) AS kiosk_id FROM print_jobs
    WHERE ticket_id >= (SELECT COALESCE(MIN(id), 0) FROM tickets WHERE status = 'waiting')
    GROUP BY ticket_id
) AS jobs
WHERE jobs.ticket_id = tickets.id AND tickets.issued_by = 'kiosk' AND tickets.status = 'waiting';
