-- Schema 18: the dashboard's lists read from indexes alone (issue 17). At 100,000 cases the
-- counts of 「本日モニタリング」 and 「評価の時期」 read one case or plan row per match from the
-- tables — thousands of scattered pages, each decrypted, on the first refresh after login
-- (the OS and SQLite caches cold): 2.9–3.3 s for the whole dashboard, now 1.8 s (warm 0.56 →
-- 0.47 s; figures in README 性能).
-- case_due: monitoring today / overdue, counted and listed in order (case_no) from the index.
CREATE INDEX IF NOT EXISTS case_due ON case_file (next_monitoring_on, case_no, stage);
DROP INDEX IF EXISTS case_next_monitoring;
-- plan_due_case: plans by status and end of period with what the lists show.
CREATE INDEX IF NOT EXISTS plan_due_case ON plan (status, period_to, id, case_id, number, kind);
DROP INDEX IF EXISTS plan_due;
-- closure_case_status: 「終結の提案中」 of a case from the index.
CREATE INDEX IF NOT EXISTS closure_case_status ON closure (case_id, status);
DROP INDEX IF EXISTS closure_case;
