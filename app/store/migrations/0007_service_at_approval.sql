-- Schema 7: master data edited by the administrator (issue: マスターデータ).
-- A plan item keeps the service as it was when its plan was approved (name, statutory,
-- employment, needs_decision as JSON): changing a service's flags or name in the master
-- data applies to new plans only, and the statistics of past months never change.
-- NULL = the plan is not approved yet (the current master data applies).
ALTER TABLE plan_item ADD COLUMN service_at_approval TEXT;

-- Plans approved before this schema: what the master data says now is what they had.
UPDATE plan_item SET service_at_approval = (
    SELECT json_object('key', s.key, 'name', s.name, 'statutory', s.statutory,
                       'employment', s.employment, 'needs_decision', s.needs_decision)
    FROM service s WHERE s.key = plan_item.service_key)
WHERE plan_id IN (SELECT id FROM plan WHERE approved_on IS NOT NULL);
