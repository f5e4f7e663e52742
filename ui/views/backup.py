"""The backup area (administrators): where backups go and how many are kept, backing up
now, checking the backups, restoring one. Also ``AutoBackup``, which the main window
keeps: a backup on exit and at most once a day while the program runs, and the
background page check of a large database after login.

All file and database work runs through ui.background.run_in_background; failures are
shown in the status bar and in a dialog that says what to do — never silently.
"""

from __future__ import annotations

import os

from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QMessageBox, QPushButton, QSpinBox, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from app.errors import (
    Cancelled, DamagedDatabase, TruncatedDatabase, TsunaguError, ValidationErrors,
)
from app.i18n import N_, _
from app.operations.maintenance import MAX_GENERATIONS, BackupUnlocker
from app.security.roles import Role
from app.store.backup import NAME, BackupInfo
from app.store.db import FULL_CHECK_AT_OPEN_BYTES, cancelled
from ui.areas import Area, register
from ui.background import run_aside, run_in_background, stop_aside, wait_idle
from ui.recovery import (
    BAD_COLOR, OK_COLOR, WAIT_COLOR, RestoreConfirmDialog, error_text, size_text, when_text,
)
from ui.widgets import ErrorLabel

CHECK_EVERY_MS = 5 * 60 * 1000      # is a daily backup due?
FIRST_CHECK_MS = 60 * 1000          # shortly after login
INTEGRITY_DELAY_MS = 30 * 1000      # the page check of a large desk: after the first screens
RETRY_AFTER = timedelta(minutes=30)  # after a failure (e.g. the USB drive is not plugged in)
STATUS_OK = "color: #1d6b2f;"
STATUS_BAD = "color: #b00020; font-weight: bold;"


def _show_problem(parent: QWidget, text: str) -> None:
    """Non-modal warning: work goes on while it is shown."""
    box = QMessageBox(QMessageBox.Icon.Warning, _("Backup failed"), text,
                      QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.show()


def _ask_at_exit(parent: QWidget, text: str) -> str:
    """'retry', 'quit' (without a backup) or 'stay' (do not quit)."""
    box = QMessageBox(QMessageBox.Icon.Warning, _("Backup failed"), text, parent=parent)
    retry = box.addButton(_("Try again"), QMessageBox.ButtonRole.AcceptRole)
    quit_ = box.addButton(_("Quit without a backup"), QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(_("Do not quit"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(retry)
    box.exec()
    clicked = box.clickedButton()
    return "retry" if clicked is retry else "quit" if clicked is quit_ else "stay"


def what_to_do(error: BaseException) -> str:
    return _("{problem}\n\nThe database itself was not changed and you can go on working. "
             "Tsunagu tries again in 30 minutes; you can also back up now from the Backup "
             "area.").format(problem=error_text(error))


def lowest_priority() -> None:
    """The calling worker thread yields to the screens (the check is not urgent)."""
    from PySide6.QtCore import QThread
    QThread.currentThread().setPriority(QThread.Priority.IdlePriority)
    if hasattr(os, "setpriority"):   # Qt cannot lower a normal thread's priority on Linux
        try:
            import threading
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        except OSError:
            pass


def backup_in_background(owner: QObject, desk, on_done: Callable[[Path | None], None],
                         on_error: Callable[[BaseException], None], *,
                         now: datetime | None = None, reason: str = "auto",
                         only_if_due: bool = False) -> None:
    """A backup in three steps, so that the screens never wait for it: where it goes (the
    writer, a moment), the copy and its check on a connection of their own beside the
    screens (the second worker: at 100,000 cases a minute or more, while cases are read
    and saved as usual; stopped when the desk locks or closes), and what it counts for —
    the day's backup, the audit entry (the writer, a moment). ``on_done(path)``, or
    ``on_done(None)`` when ``only_if_due`` and one was made today."""
    raw = getattr(desk, "raw", desk)
    generation = getattr(desk, "generation", 0)

    def same_desk() -> bool:
        """Not locked, unlocked or closed since the backup began (each step's answer
        comes back by a queued signal: the lock may have come in between)."""
        return getattr(desk, "generation", 0) == generation and not raw.closed

    def prepared(job) -> None:
        if job is None:
            on_done(None)
            return
        if not same_desk():
            on_error(cancelled())
            return

        def written(path) -> None:
            if not same_desk():   # nobody can record it now: no backup without its entry
                raw.maintenance.discard_backup(job, path)
                on_error(cancelled())
                return
            run_in_background(owner, lambda: desk.maintenance.record_backup(job, path),
                              on_done, on_error)
        run_aside(owner, lambda stop: raw.maintenance.write_backup(job, stop), written,
                  on_error)
    run_in_background(owner, lambda: desk.maintenance.prepare_backup(
        now, only_if_due=only_if_due, reason=reason), prepared, on_error)


class AutoBackup(QObject):
    """Automatic backups for one main window (and the background integrity check).

    ``clock``, ``show_problem`` (non-blocking) and ``ask_at_exit`` are injected in tests."""

    def __init__(self, window, *, clock: Callable[[], datetime] = datetime.now,
                 check_every_ms: int = CHECK_EVERY_MS, first_check_ms: int = FIRST_CHECK_MS,
                 show_problem: Callable[[str], None] | None = None,
                 ask_at_exit: Callable[[str], str] | None = None,
                 integrity_check_bytes: int = FULL_CHECK_AT_OPEN_BYTES,
                 integrity_delay_ms: int = INTEGRITY_DELAY_MS):
        super().__init__(window)
        self.window = window
        self.clock = clock
        self.show_problem = show_problem or (lambda text: _show_problem(window, text))
        self.ask_at_exit = ask_at_exit or (lambda text: _ask_at_exit(window, text))
        self.enabled = True      # off once the desk is damaged or being restored
        self.running = False
        self.integrity_pending = False   # a page check stopped by a lock, to run again
        self.exit_done = False
        self.exit_running = False
        self.retry_at: datetime | None = None
        self.last_problem = ""
        self.last_path: Path | None = None
        self.label = QLabel()
        window.statusBar().addWidget(self.label)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        if check_every_ms > 0:
            self.timer.start(check_every_ms)
            QTimer.singleShot(first_check_ms, self, self.check)
        try:
            large = window.desk.path.stat().st_size > integrity_check_bytes
        except OSError:
            large = False
        if large:  # small files had every page checked at open already
            QTimer.singleShot(integrity_delay_ms, self, self.check_integrity)

    def check_integrity(self) -> None:
        """Every page of a large desk read and checked: on a connection of its own, past the
        shared lock, on the second worker at the lowest priority — a minute at 100,000
        cases, while the screens read and write as usual."""
        if not self.enabled or self.desk.closed:
            return
        raw = getattr(self.window.desk, "raw", self.window.desk)
        self.integrity_pending = False

        def check(stop) -> None:
            lowest_priority()
            raw.maintenance.check_integrity(stop)
        run_aside(self, check, lambda _r: None, self._integrity_failed)

    @property
    def desk(self):
        return self.window.desk

    # ---------------------------------------------------------------- daily
    def check(self) -> None:
        """Timer tick: back up in the background if none was made today."""
        if not self.enabled or self.running or self.exit_running or self.desk.closed:
            return
        if self.integrity_pending:   # stopped by a lock before it ended: again, now
            self.check_integrity()
        now = self.clock()
        if self.retry_at is not None and now < self.retry_at:
            return
        self.running = True
        backup_in_background(self, self.desk, self._done, self._failed, now=now,
                             only_if_due=True)

    def _done(self, path) -> None:
        self.running = False
        if path is None:
            return
        self.retry_at = None
        self.last_problem = ""
        self.last_path = Path(path)
        self.label.setStyleSheet(STATUS_OK)
        self.label.setText(_("Backed up at {time}").format(time=self.clock().strftime("%H:%M")))
        self.label.setToolTip(str(path))

    def _failed(self, error: BaseException) -> None:
        self.running = False
        if isinstance(error, Cancelled):   # the desk locked or closed: again at the next tick
            return
        if self._damaged(error):
            return
        self.retry_at = self.clock() + RETRY_AFTER
        message = error_text(error)
        self.label.setStyleSheet(STATUS_BAD)
        self.label.setText(_("Backup failed — see the Backup area"))
        self.label.setToolTip(message)
        if message != self.last_problem:  # the same problem again: the status bar says it
            self.last_problem = message
            self.show_problem(what_to_do(error))

    def _damaged(self, error: BaseException) -> bool:
        if isinstance(error, (DamagedDatabase, TruncatedDatabase)):
            self._integrity_failed(error)
            return True
        return False

    def _integrity_failed(self, error: BaseException) -> None:
        if isinstance(error, Cancelled):   # the desk locked or closed meanwhile
            self.integrity_pending = True
            return
        if not isinstance(error, TsunaguError):
            self.show_problem(error_text(error))
            return
        if not self.enabled:
            return
        self.enabled = False  # never back up a damaged database over good backups
        wait_idle()
        if not self.desk.closed:
            self.desk.close()
        self.window.damaged.emit(str(error))

    # ---------------------------------------------------------------- exit
    def on_close(self, event) -> bool:
        """Called from the window's closeEvent. True: close now. A user's close gets the
        backup in the background (the window waits, disabled); a close from the program
        (shutdown, tests) backs up before returning."""
        if self.exit_done or not self.enabled or self.desk.closed:
            return True
        stop_aside()   # a daily backup's copy under way: the one on exit replaces it
        if event.spontaneous():
            event.ignore()
            self._exit_in_background()
            return False
        wait_idle()
        try:
            self.desk.maintenance.auto_backup(self.clock(), reason="exit")
        except Exception as error:  # noqa: BLE001 - shown, never a traceback
            self.show_problem(error_text(error))
        self.exit_done = True
        return True

    def _exit_in_background(self) -> None:
        if self.exit_running:
            return
        self.exit_running = True
        self.window.setEnabled(False)
        self.label.setStyleSheet("")
        self.label.setText(_("Backing up before closing…"))
        desk, now = self.desk, self.clock()
        run_in_background(self, lambda: desk.maintenance.auto_backup(now, reason="exit"),
                          self._exit_done, self._exit_failed)

    def _exit_done(self, _path) -> None:
        self.exit_running = False
        self.exit_done = True
        self.window.close()

    def _exit_failed(self, error: BaseException) -> None:
        self.exit_running = False
        self.window.setEnabled(True)
        self.label.setStyleSheet(STATUS_BAD)
        self.label.setText(_("Backup failed — see the Backup area"))
        answer = self.ask_at_exit(_("The backup before closing failed.\n\n{problem}").format(
            problem=error_text(error)))
        if answer == "retry":
            self._exit_in_background()
        elif answer == "quit":
            self.exit_done = True
            self.window.close()


class BackupView(QWidget):
    """The backup area: settings, back up now, the list of backups, restore."""

    def __init__(self, window, *,
                 choose_folder: Callable[[QWidget], str | None] | None = None,
                 choose_file: Callable[[QWidget], str | None] | None = None,
                 confirm_restore: Callable[[BackupInfo], tuple[str, str] | None] | None = None,
                 show_message: Callable[[str], None] | None = None):
        super().__init__()
        self.window = window
        self.desk = window.desk
        self.choose_folder = choose_folder or (lambda parent: QFileDialog.getExistingDirectory(
            parent, _("Backup folder")) or None)
        self.choose_file = choose_file or (lambda parent: QFileDialog.getOpenFileName(
            parent, _("Backup file"), "", _("Tsunagu backups (tsunagu-*.db)"))[0] or None)
        self.confirm_restore = confirm_restore or self._ask_restore
        self.show_message = show_message or (
            lambda text: QMessageBox.information(self, _("Backup"), text))
        self.backups: list[BackupInfo] = []
        self.rows: dict[Path, QTreeWidgetItem] = {}

        title = QLabel(_("Backup"))
        title.setStyleSheet("font-size: 15pt; font-weight: bold; color: #1d3d5c;")
        intro = QLabel(_("Tsunagu backs up by itself when it closes and once a day while it "
                         "runs. Each backup is encrypted like the database, holds the key file "
                         "and is checked by opening it again. Keep the backups on another "
                         "drive (a USB drive or a NAS), not only on this PC."))
        intro.setWordWrap(True)

        settings = QGroupBox(_("Where backups go"))
        self.folder = QLineEdit()
        self.folder.setPlaceholderText(_("Default: the backups folder beside the database"))
        browse = QPushButton(_("Choose…"))
        browse.clicked.connect(self.browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.generations = QSpinBox()
        self.generations.setRange(1, MAX_GENERATIONS)
        self.generations.setSuffix(_(" backups"))
        self.generations.setFixedWidth(140)
        self.folder_error = ErrorLabel()
        self.generations_error = ErrorLabel()
        self.save_button = QPushButton(_("Save the settings"))
        self.save_button.clicked.connect(self.save_settings)
        self.saved = QLabel()
        self.saved.setStyleSheet(STATUS_OK)
        form = QFormLayout(settings)
        form.addRow(_("Backup folder"), _stacked(folder_row, self.folder_error))
        generations_row = QHBoxLayout()
        generations_row.addWidget(self.generations)
        generations_row.addStretch(1)
        form.addRow(_("Keep"), _stacked(generations_row, self.generations_error))
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.saved, 1)
        form.addRow("", save_row)

        state = QGroupBox(_("Backups"))
        self.last = QLabel()
        self.last.setWordWrap(True)
        self.backup_now_button = QPushButton(_("Back up now"))
        primary(self.backup_now_button)
        self.backup_now_button.clicked.connect(self.backup_now)
        self.verify_button = QPushButton(_("Check all backups"))
        self.verify_button.clicked.connect(self.verify_all)
        self.restore_button = QPushButton(_("Restore the selected backup…"))
        self.restore_button.clicked.connect(self.restore_selected)
        self.restore_file_button = QPushButton(_("Restore from a file…"))
        self.restore_file_button.clicked.connect(self.restore_from_file)
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels([_("Made on"), _("Size"), _("State"), _("File")])
        header = self.table.header()
        for column in (0, 1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.error = ErrorLabel()
        top = QHBoxLayout()
        top.addWidget(self.last, 1)
        top.addWidget(self.backup_now_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.verify_button)
        bottom.addStretch(1)
        bottom.addWidget(self.restore_file_button)
        bottom.addWidget(self.restore_button)
        box = QVBoxLayout(state)
        box.addLayout(top)
        box.addWidget(self.table, 1)
        box.addLayout(bottom)
        box.addWidget(self.status)
        box.addWidget(self.error)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(settings)
        layout.addWidget(state, 1)
        self.load_settings()
        self.refresh()

    # ---------------------------------------------------------------- settings
    def load_settings(self) -> None:
        s = self.desk.maintenance.backup_settings()
        self.folder.setText(str(s.folder) if s.custom else "")
        self.generations.setValue(s.generations)

    def browse(self) -> None:
        chosen = self.choose_folder(self)
        if chosen:
            self.folder.setText(chosen)

    def save_settings(self) -> None:
        self.folder_error.clear_message()
        self.generations_error.clear_message()
        self.saved.setText("")
        folder, generations = self.folder.text().strip(), self.generations.value()
        desk = self.desk
        self.save_button.setEnabled(False)
        run_in_background(self, lambda: desk.maintenance.set_backup_settings(folder, generations),
                          self._saved, self._save_failed)

    def _saved(self, settings) -> None:
        self.save_button.setEnabled(True)
        self.load_settings()
        self.saved.setText(_("Saved. Backups go to {folder}.").format(folder=settings.folder))
        self.refresh()

    def _save_failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationErrors):
            for e in error.errors:
                target = self.generations_error if e.field == "backup.generations" \
                    else self.folder_error
                target.show_message(e.message)
            (self.generations if any(e.field == "backup.generations" for e in error.errors)
             and not any(e.field == "backup.folder" for e in error.errors)
             else self.folder).setFocus()
        else:
            self.folder_error.show_message(error_text(error))

    # ---------------------------------------------------------------- list
    def refresh(self) -> None:
        desk = self.desk
        run_in_background(self, lambda: (desk.maintenance.backups(), desk.maintenance.last_backup(),
                                          desk.maintenance.backup_settings().folder), self._listed,
                          self._failed)

    def _listed(self, result) -> None:
        backups, last, folder = result
        self.backups = backups
        self.last.setText(
            (_("Last backup: {when}").format(when=when_text(last)) if last
             else _("No backup has been made yet.")) + "\n"
            + _("Folder: {folder}").format(folder=folder))
        self.last.setStyleSheet("" if last else STATUS_BAD)
        self.table.clear()
        self.rows.clear()
        for info in backups:
            item = QTreeWidgetItem([when_text(info.created), size_text(info.size),
                                    _("Not checked yet"), info.path.name])
            item.setToolTip(3, str(info.path))
            self.table.addTopLevelItem(item)
            self.rows[info.path] = item
        if backups:
            self.table.topLevelItem(0).setSelected(True)
        self._selection_changed()

    def _selection_changed(self) -> None:
        self.restore_button.setEnabled(self.selected() is not None)

    def selected(self) -> BackupInfo | None:
        items = self.table.selectedItems()
        if not items:
            return None
        for info in self.backups:
            if self.rows.get(info.path) is items[0]:
                return info
        return None

    def _failed(self, error: BaseException) -> None:
        self.error.show_message(error_text(error))

    # ---------------------------------------------------------------- actions
    def backup_now(self) -> None:
        self.error.clear_message()
        self.status.setStyleSheet("")
        self.status.setText(_("Backing up…"))
        self.backup_now_button.setEnabled(False)
        backup_in_background(self, self.desk, self._backed_up, self._backup_failed,
                             reason="manual")

    def _backed_up(self, path) -> None:
        self.backup_now_button.setEnabled(True)
        self.status.setStyleSheet(STATUS_OK)
        self.status.setText(_("Backup written and checked: {path}").format(path=path))
        auto = getattr(self.window, "auto_backup", None)
        if auto is not None:
            auto._done(path)
        self.refresh()

    def _backup_failed(self, error: BaseException) -> None:
        self.backup_now_button.setEnabled(True)
        self.status.setText("")
        self.error.show_message(error_text(error))

    def verify_all(self) -> None:
        self.error.clear_message()
        desk = self.desk
        for info in self.backups:
            self._set_row(info.path, _("Checking…"), WAIT_COLOR)
            run_in_background(self, lambda p=info.path: desk.maintenance.verify_backup(p),
                              lambda _v, p=info.path: self._set_row(p, _("Intact"), OK_COLOR),
                              lambda e, p=info.path: self._set_row(
                                  p, _("Damaged"), BAD_COLOR, error_text(e)))

    def _set_row(self, path: Path, text: str, color: str, tip: str = "") -> None:
        item = self.rows.get(path)
        if item is not None:
            item.setText(2, text)
            item.setForeground(2, QBrush(QColor(color)))
            item.setToolTip(2, tip)

    def restore_selected(self) -> None:
        info = self.selected()
        if info is not None:
            self.restore(info)

    def restore_from_file(self) -> None:
        chosen = self.choose_file(self)
        if not chosen:
            return
        path = Path(chosen)
        m = NAME.match(path.name)
        if not m or not Path(str(path) + ".keys").exists():
            self.error.show_message(_(
                "{name} is not a Tsunagu backup with its key file (tsunagu-….db and "
                "tsunagu-….db.keys side by side).").format(name=path.name))
            return
        self.restore(BackupInfo(path, datetime.strptime(m.group(1), "%Y%m%d-%H%M%S"),
                                path.stat().st_size))

    def _ask_restore(self, info: BackupInfo) -> tuple[str, str] | None:
        dialog = RestoreConfirmDialog(info, self.desk.user.login, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.secrets.values()

    def restore(self, info: BackupInfo) -> None:
        """Confirm, check the backup with the password (the desk stays open if that
        fails), then close the desk, restore, and hand over to the login."""
        self.error.clear_message()
        answer = self.confirm_restore(info)
        if answer is None:
            return
        login, secret = answer
        self.status.setStyleSheet("")
        self.status.setText(_("Checking the backup…"))
        run_in_background(self, lambda: BackupUnlocker(login, secret).check(info.path),
                          lambda _v: self._restore_now(info, login, secret),
                          self._restore_refused)

    def _restore_refused(self, error: BaseException) -> None:
        self.status.setText("")
        self.error.show_message(error_text(error))

    def _restore_now(self, info: BackupInfo, login: str, secret: str) -> None:
        from app.desk import Desk
        window = self.window
        auto = getattr(window, "auto_backup", None)
        if auto is not None:
            auto.enabled = False  # no exit backup of the database being replaced
        window.setEnabled(False)
        self.status.setText(_("Restoring the backup of {when}…").format(
            when=when_text(info.created)))
        wait_idle()
        live = window.desk.path
        if not window.desk.closed:
            window.desk.close()

        def done(kept) -> None:
            told = getattr(kept, "message", "")  # what was set aside, which work is missing
            window.session_ended.emit(_(
                "Restored the backup of {when}. The replaced files were kept as {kept}. Log "
                "in again; records entered after the backup must be entered again.").format(
                    when=when_text(info.created), kept=Path(kept).name)
                + ("\n" + told if told else ""))

        def failed(error: BaseException) -> None:
            window.session_ended.emit(_("The restore failed: {problem} The database was not "
                                        "replaced.").format(problem=error_text(error)))

        run_in_background(None, lambda: Desk.restore(info.path, live, login, secret), done,
                          failed)


def _stacked(row, error: ErrorLabel) -> QVBoxLayout:
    """A field with its error text right under it (no gap while there is none)."""
    box = QVBoxLayout()
    box.setSpacing(2)
    box.addLayout(row)
    box.addWidget(error)
    return box


def primary(button: QPushButton) -> QPushButton:
    """The blue main button (not bold: synthetic bold of the UI font overflows)."""
    button.setStyleSheet("QPushButton { padding: 6px 14px; }"  # enabled or not: same size
                         "QPushButton:enabled { background: #1f5f99; color: white;"
                         " border-radius: 4px; }")
    return button


register(Area("backup", N_("Backup"), lambda window: BackupView(window),
              lambda desk: desk.user.role == Role.ADMIN.value))
