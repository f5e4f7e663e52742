-- Schema 11: transfer files read the rows of the chosen cases, not the whole journal
-- (issue 8; tests/bench/run.py: a 200-case bundle at 100,000 cases read 1.25 million
-- entries into memory, 20–35 s and 1.9 GB).
-- What each device holds: the entries of one origin newer than a peer's version vector,
-- and the newest stamp of this device (own_vector), without scanning the journal.
CREATE INDEX IF NOT EXISTS journal_device ON journal (device_id, hlc);
-- The rows of a case that are not (or no longer) in their table — deleted, or waiting for
-- their insert — are known only from the link column in their entries (sync_scope.py):
-- the case of a record, the plan of a plan item, the person of a case.
CREATE INDEX IF NOT EXISTS journal_case_ref ON journal (json_extract(fields, '$.case_id'))
    WHERE json_extract(fields, '$.case_id') IS NOT NULL;
CREATE INDEX IF NOT EXISTS journal_plan_ref ON journal (json_extract(fields, '$.plan_id'))
    WHERE json_extract(fields, '$.plan_id') IS NOT NULL;
CREATE INDEX IF NOT EXISTS journal_person_ref ON journal (json_extract(fields, '$.person_id'))
    WHERE json_extract(fields, '$.person_id') IS NOT NULL;
