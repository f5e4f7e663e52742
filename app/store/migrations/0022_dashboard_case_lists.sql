-- Schema 22: what the dashboard reads the first time after login, from indexes (issue 17
-- points 1 and 5). At 100,000 cases its lists read, on a connection that has cached
-- nothing yet, 0.40 s — most of it pages decrypted for one column each:
-- 「支援決定待ち」 walked every plan in effect (28,518) for its items, to find the few items
-- of a service that needs a 支援決定 and has none; it now walks the items of those services
-- (about a quarter of all items) and asks the decisions first, the plan only for an item
-- still undecided.
CREATE INDEX IF NOT EXISTS plan_item_service ON plan_item (service_key, plan_id)
    WHERE removed = 0;
-- 「評価の時期」, 「会議待ちのプラン」, 「つなぎ先の確認」: the stage and case number of each
-- listed case (thousands at 100,000, counted and sorted), not its row (named by the lists:
-- INDEXED BY, app/store/worklist_repo.py — without statistics SQLite would take the primary
-- key's index and read the row).
CREATE INDEX IF NOT EXISTS case_list_of ON case_file (id, stage, case_no);
