-- Schema 8: indexes for per-case reads that scanned whole tables (found at 100,000 cases by
-- tests/bench/run.py with EXPLAIN QUERY PLAN): the monitoring count of the plan in effect
-- (read by every process step), and the 支援決定, サービス開始 and プランの修正 of a case
-- (the case view's timeline).
CREATE INDEX IF NOT EXISTS monitoring_plan ON monitoring (plan_id);
CREATE INDEX IF NOT EXISTS decision_case ON decision (case_id);
CREATE INDEX IF NOT EXISTS service_start_case ON service_start (case_id);
CREATE INDEX IF NOT EXISTS plan_amendment_case ON plan_amendment (case_id);
