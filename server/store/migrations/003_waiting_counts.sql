-- How many wait in each field, kept by triggers in the same transaction as every ticket
-- change, so the live feeds read one small row per field instead of counting the queue on
-- every event.

CREATE TABLE waiting_counts (
    service  TEXT PRIMARY KEY,
    priority INTEGER NOT NULL DEFAULT 0,
    normal   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

INSERT INTO waiting_counts (service, priority, normal)
SELECT service, SUM(priority <> 'none'), SUM(priority = 'none')
FROM tickets WHERE status = 'waiting' GROUP BY service;

CREATE TRIGGER tickets_waiting_on_insert AFTER INSERT ON tickets
WHEN NEW.status = 'waiting'
BEGIN
    INSERT INTO waiting_counts (service, priority, normal)
    VALUES (NEW.service, NEW.priority <> 'none', NEW.priority = 'none')
    ON CONFLICT (service) DO UPDATE SET
        priority = priority + excluded.priority,
        normal = normal + excluded.normal;
END;

CREATE TRIGGER tickets_waiting_on_update AFTER UPDATE OF status, service ON tickets
WHEN OLD.status = 'waiting' OR NEW.status = 'waiting'
BEGIN
    UPDATE waiting_counts SET
        priority = priority - (OLD.priority <> 'none'),
        normal = normal - (OLD.priority = 'none')
    WHERE OLD.status = 'waiting' AND service = OLD.service;
    INSERT INTO waiting_counts (service, priority, normal)
    SELECT NEW.service, NEW.priority <> 'none', NEW.priority = 'none'
    WHERE NEW.status = 'waiting'
    ON CONFLICT (service) DO UPDATE SET
        priority = priority + excluded.priority,
        normal = normal + excluded.normal;
END;

-- The queue in call order, covering what "people ahead" counts.
DROP INDEX tickets_by_status;
CREATE INDEX tickets_waiting_order ON tickets (status, service, priority, queued_at, id);
-- Recent service times of a field, for the estimate.
CREATE INDEX tickets_recent_service ON tickets (service, status, finished_at);
