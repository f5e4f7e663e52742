-- Schema 15: the guide's rules on every date and every change (issue 19).
--
-- プラン as approved: the 支援調整会議 approved a content; a プランの修正 changes the plan in
-- effect, never what was approved. approved_content keeps the plan as approved (JSON: aim,
-- goals, items with their services, period) and employment_at_approval whether it contained
-- employment support then: the statistics count from it, so a later amendment never
-- rewrites a reported month. The amendments keep their before/after (plan_amendment).
ALTER TABLE plan ADD COLUMN approved_content TEXT;
ALTER TABLE plan ADD COLUMN employment_at_approval INTEGER;
-- 報告: a plan without statutory services is reported to the municipality (date, to whom).
ALTER TABLE plan ADD COLUMN reported_on TEXT;
ALTER TABLE plan ADD COLUMN reported_to TEXT NOT NULL DEFAULT '';

-- 終結 decided with a プラン評価 (its decision 終結) needs no agenda item of its own;
-- 終結(1)(2) without a プラン評価 carries the reason.
ALTER TABLE closure ADD COLUMN evaluation_id TEXT;
ALTER TABLE closure ADD COLUMN no_evaluation_reason TEXT NOT NULL DEFAULT '';

-- 支援調整会議: whether the municipality took part (自治体は原則参画), and the confirmation
-- recorded when it did not. NULL: recorded before this schema.
ALTER TABLE meeting ADD COLUMN municipality_attended INTEGER;
ALTER TABLE meeting ADD COLUMN municipality_absence TEXT NOT NULL DEFAULT '';

-- 相談受付 of a person whose case is ending, opened as a new case: why.
ALTER TABLE intake ADD COLUMN new_case_reason TEXT NOT NULL DEFAULT '';

-- Plans approved before this schema: employment support as approved. An amended plan had
-- what its first amendment's "before" lists; the others have their live items.
UPDATE plan SET employment_at_approval = (
    SELECT CASE WHEN EXISTS (SELECT 1 FROM plan_amendment a WHERE a.plan_id = plan.id)
    THEN EXISTS (
        SELECT 1 FROM json_each(json_extract((SELECT a.before FROM plan_amendment a
                                              WHERE a.plan_id = plan.id ORDER BY a.hlc
                                              LIMIT 1), '$.items')) j
        LEFT JOIN plan_item pi ON pi.id = json_extract(j.value, '$.id')
        LEFT JOIN service s ON s.key = json_extract(j.value, '$.service_key')
        WHERE COALESCE(CASE WHEN json_extract(pi.service_at_approval, '$.key')
                                 = json_extract(j.value, '$.service_key')
                            THEN json_extract(pi.service_at_approval, '$.employment') END,
                       s.employment) = 1)
    ELSE EXISTS (
        SELECT 1 FROM plan_item pi JOIN service s ON s.key = pi.service_key
        WHERE pi.plan_id = plan.id AND pi.removed = 0
          AND COALESCE(json_extract(pi.service_at_approval, '$.employment'), s.employment) = 1)
    END)
WHERE approved_on IS NOT NULL;

-- The dashboard's 「評価の時期」: approved plans by the end of their period.
CREATE INDEX IF NOT EXISTS plan_due ON plan (status, period_to);
CREATE INDEX IF NOT EXISTS closure_evaluation ON closure (evaluation_id);
CREATE INDEX IF NOT EXISTS evaluation_plan ON evaluation (plan_id, status);
