"""Entry point of the GUI (``tsunagu``, ``python -m ui``): set-up wizard or login, then the
main window. ``--demo`` opens a throwaway desk with synthetic cases."""

from __future__ import annotations

import argparse
import atexit
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from app import i18n
from app.i18n import _


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from app.paths import default_db_path
    parser = argparse.ArgumentParser(prog="tsunagu", description=_(
        "Tsunagu: records of a self-reliance consultation desk"))
    parser.add_argument("--demo", action="store_true", help=_(
        "open a throwaway demo desk with synthetic cases (removed on exit)"))
    parser.add_argument("--db", metavar="PATH", help=_("database file (default: {path})")
                        .format(path=default_db_path()))
    parser.add_argument("--lang", choices=list(i18n.SUPPORTED), default=i18n.language(),
                        help=_("language of the screens (ja or en)"))
    parser.add_argument("--self-test", action="store_true", help=_(
        "check this installation in a temporary folder and exit"))
    parser.add_argument("--self-test-pdf", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--bench-startup", action="store_true", help=argparse.SUPPRESS)
    from app import __version__
    parser.add_argument("--version", action="version", version=f"tsunagu {__version__}")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    i18n.set_language(args.lang)

    if not (args.self_test or args.bench_startup):
        from ui.preflight import problem
        why = problem()
        if why:
            print(_("Error: {message}").format(message=why), file=sys.stderr)
            return 2

    from PySide6.QtWidgets import QApplication, QDialog, QLabel

    from app.desk import Desk
    from app.paths import default_db_path
    from ui.background import run_in_background
    from ui.recovery import log_in, recover
    from ui.startup import prepare_application
    # the main window and the set-up wizard are imported when needed: the login window comes
    # first, and its login loads the screens while the password is checked (ui/login.warm_up)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Tsunagu")
    prepare_application(app, args.lang)
    from ui import printing
    printing.sweep_leftovers()   # printed PDFs a crashed run left behind (plain text)
    from ui.background import collect_garbage_on_gui_thread
    collect_garbage_on_gui_thread(app)
    windows: list = []

    def shut_down() -> None:
        for window in windows:
            window.close()  # the main window closes its desk

    app.aboutToQuit.connect(shut_down)
    # Ctrl+C / a polite kill ends the event loop cleanly (the demo folder is removed).
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_a: app.quit())
    from PySide6.QtCore import QTimer
    ticker = QTimer(app)
    ticker.timeout.connect(lambda: None)  # lets Python run its signal handlers
    ticker.start(300)

    if args.self_test:
        from ui.selftest import self_test
        return self_test(app, Path(args.self_test_pdf) if args.self_test_pdf else None)
    if args.bench_startup:
        from ui.selftest import bench_startup
        return bench_startup(app, Path(args.db) if args.db else default_db_path())

    demo_password: list[str] = []  # a demo desk's generated password, for its lock screen

    def show_main(desk) -> None:
        from ui.main_window import MainWindow
        window = MainWindow(desk, lock_options={"demo_password": demo_password[-1]}
                            if demo_password else None)
        windows.append(window)
        db_path, user = Path(desk.path), desk.user.login

        def next_session(new_desk, old=window) -> None:
            """After a restore or damage found while running: the desk is closed."""
            if new_desk is not None:
                show_main(new_desk)
            windows.remove(old)
            old.close()
            if new_desk is None:
                app.quit()

        window.damaged.connect(lambda message: next_session(recover(db_path, message, user)))

        def demo_notice(notice: str) -> str:
            if not demo_password:
                return notice
            return "\n".join(filter(None, [notice, _("Demo mode: the password is {password}")
                                            .format(password=demo_password[-1])]))

        window.session_ended.connect(
            lambda notice: next_session(log_in(db_path, notice=demo_notice(notice))))
        window.start()   # shown, then the dashboard (what is due today comes first)

    if args.demo:
        folder = Path(tempfile.mkdtemp(prefix="tsunagu-demo-"))
        app.aboutToQuit.connect(lambda: shutil.rmtree(folder, ignore_errors=True))
        atexit.register(shutil.rmtree, folder, True)
        note = QLabel(_("Creating the demo desk with synthetic cases…"))
        note.setMargin(24)
        note.setWindowTitle("Tsunagu")
        note.show()
        windows.append(note)
        path = folder / "demo.db"

        def build():
            from app.demo import create_demo
            login, password = create_demo(path, cases=200)
            demo_password.append(password)
            return Desk.open(path, login, password)

        def ready(desk) -> None:
            note.close()
            show_main(desk)
            print(_("Demo desk: {path}").format(path=path), flush=True)

        def failed(error: BaseException) -> None:
            note.setText(_("The demo desk could not be created: {error}").format(error=error))

        run_in_background(None, build, ready, failed)
        return app.exec()

    path = Path(args.db) if args.db else default_db_path()
    if not Desk.exists(path):
        from ui.setup_wizard import SetupWizard
        wizard = SetupWizard(path)
        if wizard.exec() != QDialog.DialogCode.Accepted or wizard.desk is None:
            return 1
        desk = wizard.desk
    else:
        desk = log_in(path)  # a damaged database leads to the recovery screen first
        if desk is None:
            return 1
    show_main(desk)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
