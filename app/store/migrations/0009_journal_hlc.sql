-- Schema 9: the newest journal stamp is read at every open (Store.__init__: the clock
-- continues after it). Without an index that is a scan of the whole journal: 1.9 s of the
-- 2.2 s unlock at 100,000 cases (tests/bench/run.py). The bundle's ORDER BY hlc, id uses it too.
CREATE INDEX IF NOT EXISTS journal_hlc ON journal (hlc, id);
