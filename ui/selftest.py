"""``tsunagu --self-test``: a packaged build checks itself (fonts, database, intake, PDF,
main window) in a temporary folder and exits 0; ``--bench-startup`` shows the login
window and exits, for the start-up benchmark."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path


def self_test(app) -> int:
    from app.desk import Desk
    from app.domain import IntakeInput, PersonInput, Route, Sex, Triage
    from app.security.keyslots import KdfParams
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
        warnings = desk.print_intake(detail.case.id, Path(tmp) / "intake.pdf")
        window = MainWindow(desk, opener=lambda _p: None)
        window.show()
        app.processEvents()
        ok = (Path(tmp) / "intake.pdf").stat().st_size > 1000 and not warnings \
            and not window.grab().isNull()
        window.close()
    print("self-test ok" if ok else "self-test FAILED", flush=True)
    return 0 if ok else 1


def bench_startup(app, path: Path) -> int:
    from ui.login import LoginDialog
    dialog = LoginDialog(path)
    dialog.show()
    app.processEvents()
    dialog.close()
    return 0
