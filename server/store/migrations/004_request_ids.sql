-- A kiosk that retries a request whose answer was lost sends the same request id again:
-- it gets the ticket it already has, never a second number.
ALTER TABLE tickets ADD COLUMN request_id TEXT;
CREATE UNIQUE INDEX tickets_by_request ON tickets (request_id) WHERE request_id IS NOT NULL;
