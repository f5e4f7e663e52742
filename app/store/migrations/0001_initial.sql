-- Tsunagu schema 1: agency, staff, master data, person, case, intake, journal, audit, drafts.
-- Every synced row carries: id (uuid), rev, hlc (hybrid logical clock), updated_by, device_id.

CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    id TEXT NOT NULL UNIQUE, rev INTEGER NOT NULL, hlc TEXT NOT NULL,
    updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);

-- Local to this installation: never synced.
CREATE TABLE local (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE device (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('desk', 'field')),
    created_at TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);

CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);

CREATE TABLE referral_source (
    id TEXT PRIMARY KEY,
    route TEXT NOT NULL,
    grp TEXT NOT NULL,
    name TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    sort INTEGER NOT NULL DEFAULT 0,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);

CREATE TABLE person (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kana TEXT NOT NULL DEFAULT '',
    birth_date TEXT,
    sex TEXT NOT NULL DEFAULT 'unknown',
    postal_code TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    phone_home TEXT NOT NULL DEFAULT '',
    phone_mobile TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    sensitive INTEGER NOT NULL DEFAULT 0,
    name_fold TEXT NOT NULL,
    kana_fold TEXT NOT NULL,
    search_key TEXT NOT NULL,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX person_name_fold ON person (name_fold);
CREATE INDEX person_kana_fold ON person (kana_fold);
CREATE INDEX person_identity ON person (name_fold, birth_date);

-- Trigram index of the folded name and reading, for queries of 3 characters or more.
CREATE VIRTUAL TABLE person_fts USING fts5 (
    search_key, content='person', content_rowid='rowid', tokenize='trigram'
);
CREATE TRIGGER person_fts_ai AFTER INSERT ON person BEGIN
    INSERT INTO person_fts (rowid, search_key) VALUES (new.rowid, new.search_key);
END;
CREATE TRIGGER person_fts_ad AFTER DELETE ON person BEGIN
    INSERT INTO person_fts (person_fts, rowid, search_key) VALUES ('delete', old.rowid, old.search_key);
END;
CREATE TRIGGER person_fts_au AFTER UPDATE OF search_key ON person BEGIN
    INSERT INTO person_fts (person_fts, rowid, search_key) VALUES ('delete', old.rowid, old.search_key);
    INSERT INTO person_fts (rowid, search_key) VALUES (new.rowid, new.search_key);
END;

CREATE TABLE case_file (
    id TEXT PRIMARY KEY,
    case_no TEXT NOT NULL UNIQUE,
    person_id TEXT NOT NULL REFERENCES person (id),
    fiscal_year INTEGER NOT NULL,
    stage TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    closed_on TEXT,
    assignee_id TEXT REFERENCES staff (id),
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX case_person ON case_file (person_id);
CREATE INDEX case_opened ON case_file (opened_on);
CREATE INDEX case_stage ON case_file (stage);

CREATE TABLE intake (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES case_file (id),
    received_on TEXT NOT NULL,
    received_by TEXT NOT NULL DEFAULT '',
    route TEXT NOT NULL,
    referral_source TEXT NOT NULL DEFAULT '',
    topics TEXT NOT NULL DEFAULT '[]',
    main_topic TEXT NOT NULL DEFAULT '',
    topic_other TEXT NOT NULL DEFAULT '',
    consultation TEXT NOT NULL DEFAULT '',
    hopes TEXT NOT NULL DEFAULT '',
    visitor TEXT,
    work_status TEXT NOT NULL DEFAULT '',
    housing_status TEXT NOT NULL DEFAULT '',
    health_insurance TEXT NOT NULL DEFAULT '',
    pension TEXT NOT NULL DEFAULT '',
    triage TEXT NOT NULL,
    referral_to TEXT NOT NULL DEFAULT '',
    accompanied INTEGER NOT NULL DEFAULT 0,
    check_on TEXT,
    emergency_needed INTEGER NOT NULL DEFAULT 0,
    emergency_actions TEXT NOT NULL DEFAULT '[]',
    emergency_note TEXT NOT NULL DEFAULT '',
    consent INTEGER,
    consent_on TEXT,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX intake_case ON intake (case_id);
CREATE INDEX intake_received ON intake (received_on);

-- Case numbers: the next sequence per fiscal year (and device prefix, for field devices).
CREATE TABLE case_counter (
    fiscal_year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

-- The change journal: one entry per row write, in the same transaction as the write.
CREATE TABLE journal (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    tbl TEXT NOT NULL,
    row_id TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    fields TEXT NOT NULL,
    base_rev INTEGER NOT NULL,
    rev INTEGER NOT NULL,
    hlc TEXT NOT NULL,
    user_id TEXT NOT NULL,
    device_id TEXT NOT NULL
);
CREATE INDEX journal_row ON journal (tbl, row_id);

-- The audit log: who viewed, printed, exported or changed what; hash-chained.
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id TEXT NOT NULL,
    login TEXT NOT NULL,
    device_id TEXT NOT NULL,
    action TEXT NOT NULL,
    case_id TEXT,
    detail TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_case ON audit (case_id);

-- Wizard drafts, saved as the user types (local, encrypted with everything else).
CREATE TABLE draft (
    key TEXT NOT NULL,
    user_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);
