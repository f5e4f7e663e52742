-- Tsunagu schema 5: indexes for the monthly statistics (STATISTICS.md, issue 7). Every
-- figure is counted from the records by the date of the counted fact; these let each
-- counting rule read one month of one table instead of the whole of it.
CREATE INDEX plan_approved ON plan (approved_on);
CREATE INDEX screening_screened ON screening (screened_on);
CREATE INDEX evaluation_employed ON evaluation (employed_on) WHERE employed_on IS NOT NULL;
CREATE INDEX evaluation_income ON evaluation (income_increased_on)
    WHERE income_increased_on IS NOT NULL;
CREATE INDEX suspension_confirmed ON suspension (confirmed_on);
CREATE INDEX closure_confirmed ON closure (confirmed_on);
CREATE INDEX decision_decided ON decision (decided_on);
CREATE INDEX referral_taken_back ON referral (taken_back_on) WHERE taken_back_on IS NOT NULL;
-- 支援中 at a month end walks each case's intake, screenings and take-backs in date order.
CREATE INDEX intake_case_received ON intake (case_id, received_on, triage);
CREATE INDEX screening_case_screened ON screening (case_id, screened_on, result);
-- 台帳の取り込み: the 支援調整会議 records it creates, one per approval date.
CREATE INDEX meeting_place ON meeting (held_on, place);
