-- Tsunagu schema 2: the consultation process after intake (PROCESS.md §1.3–1.12).
-- Every synced row carries: id (uuid), rev, hlc, updated_by, device_id.
-- Records of what happened (支援経過記録, monitoring, meeting results …) are append-only;
-- status columns (plan, proposals) change through Writer.update and so are journalled.
-- Master data (services, assessment domains and checklist) is loaded from resources/master
-- when a desk is created, and on the first open of a desk created before this schema.

-- Master: services a plan can contain (names change with the law). needs_decision marks
-- the 法定サービス that need the municipality's 支援決定.
CREATE TABLE service (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    statutory INTEGER NOT NULL DEFAULT 0,
    employment INTEGER NOT NULL DEFAULT 0,
    needs_decision INTEGER NOT NULL DEFAULT 0,
    usual_months INTEGER,
    sort INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);

-- Master: assessment domains (kind 'domain') and the problem checklist (kind 'problem').
CREATE TABLE assessment_master (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('domain', 'problem')),
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    sort INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL,
    UNIQUE (kind, key)
);

-- The next monitoring date of a case, kept on the case for the dashboard.
ALTER TABLE case_file ADD COLUMN next_monitoring_on TEXT;
CREATE INDEX case_next_monitoring ON case_file (next_monitoring_on);

-- 緊急的な支援: one row per action; statutory ones (一時生活支援, 住居確保給付金) carry a
-- municipal procedure that is pending until done.
CREATE TABLE emergency_support (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES case_file (id),
    intake_id TEXT,
    action TEXT NOT NULL,
    done_on TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    procedure TEXT NOT NULL DEFAULT 'none' CHECK (procedure IN ('none', 'pending', 'done')),
    procedure_done_on TEXT,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX emergency_case ON emergency_support (case_id);
CREATE INDEX emergency_pending ON emergency_support (procedure);
CREATE INDEX emergency_intake ON emergency_support (intake_id);

-- アセスメント: versioned per case; a re-assessment adds a version, the old one stays.
CREATE TABLE assessment (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES case_file (id),
    version INTEGER NOT NULL,
    assessed_on TEXT NOT NULL,
    author TEXT NOT NULL DEFAULT '',
    domains TEXT NOT NULL DEFAULT '{}',          -- {domain key: text}
    problems TEXT NOT NULL DEFAULT '[]',         -- checklist keys
    problem_other TEXT NOT NULL DEFAULT '',
    analysis TEXT NOT NULL DEFAULT '',           -- 課題と背景要因
    strengths TEXT NOT NULL DEFAULT '',          -- 本人の強み
    wishes TEXT NOT NULL DEFAULT '',             -- 本人の希望
    household TEXT NOT NULL DEFAULT '[]',        -- 世帯構成 [{name, relation, age, together, working}]
    consultation_history TEXT NOT NULL DEFAULT '',  -- 相談歴
    life_history TEXT NOT NULL DEFAULT '',       -- 生活歴・職歴
    team TEXT NOT NULL DEFAULT '[]',             -- team assessment members [{name, organisation}]
    expert_opinions TEXT NOT NULL DEFAULT '[]',  -- [{field, name, opinion}]
    reason TEXT NOT NULL DEFAULT '',             -- why re-assessed
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL,
    UNIQUE (case_id, version)
);

-- スクリーニング: 継続支援 / 他機関へつなぐ / 情報提供で終了.
CREATE TABLE screening (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES case_file (id),
    screened_on TEXT NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('continue', 'refer', 'info_only')),
    assessment_version INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    reported_on TEXT,                            -- continuing cases: reported to the municipality
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX screening_case ON screening (case_id);

-- つなぎ: a referral from intake, screening or closure, checked later (後日確認).
CREATE TABLE referral (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES case_file (id),
    origin TEXT NOT NULL CHECK (origin IN ('intake', 'screening', 'closure')),
    source_id TEXT,                              -- intake, screening or closure row
    referred_on TEXT NOT NULL,
    referred_to TEXT NOT NULL,
    accompanied INTEGER NOT NULL DEFAULT 0,      -- 同行
    check_on TEXT,                               -- 後日確認日
    checked_on TEXT,
    arrived INTEGER,                             -- NULL until checked
    check_note TEXT NOT NULL DEFAULT '',
    taken_back_on TEXT,                          -- ケースの引き戻し
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX referral_case ON referral (case_id);
CREATE INDEX referral_check ON referral (checked_on, check_on);
CREATE UNIQUE INDEX referral_intake ON referral (source_id) WHERE origin = 'intake';

-- プラン兼事業等利用申込書.
CREATE TABLE plan (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES case_file (id),
    number INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('first', 'replan')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'superseded', 'ended')),
    assessment_version INTEGER NOT NULL DEFAULT 0,
    aim TEXT NOT NULL DEFAULT '',                -- 本人の目指す姿
    goals TEXT NOT NULL DEFAULT '[]',            -- 短期目標 [{text, target_on}]
    period_from TEXT,
    period_to TEXT,
    next_monitoring_on TEXT,
    signed_on TEXT,                              -- 本人署名
    author TEXT NOT NULL DEFAULT '',
    created_on TEXT NOT NULL,
    approved_on TEXT,
    meeting_result TEXT NOT NULL DEFAULT '',
    conditions TEXT NOT NULL DEFAULT '',
    ended_on TEXT,
    superseded_by TEXT,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX plan_case ON plan (case_id, number);
CREATE INDEX plan_status ON plan (status);

CREATE TABLE plan_item (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plan (id),
    sort INTEGER NOT NULL DEFAULT 0,
    problem TEXT NOT NULL DEFAULT '',
    what TEXT NOT NULL,
    service_key TEXT NOT NULL,
    provider TEXT NOT NULL DEFAULT '',           -- '' = this agency
    period_from TEXT,
    period_to TEXT,
    frequency TEXT NOT NULL DEFAULT '',
    removed INTEGER NOT NULL DEFAULT 0,          -- dropped by a プランの修正
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX plan_item_plan ON plan_item (plan_id);

-- プランの修正: a minor change of the plan in effect; before and after are kept.
CREATE TABLE plan_amendment (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES plan (id),
    case_id TEXT NOT NULL,
    amended_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    before TEXT NOT NULL,
    after TEXT NOT NULL,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX plan_amendment_plan ON plan_amendment (plan_id);

-- 支援調整会議 and its agenda.
CREATE TABLE meeting (
    id TEXT PRIMARY KEY,
    held_on TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('regular', 'ad_hoc')),
    place TEXT NOT NULL DEFAULT '',
    participants TEXT NOT NULL DEFAULT '[]',     -- [{name, organisation}]
    minutes TEXT NOT NULL DEFAULT '',
    next_meeting_on TEXT,
    held INTEGER NOT NULL DEFAULT 0,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX meeting_held_on ON meeting (held_on);

CREATE TABLE agenda_item (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meeting (id),
    case_id TEXT REFERENCES case_file (id),      -- NULL for a 地域課題
    kind TEXT NOT NULL CHECK (kind IN ('new_plan', 'replan', 'evaluation', 'suspension',
                                       'closure', 'regional_issue')),
    subject_id TEXT,                             -- plan, evaluation, suspension or closure row
    summary TEXT NOT NULL DEFAULT '',
    sort INTEGER NOT NULL DEFAULT 0,
    result TEXT CHECK (result IN ('approved', 'approved_with_changes', 'reconsider')),
    conditions TEXT NOT NULL DEFAULT '',
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX agenda_meeting ON agenda_item (meeting_id);
CREATE INDEX agenda_case ON agenda_item (case_id);
CREATE INDEX agenda_subject ON agenda_item (subject_id);

-- 支援決定: the municipality's decision on one statutory service of a plan.
CREATE TABLE decision (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES case_file (id),
    plan_id TEXT NOT NULL REFERENCES plan (id),
    service_key TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    officer TEXT NOT NULL,                       -- 自治体担当
    result TEXT NOT NULL CHECK (result IN ('approved', 'refused')),
    note TEXT NOT NULL DEFAULT '',
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX decision_plan ON decision (plan_id, service_key);

-- サービス開始 per plan item.
CREATE TABLE service_start (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES case_file (id),
    plan_id TEXT NOT NULL REFERENCES plan (id),
    plan_item_id TEXT NOT NULL REFERENCES plan_item (id),
    started_on TEXT NOT NULL,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX service_start_plan ON service_start (plan_id);

-- 支援経過記録: append-only. A correction is a new row whose ``supersedes`` names the old one.
CREATE TABLE support_record (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES case_file (id),
    occurred_at TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('office', 'phone', 'home_visit', 'accompany', 'mail',
                                           'agency', 'case_conference')),
    staff TEXT NOT NULL,
    contact_person TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL,
    next_action TEXT NOT NULL DEFAULT '',
    supersedes TEXT REFERENCES support_record (id),
    correction_reason TEXT NOT NULL DEFAULT '',
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX support_record_case ON support_record (case_id, occurred_at);
CREATE INDEX support_record_supersedes ON support_record (supersedes);

-- モニタリング.
CREATE TABLE monitoring (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES case_file (id),
    plan_id TEXT NOT NULL REFERENCES plan (id),
    monitored_on TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('after_start', 'regular', 'ad_hoc')),
    method TEXT NOT NULL DEFAULT '',
    change TEXT NOT NULL DEFAULT '',             -- 本人の変化
    progress TEXT NOT NULL DEFAULT '[]',         -- per goal / service [{goal, progress}]
    satisfaction TEXT NOT NULL DEFAULT '',
    amendment_needed INTEGER NOT NULL DEFAULT 0,
    next_on TEXT,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX monitoring_case ON monitoring (case_id, monitored_on);

-- プラン評価: proposed, then confirmed (or sent back) by the 支援調整会議.
CREATE TABLE evaluation (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES case_file (id),
    plan_id TEXT NOT NULL REFERENCES plan (id),
    evaluated_on TEXT NOT NULL,
    attainment TEXT NOT NULL DEFAULT '[]',       -- [{goal, attainment: met/partly/not_met}]
    support_delivered TEXT NOT NULL DEFAULT '',
    employed_on TEXT,                            -- 就労
    income_increased_on TEXT,                    -- 増収
    motivation INTEGER NOT NULL DEFAULT 0,       -- 意欲の改善
    relationships INTEGER NOT NULL DEFAULT 0,    -- 関係性の改善
    participation INTEGER NOT NULL DEFAULT 0,    -- 参加の改善
    hardship INTEGER NOT NULL DEFAULT 0,         -- 経済的困窮の改善
    decision TEXT NOT NULL CHECK (decision IN ('close', 'replan', 'reassess', 'continue')),
    note TEXT NOT NULL DEFAULT '',
    assessment_version INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('proposed', 'confirmed', 'reconsider')),
    confirmed_on TEXT,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX evaluation_case ON evaluation (case_id);

-- Attempts to reach the person (before 中断, and to record a move-away).
CREATE TABLE contact_attempt (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES case_file (id),
    attempted_on TEXT NOT NULL,
    method TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('no_response', 'moved_away', 'reached')),
    note TEXT NOT NULL DEFAULT '',
    suspension_id TEXT,                          -- the 中断 these attempts led to
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX contact_attempt_case ON contact_attempt (case_id);

-- 中断: proposed, confirmed by the 支援調整会議, later resumed (再開) keeping every record.
CREATE TABLE suspension (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES case_file (id),
    proposed_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('proposed', 'confirmed', 'reconsider', 'resumed')),
    confirmed_on TEXT,
    resumed_on TEXT,
    resume_note TEXT NOT NULL DEFAULT '',
    stage_before TEXT NOT NULL DEFAULT '',
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX suspension_case ON suspension (case_id);
CREATE INDEX suspension_status ON suspension (status);

-- 終結: pattern (1)(2)(3), confirmed by the 支援調整会議.
CREATE TABLE closure (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES case_file (id),
    proposed_on TEXT NOT NULL,
    pattern TEXT NOT NULL CHECK (pattern IN ('1', '2', '3')),
    reason TEXT NOT NULL,
    grounds TEXT,                                -- pattern 3: suspension / moved_away
    intention TEXT NOT NULL DEFAULT '',          -- 本人の意向
    intention_how TEXT NOT NULL DEFAULT '',
    intention_on TEXT,
    referrals TEXT NOT NULL DEFAULT '[]',        -- つなぎ先 on closing
    followup_plan TEXT NOT NULL DEFAULT '',      -- who, when, how
    status TEXT NOT NULL CHECK (status IN ('proposed', 'confirmed', 'reconsider')),
    confirmed_on TEXT,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX closure_case ON closure (case_id);

-- フォローアップ contacts after closure.
CREATE TABLE followup (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES case_file (id),
    closure_id TEXT NOT NULL REFERENCES closure (id),
    contacted_on TEXT NOT NULL,
    method TEXT NOT NULL DEFAULT '',
    contact_person TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL,
    rev INTEGER NOT NULL, hlc TEXT NOT NULL, updated_by TEXT NOT NULL, device_id TEXT NOT NULL
);
CREATE INDEX followup_case ON followup (case_id);
