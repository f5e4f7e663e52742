-- Schema 21: what the statistics read of intakes, of a person's cases and of their plans, from
-- indexes (issue 17 points 1 and 5). At 100,000 cases a fiscal year's counts read, the
-- first time after opening, 0.63 s instead of 0.14 s: rows read for one column each —
-- every intake of the year for new_case_reason (schema 15, not in intake_received_stats),
-- the cases of the person and their plans for 「就労支援対象者のうち」 — wide rows on
-- scattered pages, each page decrypted; and the case of every counted plan or outcome,
-- for its person.
CREATE INDEX IF NOT EXISTS intake_received_cover
    ON intake (received_on, new_case_reason, triage, route, referral_source, case_id);
DROP INDEX IF EXISTS intake_received_stats;
-- a case's person (named by the statistics: INDEXED BY, app/store/stats_repo.py)
CREATE INDEX IF NOT EXISTS case_person_of ON case_file (id, person_id);
-- a person's cases (「就労支援対象者のうち」, the person's other cases)
CREATE INDEX IF NOT EXISTS case_person_cases ON case_file (person_id, id);
DROP INDEX IF EXISTS case_person;
-- a case's plans as the 支援調整会議 approved them
CREATE INDEX IF NOT EXISTS plan_case_approved
    ON plan (case_id, approved_on, meeting_result, employment_at_approval, id);
