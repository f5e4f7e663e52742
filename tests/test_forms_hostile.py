"""Every sheet printed with hostile data (issue 20): 40-character names, 120-character
addresses, 3,000-character texts, 30 plan items, 50 records, 𠮷 髙 﨑.

Checked from the PDF's own glyph boxes and text (pypdfium2, tests/pdf_checks.py): no glyph is
printed over another, every character the sheet was given is on its pages in order, nothing
leaves the printable area, every page has its footer and 「x / y」.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest

import forms.intake
import forms.output
import forms.visit_kit
from app.domain.reports import CaseloadRow
from app.desk import Desk
from forms import kit
from forms.layout import SAFE_MARGIN
from forms.page import Furniture, build_sheet
from forms.sheets import SHEETS
from tests.conftest import LOGIN, PASSWORD, copy_desk
from tests.hostile_case import ADDRESS, NAME, hostile_case, long_text
from tests.pdf_checks import missing_text, overlapping_glyphs, page_lines, page_texts
from forms.sheets import render


@pytest.fixture(scope="module")
def hostile(desk_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    path = copy_desk(desk_template, folder)
    desk = Desk.open(path, LOGIN, PASSWORD)
    try:
        info = hostile_case(desk)
    finally:
        desk.close()
    return path, info


@pytest.fixture
def hd(hostile):
    path, info = hostile
    desk = Desk.open(path, LOGIN, PASSWORD)
    desk._today = lambda: date(2026, 11, 20)
    yield desk, info
    desk.close()


@pytest.fixture
def given(monkeypatch):
    """Records every text a renderer hands to the printability check: its input."""
    seen: list[str] = []
    check = forms.output.check_texts

    def spy(texts, *, strict=False):
        texts = [t for t in texts if t]
        seen.extend(texts)
        return check(texts, strict=strict)

    for module in (forms.output, forms.intake, forms.visit_kit):
        monkeypatch.setattr(module, "check_texts", spy)
    return seen


def assert_sound(path: Path) -> int:
    """Footer and 「x / y」 on every page, no character outside the printable area."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        n = len(pdf)
        margin = SAFE_MARGIN - 0.5
        for i in range(n):
            page = pdf[i]
            width, height = page.get_size()
            tp = page.get_textpage()
            text = tp.get_text_range()
            assert "取扱注意" in text or "個人情報" in text, f"no footer on page {i + 1}"
            assert re.search(r"\b\d+ / \d+", text), f"no page number on page {i + 1}"
            for c in range(tp.count_chars()):
                left, bottom, right, top = tp.get_charbox(c)
                if right - left <= 0 and top - bottom <= 0:
                    continue
                assert margin <= left and right <= width - margin, (i + 1, c)
                assert margin <= bottom and top <= height - margin, (i + 1, c)
        return n
    finally:
        pdf.close()


def assert_printed_whole(path: Path, texts: list[str]) -> None:
    assert_sound(path)
    overlaps = overlapping_glyphs(path)
    assert overlaps == [], overlaps[:5]
    assert missing_text(path, texts) == []


JOBS = {f"{s}": (lambda d, i, out, s=s: d.paper.print_sheet(i["case_id"], s, out,
                                                            render=render)) for s in SHEETS}
JOBS.update({f"{s}-blank": (lambda d, i, out, s=s: d.paper.print_sheet(i["case_id"], s, out,
                                                                  blank=True, render=render))
             for s in SHEETS})
JOBS.update({
    "agenda": lambda d, i, out: d.paper.print_meeting(i["meetings"][0], "agenda", out,
                                                      render=render),
    "minutes": lambda d, i, out: d.paper.print_meeting(i["meetings"][0], "minutes", out,
                                                       render=render),
    "minutes-closure": lambda d, i, out: d.paper.print_meeting(i["meetings"][2], "minutes", out,
                                                               render=render),
    "visit-kit": lambda d, i, out: d.paper.print_visit_kit([i["case_id"]], out, render=render),
    "monthly": lambda d, i, out: d.reports.export_monthly("2026-05", out, "pdf", render=render),
    "fiscal-year": lambda d, i, out: d.reports.export_fiscal_year(2026, out, "pdf", render=render),
})


@pytest.mark.parametrize("job", list(JOBS))
def test_every_sheet_prints_hostile_data_whole_and_without_overprinting(hd, given, tmp_path,
                                                                         job):
    desk, info = hd
    out = tmp_path / f"{job}.pdf"
    JOBS[job](desk, info, out)
    assert given, "the sheet declared no input"
    assert_printed_whole(out, given)
    pages = [re.sub(r"\s", "", t) for t in page_texts(out)]
    text = "".join(pages)
    if job in SHEETS or job == "visit-kit":
        assert "𠮷髙" in text      # the 40-character name, whole
    # no section heading ends a page (the header and footer lines are drawn last)
    for i, lines in enumerate(page_lines(out)):
        content = [ln for ln in lines if ln.strip()][:-2]
        assert not (content and content[-1].startswith("■")), (i + 1, content[-1])
    # a field too long for its box says so and goes on on the attached sheet at the end
    cut = [i for i, t in enumerate(pages) if "（続きは別紙）" in t]
    if job in ("evaluation", "closure", "plan"):
        assert cut, "the 3,000-character note fits no box: it must continue on the 別紙"
    if cut:
        attached = [i for i, t in enumerate(pages) if "別紙（続き）" in t]
        assert attached and min(attached) > max(cut)


def caseload_rows(n: int = 50) -> list[CaseloadRow]:
    return [CaseloadRow(
        case_id=f"id-{k}", case_no=f"2026-{k + 1:04d}", name=NAME if k % 2 else "髙橋 𠮷子",
        kana="ぐえん てぃ たん ふぉん まりあ あんとにえった", birth_date=date(1980, 5, 6),
        received_on=date(2026, 4, 1), stage="in_support", assignee="相談 花子" * 3,
        plan_number=2, plan_kind="replan", plan_approved_on=date(2026, 12, 31),
        plan_period_to=date(2027, 3, 31), next_monitoring_on=date(2026, 12, 10))
        for k in range(n)]


def test_caseload_prints_wareki_dates_that_never_wrap(tmp_path, given):
    from app.reports.export import caseload_table
    from forms.report import render_caseload
    on = date(2026, 12, 3)
    out = tmp_path / "caseload.pdf"
    agency = type("A", (), {"name": "つなぐ町自立相談支援センター", "municipality": "つなぐ町"})()
    render_caseload(out, agency, caseload_table(caseload_rows(), on), on)
    assert_printed_whole(out, given)
    lines = [ln for page in page_lines(out) for ln in page]
    text = "\n".join(lines)
    assert "2026-04-01" not in text and "2026-12-31" not in text      # no seireki
    for wareki in ("令和8年4月1日", "令和8年12月31日", "令和9年3月31日", "令和8年12月10日"):
        # each date whole on one line, once per case
        assert sum(ln.count(wareki) for ln in lines) >= 50, wareki
    assert not any(re.search(r"令和\d*年?\d*月?$", ln) for ln in lines)   # never cut


# ---------------------------------------------------------------- point 2: line breaking

KINSOKU_TEXT = ("本人は「もう一度、ちゃんと働きたい」と話している。家賃（月額58,000円）を3か月分"
                "滞納。ハローワーク（Hello Work）の求人をPCで検索したが、Excelの経験を求められた。"
                "ちょっと待ってほしいとのことだった。生活福祉資金100,000円の貸付を2026年4月15日に申請"
                "した。𠮷田さん・髙橋さん・山﨑さんに相談。") * 12


def test_break_lines_keeps_kinsoku_and_whole_words():
    from forms.textflow import NO_END, NO_START, break_lines
    words = re.findall(r"[A-Za-z]+|[0-9][0-9,]*", KINSOKU_TEXT)
    for width in range(40, 400, 7):
        lines = break_lines(KINSOKU_TEXT, kit.GOTHIC, 9, width)
        assert "".join(lines).replace(" ", "") == KINSOKU_TEXT.replace(" ", "")
        for a, b in zip(lines, lines[1:]):
            assert b[:1] not in NO_START, (width, a, b)
            assert a[-1:] not in NO_END, (width, a, b)
        if width >= 60:   # a line holds the longest word: no word or number is cut
            for w in set(words):
                assert sum(ln.count(w) for ln in lines) == KINSOKU_TEXT.count(w), (width, w)


def test_long_text_is_printed_line_by_line_as_written(tmp_path):
    """The PDF's own text, line by line, is the input: no spaces put between characters,
    no line starting with 、。）」 or a small kana, none ending with （「."""
    from forms.textflow import NO_END, NO_START
    out = tmp_path / "text.pdf"
    text = KINSOKU_TEXT * 2
    build_sheet(str(out), [kit.text_box("本文", text),
                           kit.flow_table([["1", text]], [20 * kit.mm, kit.CONTENT_WIDTH - 20 * kit.mm],
                                          header=["No.", "内容"])],
                Furniture(agency_name="つなぐ町", case_no="2026-0001", sheet_title="試験"))
    assert overlapping_glyphs(out) == []
    flat_in = text.replace(" ", "")
    body = [ln for page in page_lines(out) for ln in page
            if ln and ln.replace(" ", "") in flat_in and len(ln) > 3]
    assert len(body) > 100
    for ln in body:
        assert ln[0] not in NO_START and ln[-1] not in NO_END, ln
        # the only space is the one in the input ("Hello Work")
        assert ln.replace("Hello Work", "").count(" ") == 0, ln
    # both copies (box and table) complete, in order
    assert missing_text(out, [text, text]) == []


def test_one_line_field_shrinks_then_wraps():
    from forms.textflow import JText
    name = JText(NAME, kit.GOTHIC, 14, 18, fit_min=9)
    name.wrap(400, 1000)
    assert len(name._lines) == 1 and 9 <= name._cur_size < 14      # shrunk, one line
    name = JText(NAME, kit.GOTHIC, 14, 18, fit_min=9)
    name.wrap(150, 1000)
    assert name._cur_size == 9 and len(name._lines) > 1              # at the minimum: wraps
    short = JText("髙橋 𠮷子", kit.GOTHIC, 14, 18, fit_min=9)
    short.wrap(150, 1000)
    assert short._cur_size == 14 and len(short._lines) == 1


# ---------------------------------------------------------------- point 3: page breaks

FURN = Furniture(agency_name="つなぐ町", case_no="2026-0001", sheet_title="試験")


@pytest.mark.parametrize("room", range(20, 180, 9))
def test_boxes_split_like_a_person_would(tmp_path, room):
    """Whatever room is left on the page: a box that continues says （続き） and has text
    under it (never an empty duplicate box); a heading never ends a page; a table leaves
    no single row behind and repeats its header."""
    from reportlab.platypus import Spacer
    out = tmp_path / "split.pdf"
    story = [Spacer(1, kit.CONTENT_HEIGHT - room * kit.mm),
             kit.text_box("相談内容", long_text(260), min_height=70 * kit.mm),
             kit.section_heading("見出しです"),
             kit.flow_table([[f"行{k}", f"内容{k}"] for k in range(1, 40)],
                            [30 * kit.mm, kit.CONTENT_WIDTH - 30 * kit.mm],
                            header=["番号", "内容欄"])]
    build_sheet(str(out), story, FURN)
    pages = [re.sub(r"\s", "", t) for t in page_texts(out)]
    for i, page in enumerate(pages):
        if "相談内容（続き）" in page:
            after = page.split("相談内容（続き）", 1)[1]
            assert re.match(r"\d+．|[^見]{4}", after) and not after.startswith("見出し"), i
        if "見出しです" in page:
            assert "行1内容1" in page, f"heading alone at the bottom of page {i + 1}"
        rows = re.findall(r"行(\d+)内容\1", page)
        if rows:
            assert len(rows) >= 2, f"a single row on page {i + 1}"
            assert "番号内容欄" in page, f"no header row on page {i + 1}"


def test_monitorings_grouped_by_plan_several_per_page(tmp_path):
    """Nine monitorings of two plans: grouped under their plan, oldest first, a few pages,
    each with its progress per goal."""
    from dataclasses import replace

    from app.domain.monitoring import Monitoring, MonitoringKind
    from forms.monitoring import render_monitoring
    from tests.sheet_cases import full_case
    from tests.conftest import make_intake  # noqa: F401  (the walk uses it)
    import tempfile
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        from app.security.keyslots import KdfParams
        desk, _key = Desk.create(Path(folder) / "d.db", agency_name="つなぐ町", municipality="つなぐ町",
                                 population=8200, admin_login=LOGIN, admin_name="管理 花子",
                                 password=PASSWORD, kdf=KdfParams.fast())
        with desk:
            info = full_case(desk)
            data = desk.paper.case_sheet(info["case_id"], "monitoring").data
            agency = desk.agency
    plan1 = data.plans[0]
    plan2 = replace(plan1, id="plan-2", number=2, aim="二つ目のプランの目指す姿")
    data = replace(data, plans=[plan1, plan2], monitorings=[
        Monitoring(id=f"m{k}", case_id=info["case_id"],
                   plan_id=(plan1.id if k < 5 else "plan-2"),
                   monitored_on=date(2026, 5, 14) + timedelta(days=14 * k),
                   kind=MonitoringKind.REGULAR, method="面談", change=f"変化その{k}",
                   satisfaction="満足", amendment_needed=False, next_on=None,
                   progress=({"goal": "週3回通所する", "progress": f"進捗その{k}"},))
        for k in reversed(range(9))])     # the store gives them newest first
    out = tmp_path / "monitoring.pdf"
    render_monitoring(out, agency, data)
    pages = page_texts(out)
    assert len(pages) <= 5, len(pages)
    text = re.sub(r"\s", "", "".join(pages))
    first, second = text.index("第1回プラン"), text.index("第2回プラン")
    positions = [text.index(f"変化その{k}") for k in range(9)]
    assert positions == sorted(positions)                          # oldest first
    assert all(first < p < second for p in positions[:5])
    assert all(p > second for p in positions[5:])
    for k in range(9):
        assert f"進捗その{k}" in text                                # per-goal progress
    assert overlapping_glyphs(out) == []


# ---------------------------------------------------------------- point 4: consent wording

CLAUSE = "情報共有することに同意します"


def test_intake_wording_follows_the_consent(desk, tmp_path):
    from tests.sheet_cases import full_case
    info = full_case(desk)
    with_consent = tmp_path / "yes.pdf"
    desk.paper.print_sheet(info["case_id"], "intake", with_consent, render=render)
    assert CLAUSE in re.sub(r"\s", "", "".join(page_texts(with_consent)))
    # the second person gave no consent: the filled sheet has the wording without it
    other = desk.case_id(info["other_case_no"])
    no = tmp_path / "no.pdf"
    noconsent = tmp_path / "noconsent.pdf"
    desk.paper.print_sheet(other, "intake", no, render=render)
    desk.paper.print_sheet(other, "intake-noconsent", noconsent, render=render)
    assert CLAUSE not in re.sub(r"\s", "", "".join(page_texts(no)))
    assert page_texts(no) == page_texts(noconsent)
    # withdrawn: the same wording as without consent
    consents = desk.security.consents(info["case_id"])
    intake_consent = next(c for c in consents if c.id.startswith("intake:") or c.from_intake)
    desk.security.withdraw_consent(intake_consent.id, date(2026, 11, 1), "本人の申し出")
    withdrawn = tmp_path / "withdrawn.pdf"
    desk.paper.print_sheet(info["case_id"], "intake", withdrawn, render=render)
    assert CLAUSE not in re.sub(r"\s", "", "".join(page_texts(withdrawn)))
    # a blank sheet keeps the wording chosen
    blank = tmp_path / "blank.pdf"
    desk.paper.print_sheet(None, "intake", blank, blank=True, render=render)
    assert CLAUSE in re.sub(r"\s", "", "".join(page_texts(blank)))


# ---------------------------------------------------------------- point 5: Gothic fallback

def test_rare_kanji_in_gothic_text_stays_gothic(tmp_path):
    out = tmp_path / "gothic.pdf"
    build_sheet(str(out), [kit.para("𠮷田 髙﨑", "large"), kit.para("𠮷田", "formal")],
                FURN)
    raw = out.read_bytes()
    assert b"TsunaguGothicFallback" in raw        # 𠮷 in Gothic text
    assert b"IPAmjMincho" in raw                  # 𠮷 in Mincho text
    assert "𠮷田髙﨑" in re.sub(r"\s", "", page_texts(out)[0])
    assert ADDRESS  # (used by the hostile case)


@pytest.mark.parametrize("agency", ["つなぐ町自立相談支援センター", "グエン" * 20, "髙" * 100,
                                    "社会福祉法人つなぐ町社会福祉協議会 つなぐ町自立相談支援センター"
                                    "（生活困窮者自立支援事業受託）"])
def test_page_header_never_overprints(tmp_path, agency):
    """The agency name (up to 100 characters), the sheet title and the ID share the header
    line without touching; the agency name is always there, whole."""
    for case_no in ("2026-0001", ""):
        out = tmp_path / "header.pdf"
        build_sheet(str(out), [kit.para("本文")],
                    Furniture(agency_name=agency, case_no=case_no,
                              sheet_title="インテーク・アセスメントシート"))
        assert overlapping_glyphs(out) == []
        assert missing_text(out, [agency]) == []
        assert_sound(out)


@pytest.mark.parametrize("room", range(10, 60, 4))
def test_a_short_grid_never_leaves_one_row_alone(tmp_path, room):
    from reportlab.platypus import Spacer
    out = tmp_path / "grid.pdf"
    rows = [[kit.Label(f"項目{k}"), f"値{k}"] for k in range(1, 4)]
    build_sheet(str(out), [Spacer(1, kit.CONTENT_HEIGHT - room * kit.mm),
                           kit.grid(rows, [30 * kit.mm, kit.CONTENT_WIDTH - 30 * kit.mm],
                                    row_heights=[12 * kit.mm] * 3)], FURN)
    for page in page_texts(out):
        n = len(re.findall(r"項目\d", page))
        assert n in (0, 2, 3), (room, n)
