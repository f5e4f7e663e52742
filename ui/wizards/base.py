"""The one frame every wizard is built on — the intake (ui/wizards/intake.py) and each process
step: thin pages, the draft, core validation page by page, recording in the background.

A ``FormWizard`` shows pages (ui/wizards/pages.py) that only collect answers. Before 次へ each
page asks the core about its own fields (``page_errors``) and shows the messages under them;
on 確認 the answers go to one Desk operation, run in the background; the core's
``ValidationErrors`` come back to the page that holds the field and block; a refusal (the
process does not allow it now, with the reason) is shown in red on 確認.

A ``StepWizard`` is one process step of one case: which page comes next is asked of the core
(``app.process.wizard_next``) when the step has a page graph there.

Drafts: the whole form is kept under ``draft_key``, written off the GUI thread when typing
pauses, on page change and on closing (ui/wizards/draft.py); reopening offers to continue
from it. Dialogs that block (restore the draft? keep it?) are injected; the defaults are the
questions of ui/dialogs/drafts.py.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMessageBox, QWidget, QWizard, QWizardPage

from app import process as P
from app import text_ja
from app.errors import TsunaguError, ValidationError, ValidationErrors
from app.i18n import _
from ui.background import read_in_background, run_in_background, serialized
from ui.dialogs import drafts
from ui.widgets import DateField
from ui.wizards.draft import DraftSaver, NoDrafts
from ui.wizards.inputs import wareki
from ui.wizards.pages import ConfirmPage, FormPage, summary_table


# ---------------------------------------------------------------------- the frame
class FormWizard(QWizard):
    """Pages, 確認, the draft and recording; subclasses say what is built and recorded."""

    draft_words = drafts.STEP_DRAFT      # how the draft questions name this wizard's work
    finish_text = ""
    confirm_subtitle = ""
    busy_text = ""                       # on 確認 while the operation runs
    failed_text = ""                     # "… {error}" when it fails unexpectedly
    help_page = ""                       # its help page; a page's anchor is its name
    keeps_drafts = True                  # False: nothing typed is kept (the first set-up)
    closes_when_recorded = True          # False: goes on to the page after 確認

    def __init__(self, desk, parent: QWidget | None = None, *,
                 ask_restore_draft: Callable[[], bool] | None = None,
                 ask_keep_draft: Callable[[], bool] | None = None,
                 show_error: Callable[[str], None] | None = None,
                 ask_close: Callable[[], str] | None = None):
        super().__init__(parent)
        self.desk = serialized(desk)
        self.ask_restore_draft = ask_restore_draft or (  # ui/dialogs/drafts.py
            lambda: drafts.ask_restore_draft(self, self.draft_words))
        # closing with input asks 入力を続ける / 下書きを残して閉じる / 下書きを破棄して閉じる;
        # an injected ask_keep_draft (True: keep, False: discard) answers instead
        self.ask_keep_draft = ask_keep_draft
        self.ask_close = ask_close or (lambda: drafts.ask_close(self, self.draft_words))
        self.show_error = show_error or (lambda text: QMessageBox.warning(self, _("Error"), text))
        self._restoring = False
        self.recorded = False
        self.result_value: Any = None
        self.pages: list[FormPage] = []
        # the draft: written when typing pauses, off the GUI thread (ui/wizards/draft.py)
        self.drafts = (DraftSaver(self, self.desk, self.draft_key, self.payload)
                       if self.keeps_drafts else NoDrafts(self))
        self.drafts.failed.connect(self._draft_failed)
        self._draft_error = ""
        self.setOption(QWizard.WizardOption.IndependentPages, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setButtonText(QWizard.WizardButton.FinishButton, self.finish_text or _("Record"))

    @property
    def draft_key(self) -> str:
        raise NotImplementedError

    def assemble(self, pages: list[FormPage], width: int, height: int) -> None:
        """The pages and 確認 in order; a long page scrolls (次へ / キャンセル stay on the
        screen); the wizard fits the screen."""
        self.confirm = ConfirmPage(self, self.confirm_subtitle)
        self.pages = [*pages, self.confirm]
        for i, page in enumerate(self.pages):
            self.setPage(i, page)
        self.setStartId(0)
        from ui.fit import fit_to_screen, make_scrollable
        for page in self.pages:
            make_scrollable(page)
        fit_to_screen(self, width, height)

    def offer_draft(self) -> None:
        """A draft kept from before: continue from it, or discard it (the question)."""
        draft = self.drafts.load()
        if draft:
            if self.ask_restore_draft():
                self.restore(draft)
                self.drafts.restored()
            else:
                self.drafts.discard()
        self.currentIdChanged.connect(lambda _id: self.drafts.flush())

    def page_named(self, name: str) -> FormPage:
        return next(p for p in self.pages if p.key == name)

    def page_(self, page_id: int) -> QWizardPage:
        return QWizard.page(self, page_id)

    # ---------------------------------------------------------------- to override
    def page_errors(self, page: FormPage) -> list[ValidationError]:
        """The core's problems with the fields of ``page`` (before 次へ), when judging them
        reads no database (the intake's ``check_intake``)."""
        return []

    def check_page(self, page: FormPage,
                   done: Callable[[list[ValidationError] | None], None]) -> None:
        """Judge ``page`` before 次へ and hand the problems to ``done`` — at once, or from
        the background for a check that reads the database (``StepWizard``, the intake's
        same-person search); ``None``: stay on the page, nothing to say."""
        done(self.page_errors(page))

    def page_checking(self, page: FormPage, busy: bool) -> None:
        """A page's check started or answered: the wizard looks busy meanwhile."""
        from PySide6.QtCore import Qt
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    @property
    def checking(self) -> bool:
        """Whether a page's check is still under way (tests wait on it)."""
        return any(p.checking for p in self.pages)

    def prepared(self) -> tuple[Callable[[], Any], list[ValidationError]]:
        """The Desk call recording the answers (run off the GUI thread) and the problems
        known before it runs (unreadable dates …)."""
        raise NotImplementedError

    def summary_html(self) -> str:
        return ""

    def on_recorded(self, result: Any) -> None:
        """Recorded: tell the world (a signal)."""

    def on_failed(self, error: BaseException) -> bool:
        """A failure this wizard answers itself (True: handled)."""
        return False

    def worth_keeping(self) -> bool:
        """Closing asks whether to keep the draft only when there is something in it."""
        return self.drafts.has_draft()

    # ---------------------------------------------------------------- drafts
    def payload(self) -> dict[str, Any]:
        """The whole form as typed (JSON-serialisable), dates as text even when unreadable."""
        data: dict[str, Any] = {"version": 1}
        for page in self.pages:
            data.update(page.state())
        return data

    def restore(self, payload: dict[str, Any]) -> None:
        self._restoring = True
        try:
            for page in self.pages:
                page.restore(payload)
        finally:
            self._restoring = False

    def field_changed(self, *_args) -> None:
        if self._restoring or self.recorded:
            return
        self.drafts.changed()   # written when typing pauses, off the GUI thread

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt override
        # closing or the screen lock (which hides every window): what is pending is
        # written first; the lock waits for the draft worker before it closes the desk
        if not self.recorded:
            self.drafts.flush()
        super().hideEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self.recorded:
            self.drafts.flush()   # typed while the desk was locked: written now

    def _draft_failed(self, text: str) -> None:
        if text != self._draft_error:   # once per kind of failure, not per keystroke
            self._draft_error = text
            self.show_error(_("The draft could not be saved: {error}").format(error=text))

    def reject(self) -> None:
        if not self.recorded and self.worth_keeping():
            answer = drafts.close_answer(self.ask_keep_draft, self.ask_close)
            if answer == drafts.CONTINUE:
                return            # the wizard stays open, nothing lost
            if answer == drafts.DISCARD:
                self.drafts.discard()
        elif not self.recorded and self.drafts.has_draft():
            self.drafts.discard()  # nothing worth keeping in it
        super().reject()

    # ---------------------------------------------------------------- recording
    def submit(self) -> None:
        op, errors = self.prepared()
        if errors:
            self.route_errors(errors)
            return
        self.confirm.busy = True
        self.confirm.show_refusal("")
        self.confirm.status.setText(self.busy_text or _("Recording…"))
        self._buttons(False)
        run_in_background(self, op, self._recorded, self._failed)

    def _recorded(self, result: Any) -> None:
        self.recorded = True
        self.result_value = result
        self.drafts.discard()
        self.confirm.done = True
        self.confirm.busy = False
        self._buttons(True)
        self.on_recorded(result)
        if self.closes_when_recorded:
            self.accept()
        else:
            self.next()

    def _failed(self, error: BaseException) -> None:
        self.confirm.busy = False
        self.confirm.status.setText("")
        self._buttons(True)
        if self.on_failed(error):
            return
        if isinstance(error, ValidationErrors):
            self.route_errors(error.errors)
        elif isinstance(error, ValidationError):
            self.route_errors([error])
        elif isinstance(error, TsunaguError):
            self.confirm.show_refusal(str(error))
        else:
            self.confirm.show_refusal((self.failed_text or _("Could not be recorded: {error}"))
                                      .format(error=error))

    def route_errors(self, errors: list[ValidationError]) -> None:
        """Go back to the first page shown that has a problem and show the messages under
        its fields; messages no page shown can hold go to the current page."""
        visited = [self.page_(i) for i in self.visitedIds()]
        for page in [p for p in self.pages[:-1] if p in visited]:
            mine = [e for e in errors if page.owns(e)]
            if mine:
                while self.currentPage() is not page and self.currentId() != self.startId():
                    self.back()
                page.show_errors(mine)
                return
        current = self.currentPage()
        if current is self.confirm:
            self.confirm.show_refusal("\n".join(e.message for e in errors))
        elif isinstance(current, FormPage):
            current.general_error.show_message("\n".join(e.message for e in errors))

    def _buttons(self, enabled: bool) -> None:
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.FinishButton,
                      QWizard.WizardButton.CancelButton):
            self.button(which).setEnabled(enabled)


# ---------------------------------------------------------------------- a process step
class StepWizard(FormWizard):
    """A wizard for one process step of one case. Emits ``completed(step)`` once recorded."""

    step: P.Step = P.Step.RECORD
    graph: P.Step | None = None          # the step whose page graph app/process.py holds
    title_text = ""

    completed = Signal(str)

    def __init__(self, desk, case_id: str, parent: QWidget | None = None, *,
                 ask_restore_draft: Callable[[], bool] | None = None,
                 ask_keep_draft: Callable[[], bool] | None = None,
                 show_error: Callable[[str], None] | None = None,
                 ask_close: Callable[[], str] | None = None, **context: Any):
        self.case_id = case_id
        self.context = context
        self._parse: dict[str, list[ValidationError]] = {}
        super().__init__(desk, parent, ask_restore_draft=ask_restore_draft,
                         ask_keep_draft=ask_keep_draft, show_error=show_error,
                         ask_close=ask_close)
        self.setWindowTitle(self.title_text or self.step.label)
        self.help_page = f"step-{self.step.value}"
        self._restoring = True
        self.load()
        self.assemble(self.build(), 1000, 700)
        self.prefill()
        self._restoring = False
        self.install_print_button()
        self.offer_draft()


    # ---------------------------------------------------------------- 印刷
    def install_print_button(self) -> None:
        """「印刷」 at the bottom left: the step's own sheet (ui/print_menu.STEP_SHEETS) first,
        filled from what is saved, blank, or for another agency; then the other sheets."""
        from ui.print_menu import STEP_SHEETS, PrintMenu, SheetPrinter
        self.printer = SheetPrinter(self, self.desk, self.case_id,
                                    opener=self.context.get("opener"),
                                    warn=self.context.get("warn"),
                                    dialogs=self.context.get("dialogs"))
        self.print_menu = PrintMenu(self.printer, own=STEP_SHEETS.get(self.step, ""),
                                    parent=self)
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setButtonText(QWizard.WizardButton.CustomButton1, _("Print") + " ▾")
        self.print_button = self.button(QWizard.WizardButton.CustomButton1)
        self.print_button.setToolTip(_("Print this step's sheet: filled in from what is "
                                       "saved, blank for handwriting, or for another agency"))
        self.customButtonClicked.connect(self._print_clicked)
        self.printer.busy_changed.connect(lambda busy: self.print_button.setEnabled(not busy))
        from ui.help import install_wizard_help   # ヘルプ (F1) beside 印刷 (issue 18)
        install_wizard_help(self)
        self.setButtonLayout([QWizard.WizardButton.HelpButton, QWizard.WizardButton.CustomButton1,
                              QWizard.WizardButton.Stretch,
                              QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton,
                              QWizard.WizardButton.CommitButton,
                              QWizard.WizardButton.FinishButton,
                              QWizard.WizardButton.CancelButton])

    def _print_clicked(self, which) -> None:
        if which in (QWizard.WizardButton.CustomButton1,
                     QWizard.WizardButton.CustomButton1.value):
            from PySide6.QtCore import QPoint
            b = self.print_button
            above = b.mapToGlobal(QPoint(0, 0))  # opens upwards, from the button bar
            self.print_menu.popup(QPoint(above.x(),
                                         above.y() - self.print_menu.sizeHint().height()))

    # ---------------------------------------------------------------- to override
    def load(self) -> None:
        """Read what the pages need from the desk (before they are built)."""

    def build(self) -> list[FormPage]:
        raise NotImplementedError

    def prefill(self) -> None:
        """Defaults (today's date, the previous version's answers …)."""

    def derived(self, answers: dict[str, Any]) -> dict[str, Any]:
        """Extra answers the page graph reads (e.g. whether the plan has statutory services)."""
        return {}

    def operation(self, a: dict[str, Any]) -> Callable[[], Any]:
        """The Desk call(s) recording the answers; runs off the GUI thread."""
        raise NotImplementedError

    def summary_rows(self, a: dict[str, Any]) -> list[tuple[str, str]]:
        return []

    # ---------------------------------------------------------------- pages and answers
    @property
    def draft_key(self) -> str:
        return f"{self.step.value}:{self.case_id}"

    def answers(self) -> dict[str, Any]:
        a: dict[str, Any] = {}
        for page in self.pages:
            a.update(page.state())
        a.update(self.derived(a))
        return a

    def path(self) -> list[str]:
        names = [p.key for p in self.pages]
        if self.graph is not None:
            return [n for n in P.wizard_path(self.graph, self.answers()) if n in names]
        return names

    def nextId(self) -> int:  # noqa: N802 - Qt override
        page = self.currentPage()
        if not isinstance(page, FormPage):
            return -1
        names = [p.key for p in self.pages]
        if self.graph is not None:
            nxt = P.wizard_next(self.graph, page.key, self.answers())
        else:
            i = names.index(page.key)
            nxt = names[i + 1] if i + 1 < len(names) else None
        return names.index(nxt) if nxt in names else -1

    # ---------------------------------------------------------------- dates typed as text
    def date(self, key: str, label: str = "") -> date | None:
        """The date typed in ``key`` (any page), None when empty; an unreadable date is
        remembered as a message for its page."""
        for page in self.pages:
            w = page.inputs.get(key)
            if isinstance(w, DateField):
                try:
                    return w.parsed(key)
                except ValidationError as e:
                    self._parse.setdefault(page.key, []).append(e)
                    return None
        raise KeyError(key)

    def row_date(self, text: str, key: str, label: str) -> date | None:
        if not (text or "").strip():
            return None
        try:
            return text_ja.parse_date(text, key)
        except ValidationError as e:
            owner = next((p for p in self.pages if p.owner_key(key)), self.confirm)
            self._parse.setdefault(owner.key, []).append(ValidationError(
                key, _("{label}: {message}").format(label=label, message=e.message)))
            return None

    def parse_errors(self, page: FormPage) -> list[ValidationError]:
        """Unreadable dates on ``page`` (reads every date of the page)."""
        self._parse = {}
        try:
            self.operation(self.answers())
        except Exception:  # noqa: BLE001 - building the call only; the core judges later
            pass
        return [e for e in self._parse.get(page.key, []) if page.owns(e)]

    def check_page(self, page: FormPage,
                   done: Callable[[list[ValidationError] | None], None]) -> None:
        """Unreadable dates first (at once), then the core's problems with the page's
        fields: the operation run and rolled back (``desk.process.check_only``) — it reads
        and writes the database, so it runs on the background reading path, never on the
        GUI thread behind the writer. Problems of fields on later pages wait for those
        pages; a check that cannot run never blocks 次へ."""
        unreadable = self.parse_errors(page)
        if unreadable:
            done(unreadable)
            return
        op = self.checking_operation()
        if op is None:
            done([])       # answers still incomplete: the last page reports
            return
        run, late = op

        def work(reader) -> list[ValidationError]:
            late.desk = reader           # the dry run's calls go to the reading connection
            try:
                return reader.process.check_only(run)
            finally:
                late.desk = None

        read_in_background(self, self.desk, work,
                           lambda found: done([e for e in found if e.field and page.owns(e)]),
                           lambda _error: done([]))

    def checking_operation(self) -> tuple[Callable[[], Any], "_DeskOnWorker"] | None:
        """The operation of the answers, built to call the desk a check hands it (on the
        worker) rather than this wizard's desk; None when it cannot be built yet."""
        late = _DeskOnWorker()
        own, self.desk = self.desk, late   # operation() binds the desk it finds here
        self._parse = {}
        try:
            return self.operation(self.answers()), late
        except Exception:  # noqa: BLE001 - answers still incomplete
            return None
        finally:
            self.desk = own

    # ---------------------------------------------------------------- recording
    def prepared(self) -> tuple[Callable[[], Any], list[ValidationError]]:
        self._parse = {}
        op = self.operation(self.answers())
        return op, [e for errs in self._parse.values() for e in errs]

    def summary_html(self) -> str:
        return summary_table(self.summary_rows(self.answers()))

    def on_recorded(self, result: Any) -> None:
        self.completed.emit(self.step.value)


class _DeskOnWorker:
    """The desk an operation built for a page check calls: bound, on the read worker, to
    the reading desk whose ``check_only`` runs it — the dry run's transaction and every
    call in it on one connection."""

    desk: Any = None

    def __getattr__(self, name: str) -> Any:
        if self.desk is None:
            raise RuntimeError("a page check's operation runs only inside its check")
        return getattr(self.desk, name)


def meeting_options(desk) -> list[tuple[str, str]]:
    """Upcoming 支援調整会議 not yet held, for the "put it on the agenda of" choice (the
    meetings only: reading the whole dashboard for them froze the wizard at 100,000 cases)."""
    out = [("", _("Decide later (put it on an agenda from the meeting screen)"))]
    for m in desk.process.open_meetings():
        out.append((m.id, f"{wareki(m.held_on)}　{m.kind.label}　{m.place or ''}".rstrip()))
    return out
