-- Schema 17 (issue 15): running the desk — 地域づくり, 人材育成, リスクマネジメント and the
-- yearly plan (app/operations/region.py, app/store/region_repo.py).
-- Every table is synced by the journal like the others (id, rev, hlc, updated_by, device_id).
-- Tables without case_id are master data (every device holds them); regional_issue_case,
-- complaint and incident carry case_id and so follow the case (a field laptop holds the
-- rows of its cases only; a complaint or incident without a case stays on the desks).

-- 社会資源: the region's resources, chosen as つなぎ先 / 支援を行う機関.
CREATE TABLE social_resource (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_fold TEXT NOT NULL DEFAULT '',          -- text_ja.fold_for_search(name)
    kind TEXT NOT NULL CHECK (kind IN ('public', 'agency', 'private', 'informal',
                                       'employer', 'training', 'other')),
    field TEXT NOT NULL DEFAULT '',              -- 分野
    address TEXT NOT NULL DEFAULT '',            -- 所在地
    contact TEXT NOT NULL DEFAULT '',            -- 連絡先
    person TEXT NOT NULL DEFAULT '',             -- 担当者
    conditions TEXT NOT NULL DEFAULT '',         -- 対象・利用条件
    cost TEXT NOT NULL DEFAULT '',               -- 費用
    checked_on TEXT,                             -- 最終確認日
    note TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    issue_id TEXT,                               -- 地域課題 it was created for (資源を創出)
    created_on TEXT NOT NULL,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX social_resource_fold ON social_resource (name_fold);

-- 地域課題: an unmet need, raised from a meeting, a case or by staff.
CREATE TABLE regional_issue (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL CHECK (source IN ('meeting', 'case', 'staff')),
    meeting_id TEXT,
    agenda_item_id TEXT,                         -- the meeting's 地域課題 item it came from
    raised_on TEXT NOT NULL,
    raised_by TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('noted', 'discussing', 'acting', 'solved',
                                           'created')),
    status_on TEXT NOT NULL,
    resource_id TEXT,                            -- status 'created': the new 社会資源
    note TEXT NOT NULL DEFAULT '',
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX regional_issue_status ON regional_issue (status);
-- The cases behind an issue (one row per issue and case: natural id).
CREATE TABLE regional_issue_case (
    id TEXT PRIMARY KEY,
    issue_id TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES case_file (id),
    linked_on TEXT NOT NULL,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX regional_issue_case_issue ON regional_issue_case (issue_id);
CREATE INDEX regional_issue_case_case ON regional_issue_case (case_id);

-- 地域との活動: 研修会・出前講座・連絡会・就労先の開拓 …
CREATE TABLE region_activity (
    id TEXT PRIMARY KEY,
    held_on TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('seminar', 'outreach_talk', 'liaison', 'job_development',
                                       'awareness', 'other')),
    title TEXT NOT NULL,
    partners TEXT NOT NULL DEFAULT '',
    participants INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX region_activity_held ON region_activity (held_on);

-- 人材育成: 国研修 (kind national, course chief/consultant/employment) and Off-JT.
CREATE TABLE staff_training (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('national', 'off_jt')),
    course TEXT NOT NULL DEFAULT '',             -- national: chief / consultant / employment
    title TEXT NOT NULL DEFAULT '',
    organiser TEXT NOT NULL DEFAULT '',
    completed_on TEXT NOT NULL,
    hours REAL,
    note TEXT NOT NULL DEFAULT '',
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX staff_training_staff ON staff_training (staff_id);
-- OJT / 事例検討: cases by number only (no names), participants are staff ids.
CREATE TABLE ojt_session (
    id TEXT PRIMARY KEY,
    held_on TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('ojt', 'case_review')),
    topic TEXT NOT NULL,
    case_numbers TEXT NOT NULL DEFAULT '[]',
    participants TEXT NOT NULL DEFAULT '[]',
    leader TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);

-- 苦情 register.
CREATE TABLE complaint (
    id TEXT PRIMARY KEY,
    received_on TEXT NOT NULL,
    complainant TEXT NOT NULL CHECK (complainant IN ('person', 'family', 'agency', 'resident',
                                                     'other')),
    content TEXT NOT NULL,
    response TEXT NOT NULL DEFAULT '',           -- 対応
    result TEXT NOT NULL DEFAULT '',             -- 結果
    prevention TEXT NOT NULL DEFAULT '',         -- 再発防止策
    completed_on TEXT,
    case_id TEXT REFERENCES case_file (id),
    committee INTEGER NOT NULL DEFAULT 0,        -- 運営適正化委員会へ
    committee_on TEXT,
    recorded_by TEXT NOT NULL,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX complaint_received ON complaint (received_on);
CREATE INDEX complaint_case ON complaint (case_id);
-- ヒヤリハット・事故.
CREATE TABLE incident (
    id TEXT PRIMARY KEY,
    occurred_on TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('personal_data', 'response', 'safety', 'other')),
    severity TEXT NOT NULL CHECK (severity IN ('near_miss', 'minor', 'serious')),
    what TEXT NOT NULL,
    cause TEXT NOT NULL DEFAULT '',
    prevention TEXT NOT NULL DEFAULT '',
    reviewed_at TEXT NOT NULL DEFAULT '',        -- the staff meeting that reviewed it
    reviewed_on TEXT,
    audit_refs TEXT NOT NULL DEFAULT '[]',       -- audit seq numbers involved (個人情報)
    case_id TEXT REFERENCES case_file (id),
    reported_by TEXT NOT NULL,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX incident_occurred ON incident (occurred_on);
CREATE INDEX incident_case ON incident (case_id);

-- 事業計画 of a fiscal year (one row per year: natural id).
CREATE TABLE annual_plan (
    id TEXT PRIMARY KEY,
    fiscal_year INTEGER NOT NULL,
    goals_structure TEXT NOT NULL DEFAULT '',    -- 体制整備・運営
    goals_support TEXT NOT NULL DEFAULT '',      -- 相談支援
    goals_region TEXT NOT NULL DEFAULT '',       -- 地域づくり・地域連携
    targets TEXT NOT NULL DEFAULT '{}',          -- {key: yearly number}
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX annual_plan_year ON annual_plan (fiscal_year);
