-- Schema 12: the dashboard lists the first emergency supports awaiting their procedure in
-- the order they were done, straight from this index (at 100,000 cases 3,500 of them were
-- read and sorted for each refresh). It replaces the index on procedure alone.
CREATE INDEX IF NOT EXISTS emergency_pending_done ON emergency_support (procedure, done_on);
DROP INDEX IF EXISTS emergency_pending;
