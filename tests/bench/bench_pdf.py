"""Benchmark of the paper layer (a plain script, not a test): prints timings in seconds.

    python tests/bench/bench_pdf.py

first render  — a fresh process: import, font registration and one intake sheet
warm intake   — median of repeated renders of the filled intake sheet (target < 0.3 s)
warm 5 pages  — median of a five-page document built with the kit (target < 0.3 s)
warm sheet    — median per sheet of forms/sheets.py, filled from a case taken through the
                process (the assessment with a 3,000-character analysis: five pages)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reportlab.lib.units import mm  # noqa: E402

from app.domain import (Agency, Case, CaseDetail, Intake, Person, Route, Sex, Stage,  # noqa: E402
                        Triage)

AGENCY = Agency(name="つなぐ市自立相談支援センター", municipality="つなぐ市", population=120000)
TARGET = 0.3


def sample_detail() -> CaseDetail:
    person = Person(id="p1", name="𠮷田 髙子", kana="よしだ たかこ", birth_date=date(1980, 3, 3),
                    sex=Sex.FEMALE, postal_code="123-4567", address="つなぐ市山﨑町1-2-3",
                    phone_home="012-345-6789", phone_mobile="090-1234-5678")
    intake = Intake(received_on=date(2026, 4, 1), received_by="山田", route=Route.SELF,
                    topics=["income", "debt"], main_topic="debt",
                    consultation="家賃を滞納しています。" * 20, hopes="仕事を見つけたい。",
                    triage=Triage.CONTINUE, consent=True, consent_on=date(2026, 4, 1))
    case = Case(id="c1", case_no="2026-0001", person_id="p1", stage=Stage.INTAKE,
                opened_on=date(2026, 4, 1))
    return CaseDetail(case=case, person=person, intakes=[intake])


def five_page_story():
    from forms import kit
    from forms.kit import Label
    from forms.marks import Choice, Choices
    story = [kit.title("支援経過記録")]
    for n in range(1, 15):
        story.append(kit.section_heading(f"記録 {n}", "令和8年4月1日"))
        story.append(kit.grid(
            [[Label("日時"), f"令和8年4月{n}日 10:00", Label("方法"),
              Choices([Choice("来所", "check"), Choice("電話"), Choice("訪問")])],
             [Label("対応者"), "相談員 山田", Label("相手"), "𠮷田 髙子"]],
            [22 * mm, 68 * mm, 22 * mm, 68 * mm]))
        story.append(kit.text_box("内容", "本人と面談し、家計の状況を確認した。" * 22,
                                  min_height=20 * mm))
    return story


def cold_first_render() -> float:
    code = (
        "import sys, time; t = time.perf_counter(); sys.path.insert(0, %r)\n"
        "from tests.bench.bench_pdf import AGENCY, sample_detail\n"
        "from forms.intake import render_intake\n"
        "render_intake(%r, AGENCY, sample_detail())\n"
        "print(time.perf_counter() - t)\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, "-c", code % (str(ROOT), str(Path(tmp) / "a.pdf"))],
                             capture_output=True, text=True, check=True, cwd=ROOT)
    return float(out.stdout.strip().splitlines()[-1])


def median_time(fn, rounds: int = 10) -> float:
    fn()  # warm-up
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    from forms import page
    from forms.intake import render_intake_result

    first = cold_first_render()
    detail = sample_detail()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "intake.pdf"
        pages = render_intake_result(out, AGENCY, detail).pages
        size = out.stat().st_size
        warm = median_time(lambda: render_intake_result(out, AGENCY, detail))
        long_out = Path(tmp) / "long.pdf"
        furniture = page.Furniture(agency_name=AGENCY.name, case_no="2026-0001",
                                   sheet_title="支援経過記録")
        long_pages = page.build_sheet(str(long_out), five_page_story(), furniture)
        warm_long = median_time(
            lambda: page.build_sheet(str(long_out), five_page_story(), furniture))

    def verdict(t: float) -> str:
        return "ok" if t < TARGET else f"SLOW (target < {TARGET} s)"

    print(f"first render (fresh process, fonts included): {first:.3f} s")
    print(f"warm intake sheet ({pages} pages, {size // 1024} KB): {warm:.3f} s  {verdict(warm)}")
    print(f"warm kit document ({long_pages} pages): {warm_long:.3f} s  {verdict(warm_long)}")
    for name, n, seconds in sheet_times():
        print(f"warm sheet {name} ({n} pages): {seconds:.3f} s  {verdict(seconds)}")


def sheet_times(rounds: int = 5) -> list[tuple[str, int, float]]:
    """(sheet, pages, warm median seconds) for every sheet of forms/sheets.py, filled from a
    case taken through the whole process (a 3,000-character analysis: a 5-page assessment)."""
    from app.desk import Desk
    from app.security.keyslots import KdfParams
    from forms.sheets import SHEETS
    from tests.sheet_cases import full_case
    long_text = ("昨年の秋に勤めていた工場が閉鎖になり、失業しました。家賃を滞納しています。" * 100)[:3000]
    out: list[tuple[str, int, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        desk, _key = Desk.create(Path(tmp) / "bench.db", agency_name=AGENCY.name,
                                 municipality="つなぐ市", population=120000, admin_login="admin",
                                 admin_name="管理 花子", password="bench password 1",
                                 kdf=KdfParams.fast())
        with desk:
            info = full_case(desk, analysis=long_text)
            for name, render in SHEETS.items():
                data = desk.paper.case_sheet(info["case_id"], name).data   # what it shows
                target = Path(tmp) / f"{name}.pdf"
                pages = render(target, AGENCY, data).pages
                out.append((name, pages, median_time(lambda: render(target, AGENCY, data),
                                                     rounds)))
    return out


def five_page_story_seconds(rounds: int = 7) -> float:
    """Warm median of the five-page kit document (used by tests/bench/run.py)."""
    from forms import page
    furniture = page.Furniture(agency_name=AGENCY.name, case_no="2026-0001",
                               sheet_title="支援経過記録")
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "long.pdf")
        return median_time(lambda: page.build_sheet(out, five_page_story(), furniture), rounds)


if __name__ == "__main__":
    main()

