-- Schema 20: 「支援中」 (active at a month's end) read from one index (issue 17 points 1 and 5).
-- The statistics found the cases 支援中 at a date by walking every case's decisions (intake
-- triage, スクリーニング, take-backs) in order — at 100,000 cases 0.4 s for one month and
-- 0.9 s for a fiscal year, most of it on cases that ended years ago. Each case now keeps
-- when it is 支援中 (derived from its records like stage: app/derived.py support_span):
-- support_from / support_until of its one stretch ('' and '' never; support_from NULL when
-- it has several stretches, whose decisions the statistics then read again). The values are
-- written by the upgrade's data step (app/upgrades.py), then by every process step and merge.
ALTER TABLE case_file ADD COLUMN support_from TEXT;
ALTER TABLE case_file ADD COLUMN support_until TEXT;
CREATE INDEX IF NOT EXISTS case_support ON case_file (support_until, support_from, person_id, id);
