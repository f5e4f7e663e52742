-- Schema 23: a search of one or two characters (below what the trigram index finds) read
-- every person's row (issue 17: the case list as typed). At 100,000 cases counting the
-- cases of 「た」 took 0.25 s, 0.9 s the first time after the computer started; listing a
-- rare two characters (「髙子」) walked every case for its person, 0.1 s / 0.5 s. The folded
-- name and kana with the person's id, in an index: the count and the list of a rare match
-- read the index, not the rows (app/store/store.py, INDEXED BY).
CREATE INDEX IF NOT EXISTS person_search ON person (search_key, id);
