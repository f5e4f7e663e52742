-- Schema 13: the statistics read narrow indexes instead of the records (issue 8). A fiscal
-- year at 100,000 cases read the route, triage and referral source of every intake of the
-- year, the result of every screening, the kind and meeting result of every plan …
-- from the rows themselves (an intake row is wide: its texts), more pages than the page
-- cache holds: each report decrypted them again (encrypted/plain 1.40, tests/bench/run.py).
-- Each index below holds what its counting rule (app/store/stats_repo.py) reads, and
-- replaces the index on the date alone (its first column).
CREATE INDEX IF NOT EXISTS intake_received_stats
    ON intake (received_on, triage, route, referral_source, case_id);
DROP INDEX IF EXISTS intake_received;
CREATE INDEX IF NOT EXISTS screening_screened_stats ON screening (screened_on, result, case_id);
DROP INDEX IF EXISTS screening_screened;
CREATE INDEX IF NOT EXISTS plan_approved_stats
    ON plan (approved_on, meeting_result, kind, case_id, id);
DROP INDEX IF EXISTS plan_approved;
CREATE INDEX IF NOT EXISTS evaluation_employed_stats ON evaluation (employed_on, status, case_id)
    WHERE employed_on IS NOT NULL;
DROP INDEX IF EXISTS evaluation_employed;
CREATE INDEX IF NOT EXISTS evaluation_income_stats
    ON evaluation (income_increased_on, status, case_id) WHERE income_increased_on IS NOT NULL;
DROP INDEX IF EXISTS evaluation_income;
CREATE INDEX IF NOT EXISTS closure_confirmed_stats
    ON closure (confirmed_on, status, pattern, case_id);
DROP INDEX IF EXISTS closure_confirmed;
CREATE INDEX IF NOT EXISTS decision_decided_stats
    ON decision (decided_on, result, plan_id, service_key);
DROP INDEX IF EXISTS decision_decided;
