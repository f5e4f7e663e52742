-- Tsunagu schema 3: privacy and security (issue 5) — teams, 担当 and 協働, hand-overs,
-- consent and disclosure records (PROCESS.md §2 個人情報保護), and the anonymised facts
-- that keep past statistics after a retention purge.
-- Every synced row carries: id (uuid), rev, hlc, updated_by, device_id.

-- A staff member's team (班). 相談支援員 and 就労支援員 see their own cases, the cases they
-- work on together (case_worker), and the cases of their team's members.
ALTER TABLE staff ADD COLUMN team TEXT NOT NULL DEFAULT '';
CREATE INDEX staff_team ON staff (team);
CREATE INDEX case_assignee ON case_file (assignee_id);

-- 協働: staff who work on a case besides its 担当.
CREATE TABLE case_worker (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES case_file (id),
    staff_id TEXT NOT NULL REFERENCES staff (id),
    added_on TEXT NOT NULL,
    removed_on TEXT,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX case_worker_case ON case_worker (case_id);
CREATE INDEX case_worker_staff ON case_worker (staff_id);

-- 引継ぎ: each change of 担当, with its reason (append-only).
CREATE TABLE handover (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES case_file (id),
    handed_on TEXT NOT NULL,
    from_staff_id TEXT,
    to_staff_id TEXT NOT NULL REFERENCES staff (id),
    reason TEXT NOT NULL,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX handover_case ON handover (case_id);

-- 情報提供に関する同意. recipients: JSON list of names, or ["関係機関"] for every agency
-- involved. form: 'written' (書面) or 'oral' (口頭). A withdrawal is honoured from its date.
-- intake_id is set on the row that stands for an intake's consent (有) once it is withdrawn;
-- until then the intake itself is read as that consent.
CREATE TABLE consent (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES case_file (id),
    intake_id TEXT,
    given_on TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '',
    recipients TEXT NOT NULL DEFAULT '[]',
    purpose TEXT NOT NULL DEFAULT '',
    form TEXT NOT NULL CHECK (form IN ('written', 'oral')),
    withdrawn_on TEXT,
    withdrawal_note TEXT NOT NULL DEFAULT '',
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX consent_case ON consent (case_id);

-- 情報提供の記録: every sharing with another body and its basis — 'consent' (本人同意),
-- 'meeting' (支援会議・法第9条) or 'statute' (法令). Append-only.
CREATE TABLE disclosure (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES case_file (id),
    disclosed_on TEXT NOT NULL,
    recipient TEXT NOT NULL,
    scope TEXT NOT NULL,
    basis TEXT NOT NULL CHECK (basis IN ('consent', 'meeting', 'statute')),
    reason TEXT NOT NULL DEFAULT '',
    consent_id TEXT,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX disclosure_case ON disclosure (case_id);

-- Anonymised facts of purged cases (retention): dates and categories only — no name, no
-- birth date, no address, no text, not even the case id or number. Deliberately no column
-- is called case_id: the purge deletes every row of every table that has one.
CREATE TABLE anon_case (
    id TEXT PRIMARY KEY,
    fiscal_year INTEGER NOT NULL,
    opened_on TEXT NOT NULL,
    closed_on TEXT,
    stage TEXT NOT NULL,
    sex TEXT NOT NULL DEFAULT 'unknown',
    age_band TEXT NOT NULL DEFAULT '',          -- '40-49' at the first intake, '' unknown
    counts TEXT NOT NULL DEFAULT '{}',          -- {table: rows} of the purged records
    purged_on TEXT NOT NULL,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE TABLE anon_intake (
    id TEXT PRIMARY KEY,
    anon_case TEXT NOT NULL REFERENCES anon_case (id),
    received_on TEXT NOT NULL,
    route TEXT NOT NULL,
    topics TEXT NOT NULL DEFAULT '[]',
    main_topic TEXT NOT NULL DEFAULT '',
    triage TEXT NOT NULL,
    work_status TEXT NOT NULL DEFAULT '',
    housing_status TEXT NOT NULL DEFAULT '',
    emergency_needed INTEGER NOT NULL DEFAULT 0,
    consent INTEGER,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX anon_intake_received ON anon_intake (received_on);
