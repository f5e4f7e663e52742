-- Tsunagu schema 4: devices, 持ち出し (check-out of cases to a field laptop), transfer
-- bundles and merge conflicts (DESIGN.md, Sync).

-- Each installation has a short code; cases numbered on it carry the code
-- (2026-F1-0001), so two devices numbering offline never collide.
ALTER TABLE device ADD COLUMN code TEXT NOT NULL DEFAULT '';

-- 持ち出し: a case checked out to a field laptop; returned_on set by the check-in.
CREATE TABLE checkout (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES case_file (id),
    target_device TEXT NOT NULL,
    out_on TEXT NOT NULL,
    returned_on TEXT,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX checkout_case ON checkout (case_id);
CREATE INDEX checkout_device ON checkout (target_device);

-- Causal context of each journal entry: {origin device: highest hlc of an entry of the same
-- row that the writing device held when it wrote this one}. Written by the trigger below
-- for local writes; imported entries bring theirs (inserted before the entry, so the
-- trigger skips them). Two writes of one field are concurrent when neither saw the other.
CREATE TABLE sync_context (entry_id TEXT PRIMARY KEY, ctx TEXT NOT NULL);
CREATE TRIGGER journal_context AFTER INSERT ON journal
WHEN NOT EXISTS (SELECT 1 FROM sync_context WHERE entry_id = NEW.id)
BEGIN
    INSERT INTO sync_context (entry_id, ctx)
    SELECT NEW.id, COALESCE(json_group_object(device_id, mh), '{}') FROM (
        SELECT device_id, max(hlc) AS mh FROM journal
        WHERE tbl = NEW.tbl AND row_id = NEW.row_id AND seq < NEW.seq GROUP BY device_id);
END;

-- What each peer is known to hold ({origin device: hlc}), learned from its bundles; and
-- this installation's own complete vector (peer = own device id). Local, never synced.
CREATE TABLE sync_peer (
    peer TEXT PRIMARY KEY,
    vector TEXT NOT NULL DEFAULT '{}',
    last_import TEXT,
    last_export TEXT
);

-- Conflicts, derived from the journal the same way on every device: a value (loser) that
-- lost to a concurrent write (winner) of the same field; kind 'delete' = an edit kept
-- against a concurrent deletion; kind 'rule' = a process rule broken by a merge (two
-- approved plans). Open until a later write saw both sides (resolve_conflict).
CREATE TABLE sync_conflict (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('field', 'delete', 'rule')),
    tbl TEXT NOT NULL,
    row_id TEXT NOT NULL,
    field TEXT NOT NULL,
    case_id TEXT,
    loser_entry TEXT NOT NULL,
    loser_value TEXT,
    loser_user TEXT NOT NULL,
    loser_device TEXT NOT NULL,
    loser_hlc TEXT NOT NULL,
    winner_entry TEXT NOT NULL,
    winner_value TEXT,
    winner_user TEXT NOT NULL,
    winner_device TEXT NOT NULL,
    winner_hlc TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sync_conflict_row ON sync_conflict (tbl, row_id);
CREATE INDEX sync_conflict_case ON sync_conflict (case_id);
