"""A manual that stays true (issue 18): drive a demo desk offscreen, take a picture of every
screen and of the first page of every wizard into the help pages (resources/help/img/), and
render the help pages, in the order of their table of contents, to a printable PDF manual.

    python tools/manual.py [--pdf docs/つなぐ操作マニュアル.pdf] [--img-dir DIR] [--cases N]

Nothing touches the user's own data: the demo desk, the settings and the prints live in a
temporary folder that is removed afterwards. Pictures are taken at 1280×720 and stored at
960 pixels wide.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PICTURE_WIDTH = 960
SCREEN = (1280, 720)


def _options():
    def fail(text: str) -> None:
        print(f"error shown: {text}", file=sys.stderr)
    return dict(ask_restore_draft=lambda: False, ask_keep_draft=lambda: False,
                show_error=fail)


def _wait_idle(app) -> None:
    from ui import background
    import time
    deadline = time.monotonic() + 20
    while background.busy() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    for _i in range(5):
        app.processEvents()


def _save(widget, path: Path) -> None:
    from PySide6.QtCore import Qt
    image = widget.grab().toImage()
    if image.width() > PICTURE_WIDTH:
        image = image.scaledToWidth(PICTURE_WIDTH, Qt.TransformationMode.SmoothTransformation)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(path), "PNG"):
        raise OSError(f"could not write {path}")


def take_pictures(img_dir: Path, work: Path, cases: int = 24) -> list[str]:
    """Every screen and every wizard of a demo desk, as img_dir/<help id>.png."""
    from PySide6.QtWidgets import QApplication
    from app.demo import create_demo
    from app.desk import Desk
    from app.process import Step
    from app.security.keyslots import KdfParams
    from ui import background
    from ui.fit import fit_to_screen, room_on
    from ui.startup import prepare_application

    app = QApplication.instance() or QApplication(["tsunagu-manual"])
    prepare_application(app, "ja")
    background.collect_garbage_on_gui_thread(app)
    path = work / "demo.db"
    login, password = create_demo(path, cases, kdf=KdfParams.fast(), records_per_case=3)
    desk = Desk.open(path, login, password)
    room = room_on(*SCREEN)
    taken: list[str] = []

    def shot(widget, help_id: str) -> None:
        _save(widget, img_dir / f"{help_id}.png")
        taken.append(help_id)

    from ui.main_window import MainWindow
    window = MainWindow(desk, close_desk_on_exit=False, opener=lambda _url: None,
                        wizard_options=_options(),
                        auto_backup_options={"ask_at_exit": lambda _text: "skip"})
    window.resize(*SCREEN)
    window.show()
    _wait_idle(app)
    shot(window, "case-list")
    for key in list(window.area_actions):
        window.open_area(key)
        _wait_idle(app)
        shot(window, f"area-{key}")
    # a case in support: its steps, the timeline, the plan
    rows = desk.list_cases("", sort="case_no", limit=200)
    def stage(r) -> str:
        return str(getattr(r.stage, "value", r.stage))
    target = next((r for want in ("monitoring", "support", "evaluation", "decision")
                   for r in rows if stage(r) == want), rows[0])
    window.open_case(target.id)
    for _i in range(200):
        _wait_idle(app)
        if window.current_case_view() is not None:
            break
    _wait_idle(app)
    shot(window, "case-view")

    # the wizards: the first page of each, on that case
    from ui.wizards.intake import IntakeWizard
    from ui.setup_wizard import SetupWizard
    from ui.wizards import WIZARDS, open_step_wizard
    wizards = [("intake", lambda: IntakeWizard(desk, ask_restore_draft=lambda: False,
                                               ask_keep_draft=lambda: False,
                                               ask_same_person=lambda persons: None)),
               ("setup", lambda: SetupWizard(work / "setup-new.db"))]
    wizards += [(f"step-{step.value}", lambda step=step: open_step_wizard(
        step, desk, target.id, **_options())) for step in WIZARDS if step is not Step.NEW_INTAKE]
    from ui.wizards import RecordCorrectionWizard
    records = [r for r in desk.process.support_records(target.id) if r.supersedes is None]
    if records:
        wizards.append(("step-record_correction", lambda: RecordCorrectionWizard(
            desk, target.id, record_id=records[0].id, **_options())))
    for help_id, make in wizards:
        try:
            w = make()
        except Exception as exc:  # noqa: BLE001 - a picture missing is said, not fatal
            print(f"{help_id}: no picture ({exc})", file=sys.stderr)
            continue
        fit_to_screen(w, 1040, 720, room)
        w.show()
        _wait_idle(app)
        shot(w, help_id)
        w.hide()
        w.deleteLater()
    from ui.login import LoginDialog
    login_dialog = LoginDialog(path, login=login)
    login_dialog.show()
    _wait_idle(app)
    shot(login_dialog, "login")
    login_dialog.close()
    from ui.lock import LockScreen
    lock = LockScreen(desk.agency.name, desk.user.display_name, login)
    lock.resize(*SCREEN)
    lock.show()
    _wait_idle(app)
    shot(lock, "lock")
    lock.close()
    _wait_idle(app)
    window.close()
    _wait_idle(app)
    background.wait_idle()
    if not desk.closed:
        desk.close()
    return taken


# ---------------------------------------------------------------------- the PDF
def ordered_pages() -> list[str]:
    """The help pages in the order of the table of contents (then any not listed there)."""
    from ui.help import INDEX, help_dir
    index = (help_dir() / f"{INDEX}.html").read_text(encoding="utf-8")
    order = [INDEX]
    for target in re.findall(r'href="([^"#]+)\.html"', index):
        if target not in order:
            order.append(target)
    for path in sorted(help_dir().glob("*.html")):
        if path.stem not in order:
            order.append(path.stem)
    return order


def manual_html(img_dir: Path | None = None) -> str:
    from ui.help import help_dir
    parts = ['<h1 style="font-size: 28pt;">つなぐ 操作マニュアル</h1>'
             "<p>このマニュアルは、プログラムの中のヘルプ（F1）と同じページを印刷用にまとめたもの"
             "です。画面の絵は <code>python tools/manual.py</code> でいつでも作り直せます。</p>"]
    for i, pid in enumerate(ordered_pages()):
        text = (help_dir() / f"{pid}.html").read_text(encoding="utf-8")
        body = re.search(r"<body>(.*)</body>", text, flags=re.S)
        body_html = body.group(1) if body else text
        body_html = re.sub(r"<hr>.*$", "", body_html, flags=re.S)   # the links at the foot
        if img_dir is not None:
            body_html = body_html.replace('src="img/', f'src="{img_dir.as_posix()}/')
        body_html = body_html.replace('width="560"', 'width="1000"')   # the page's width
        parts.append(f'<div style="page-break-before: always;">{body_html}</div>')
    return "<html><body>" + "\n".join(parts) + "</body></html>"


def render_pdf(pdf: Path, img_dir: Path) -> int:
    """The manual as A4 pages; returns how many."""
    from PySide6.QtCore import QMarginsF, QSizeF, QUrl
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument
    from ui.startup import ui_font
    pdf.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(pdf))
    writer.setTitle("つなぐ 操作マニュアル")
    writer.setCreator("Tsunagu tools/manual.py")
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    writer.setResolution(144)
    doc = QTextDocument()
    doc.setDefaultFont(ui_font(10.5))
    doc.setBaseUrl(QUrl.fromLocalFile(str(img_dir.parent) + "/"))
    doc.setHtml(manual_html(img_dir))
    rect = writer.pageLayout().paintRectPixels(writer.resolution())
    doc.setPageSize(QSizeF(rect.width(), rect.height()))
    doc.print_(writer)
    return doc.pageCount()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pdf", default=str(ROOT / "docs" / "つなぐ操作マニュアル.pdf"))
    parser.add_argument("--img-dir", default="", help="where the pictures go "
                        "(default: resources/help/img)")
    parser.add_argument("--cases", type=int, default=24)
    parser.add_argument("--no-pictures", action="store_true",
                        help="only render the PDF from the pictures there are")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = os.environ.get("TSUNAGU_HOME")
    with tempfile.TemporaryDirectory(prefix="tsunagu-manual-") as tmp:
        os.environ["TSUNAGU_HOME"] = tmp   # settings and prints of this run stay in here
        try:
            from ui.help import help_dir
            img_dir = Path(args.img_dir) if args.img_dir else help_dir() / "img"
            if not args.no_pictures:
                taken = take_pictures(img_dir, Path(tmp), args.cases)
                print(f"{len(taken)} pictures in {img_dir}")
            pages = render_pdf(Path(args.pdf), img_dir)
            print(f"{args.pdf}: {pages} pages")
        finally:
            if home is None:
                os.environ.pop("TSUNAGU_HOME", None)
            else:
                os.environ["TSUNAGU_HOME"] = home
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
