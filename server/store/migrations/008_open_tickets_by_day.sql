-- Before every batch of commands the writer looks for tickets a previous day left open.
-- Only open tickets are in this index, so the look is one step when there are none (by the
-- other indexes it would read the day of every waiting ticket, before every command).
CREATE INDEX tickets_open_by_day ON tickets (local_day)
    WHERE status IN ('waiting', 'called', 'serving');
