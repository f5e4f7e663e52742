"""The child of tests/test_crash.py: a loop of mixed writes through the Desk, killed at a
random moment by the parent.

Usage: python tests/crash_child.py DB LOGIN PASSWORD SEED WORKDIR

Protocol on stdout (one line each, flushed at once):
  ``begin <op>``                 just before a Desk call (a kill after it, with no ack,
                                 fell during that write)
  ``intake <case_no>\t<name>``   after register_intake returned
  ``record <id>\t<case_no>\t<content>``  after add_record returned
  ``plan <plan_id>\t<case_no>``  after record_meeting_results approved the plan
  ``ledger-file <numbers,…>``    BEFORE import_ledger: the file about to be imported
  ``ledger <numbers,…>``         after import_ledger returned a report without problems
Nothing is acknowledged before the call it names has returned.
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.domain.assessment import AssessmentInput, ScreeningResult  # noqa: E402
from app.domain.meeting import MeetingResult, Participant  # noqa: E402
from app.domain.plan import Goal, PlanInput, PlanItem  # noqa: E402
from app.desk import Desk  # noqa: E402
from tests.conftest import make_intake  # noqa: E402

TODAY = date(2026, 11, 20)
LEDGER_HEADER = ["受付番号", "受付日", "氏名", "ふりがな", "生年月日", "相談経路", "振り分け",
                 "アセスメント日", "スクリーニング結果", "プラン了承日", "備考"]


def say(*parts: str) -> None:
    print(" ".join(parts), flush=True)


class Loop:
    def __init__(self, desk: Desk, seed: int, workdir: Path):
        self.desk = desk
        self.rng = random.Random(seed)
        self.seed = seed
        self.workdir = workdir
        self.n = 0
        self.cases: list[tuple[str, str]] = []     # (case id, case no) of acknowledged intakes

    def tag(self) -> str:
        self.n += 1
        return f"{self.seed}-{self.n}"

    def intake(self, name: str | None = None) -> tuple[str, str]:
        name = name or f"クラッシュ {self.tag()}"
        say("begin", "intake")
        d = self.desk.register_intake(make_intake(name=name, received=date(2026, 4, 1)))
        say("intake", f"{d.case.case_no}\t{name}")
        self.cases.append((d.case.id, d.case.case_no))
        return d.case.id, d.case.case_no

    def record(self) -> None:
        if not self.cases:
            self.intake()
        case_id, case_no = self.rng.choice(self.cases)
        content = f"記録 {self.tag()}：電話で状況を確認。𠮷野さんと面談、次回は来所。"
        say("begin", "record")
        r = self.desk.process.add_record(case_id, datetime(2026, 5, 1, 10, 30), "phone", content,
                                 contact_person="本人")
        say("record", f"{r.id}\t{case_no}\t{content}")

    def plan(self) -> None:
        desk = self.desk
        case_id, case_no = self.intake()
        say("begin", "assessment")
        desk.process.save_assessment(case_id, AssessmentInput(
            assessed_on=date(2026, 4, 8), domains={"work": "長期離職。"},
            problems=["economic_hardship"], analysis="離職後の孤立", strengths="まじめ",
            wishes="働きたい"))
        say("begin", "screen")
        desk.process.screen(case_id, ScreeningResult.CONTINUE, date(2026, 4, 8),
                    reported_on=date(2026, 4, 9))
        say("begin", "draft_plan")
        plan = desk.process.draft_plan(case_id, PlanInput(
            aim="自分の収入で暮らす", goals=[Goal("生活リズムを整える", date(2026, 9, 30))],
            items=[PlanItem("月1回の面談", "self_reliance", frequency="月1回")],
            period_from=date(2026, 4, 20), period_to=date(2026, 9, 30),
            signed_on=date(2026, 4, 15)))
        say("begin", "plan_meeting")
        meeting = desk.process.plan_meeting(date(2026, 4, 22), "regular", place="役場2階会議室",
                                    participants=[Participant("町 一郎", "つなぐ町福祉課")])
        say("begin", "submit_plan")
        desk.process.submit_plan(plan.id, meeting.id)
        items = desk.process.pending_agenda(meeting.id)
        say("begin", "approve_plan")
        desk.process.record_meeting_results(meeting.id, {i.id: (MeetingResult.APPROVED, "")
                                                 for i in items})
        say("plan", f"{plan.id}\t{case_no}")

    def ledger(self) -> None:
        rows = self.rng.randint(1, 4)
        numbers = [f"K{self.tag()}-{k}" for k in range(rows)]
        path = self.workdir / f"ledger-{numbers[0]}.csv"
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(LEDGER_HEADER)
            for k, number in enumerate(numbers):
                full = k % 2 == 0
                w.writerow([number, "2026/4/1", f"台帳 {number}", "だいちょう", "1980/1/2",
                            "本人等", "継続支援", "2026/4/5" if full else "",
                            "継続支援" if full else "", "2026/4/20" if full else "",
                            "取り込みテスト"])
        say("ledger-file", ",".join(numbers))
        say("begin", "import_ledger")
        report = self.desk.ledger.import_ledger(path)
        if not report.ok:
            raise SystemExit("ledger refused: " + " / ".join(report.lines()))
        say("ledger", ",".join(numbers))

    def run(self) -> None:
        ops = [self.intake, self.record, self.record, self.plan, self.ledger]
        while True:
            self.rng.choice(ops)()


def main(argv: list[str]) -> None:
    path, login, password, seed, workdir = argv
    desk = Desk.open(path, login, password)
    desk._today = lambda: TODAY
    say("ready")
    Loop(desk, int(seed), Path(workdir)).run()


if __name__ == "__main__":
    main(sys.argv[1:])
