-- Schema 14: the dashboard's 「支援決定待ち」 reads the approved plans and their services from
-- indexes alone (at 100,000 cases every approved plan's items were read from the tables on
-- each refresh: 57,000 rows for 214 waiting decisions; 170 ms -> 40 ms on the plain copy).
-- plan_status gains the columns the list needs; the partial index holds the live items.
CREATE INDEX IF NOT EXISTS plan_status_case ON plan (status, id, case_id);
DROP INDEX IF EXISTS plan_status;
CREATE INDEX IF NOT EXISTS plan_item_live ON plan_item (plan_id, service_key) WHERE removed = 0;
