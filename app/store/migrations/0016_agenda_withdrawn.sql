-- Agenda items belong to the caseworker too (issue 14): an item still waiting for its
-- result can be withdrawn with a reason, or moved to another meeting (a 随時 meeting today
-- instead of the 定例 one two weeks ahead). The item stays on its meeting as history:
-- withdrawn_on and withdrawn_reason say when and why, moved_to names the meeting it went
-- to (the new item there waits for the result). An item waits while it has neither a
-- result nor withdrawn_on.
-- (Assigned number 0018 for this branch: the ladder refuses gaps, so it is numbered after
-- the last migration here; renumber at merge.)
ALTER TABLE agenda_item ADD COLUMN withdrawn_on TEXT;
ALTER TABLE agenda_item ADD COLUMN withdrawn_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE agenda_item ADD COLUMN moved_to TEXT;
