-- Placeholder in branch issue-15 only: the ladder refuses a gap, and this branch's schema is
-- 0017 (assigned). DELETE this file at merge, when the other branch's 0015 arrives.
SELECT 1;
