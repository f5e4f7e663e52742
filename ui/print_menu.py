"""The one print menu: every screen that prints a case's sheets uses it.

``SheetPrinter`` does the printing for one case (or for none: blank sheets): it writes the
PDF into the per-user print folder (ui/printing.py, swept at start-up and exit) off the GUI
thread, hands it to the injected opener (the system viewer by default; when none opens, the
user is told and offered 「名前を付けて保存」) and shows warnings (characters no font has).
A sheet 「他機関に提供する」 asks whom it is for (and, when no consent of the person covers
that agency today, the other basis and its reason) through the injected ``Dialogs``; the core
records the disclosure and leaves the whereabouts off the sheet.

``PrintMenu`` lists the sheets by their Japanese names — filled in, blank for handwriting,
and for another agency; a step wizard shows its own sheet first (``STEP_SHEETS``).
``PrintButton`` is the 「印刷」 button that opens it. The home-visit kit is printed with
``SheetPrinter.print_visit_kit`` (from the case list and the toolbar).
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox, QToolButton, QWidget

from app.i18n import N_, _
from app.process import Step
from app.security.privacy import DisclosureBasis
from app.domain.paper import SHEET_TITLES
from forms.sheets import render
from ui import printing
from ui.background import run_in_background
from ui.dialogs import Dialogs, dialogs_for
from ui.dialogs.base import error_text

# The sheets of a case, in the order of the process.
SHEET_ORDER = ("intake", "intake-noconsent", "assessment", "plan", "records", "monitoring",
               "evaluation", "closure", "consent")

# The sheet each step wizard prints (its own, or the one the step writes on).
STEP_SHEETS: dict[Step, str] = {
    Step.EMERGENCY: "intake", Step.REFERRAL_CHECK: "intake", Step.TAKE_BACK: "intake",
    Step.ASSESSMENT: "assessment", Step.SCREENING: "assessment",
    Step.PLAN: "plan", Step.REPLAN: "plan", Step.AMEND_PLAN: "plan",
    Step.SUBMIT_PLAN: "plan", Step.DECISION: "plan", Step.REPORT: "plan",
    Step.SERVICE_START: "plan",
    Step.RECORD: "records", Step.CONTACT_ATTEMPT: "records", Step.SUSPENSION: "records",
    Step.RESUME: "records", Step.MONITORING: "monitoring", Step.EVALUATION: "evaluation",
    Step.CLOSURE: "closure", Step.FOLLOWUP: "closure",
}

KINDS = (("filled", N_("Filled in")), ("blank", N_("Blank, for handwriting")),
         ("agency", N_("For another agency…")))


def sheet_title(sheet: str) -> str:
    return _(SHEET_TITLES[sheet])


def _find(widget: QWidget | None, name: str):
    """The attribute ``name`` of the widget or of the nearest parent that has it."""
    w = widget
    while w is not None:
        found = getattr(w, name, None)
        if found is not None:
            return found
        w = w.parentWidget()
    return None


class SheetPrinter(QObject):
    """Prints the sheets of ``case_id`` (None: blank sheets only) for ``owner``.

    ``opener`` and ``warn`` default to the owner's (or its window's) ``opener`` and
    ``warn``/``show_error``; ``dialogs`` to the window's injected ``Dialogs``."""

    printed = Signal(str)       # path of the PDF handed to the opener
    busy_changed = Signal(bool)
    status = Signal(str)        # 「PDFを作成しています…」 while writing, then ""

    def __init__(self, owner: QWidget, desk, case_id: str | None = None, *,
                 case_no: str = "", opener: printing.Opener | None = None,
                 warn: Callable[[str], None] | None = None, dialogs: Dialogs | None = None):
        super().__init__(owner)
        self.owner = owner
        self.desk = desk
        self.case_id = case_id
        self.case_no = case_no
        self._opener = opener
        self._warn = warn
        self._dialogs = dialogs
        self.busy = False

    # ---------------------------------------------------------------- injected parts
    @property
    def opener(self) -> printing.Opener:
        return (self._opener or _find(self.owner, "opener")
                or printing.open_with_system_viewer)

    @opener.setter
    def opener(self, value: printing.Opener) -> None:
        self._opener = value

    def warn(self, text: str) -> None:
        show = self._warn or _find(self.owner, "warn") or _find(self.owner, "show_error")
        if show is None:
            QMessageBox.warning(self.owner, _("Printing"), text)
        else:
            show(text)

    @property
    def dialogs(self) -> Dialogs:
        return self._dialogs or dialogs_for(self.owner)

    @dialogs.setter
    def dialogs(self, value: Dialogs) -> None:
        self._dialogs = value

    # ---------------------------------------------------------------- printing
    def print_sheet(self, sheet: str, *, blank: bool = False) -> None:
        """The sheet filled in from what is saved, or blank (with the person's name)."""
        stem = f"{sheet}-{'blank' if blank else (self.case_no or 'case')}"
        desk, case_id = self.desk, self.case_id
        self._run(stem, lambda path: desk.paper.print_sheet(
            case_id, sheet, path, blank=blank or case_id is None, render=render))

    def print_for_agency(self, sheet: str) -> bool:
        """Ask whom the sheet is for (and the basis when no consent covers it), then print;
        the core records the disclosure. False when cancelled or refused."""
        from ui.dialogs.disclosure import BasisDialog, RecipientDialog
        if self.case_id is None:
            return False
        ask = RecipientDialog(self.owner)
        ask.setWindowTitle(_("{sheet} for another agency").format(sheet=sheet_title(sheet)))
        if not self.dialogs.run(ask):
            return False
        recipient = ask.value()
        try:
            consent = self.desk.security.check_disclosure(self.case_id, recipient)
        except Exception as error:  # noqa: BLE001 - shown
            self.warn(error_text(error))
            return False
        basis, reason = DisclosureBasis.CONSENT.value, ""
        if consent is None:
            why = BasisDialog(recipient, self.owner)
            if not self.dialogs.run(why):
                return False
            basis, reason = why.basis(), why.reason()
        desk, case_id = self.desk, self.case_id
        self._run(f"{sheet}-{self.case_no}-for-agency", lambda path: desk.paper.print_sheet(
            case_id, sheet, path, for_recipient=recipient, basis=basis, reason=reason,
            render=render))
        return True

    def print_visit_kit(self, case_ids: list[str] | None = None, prefill=None) -> None:
        """訪問用セット: the blank visit sheets pre-filled per case (none: a new person)."""
        desk, ids = self.desk, list(case_ids or [])
        self._run("visit-kit", lambda path: desk.paper.print_visit_kit(
            ids or None, path, prefill=prefill, render=render))

    def _run(self, stem: str, write: Callable[[object], list[str]]) -> None:
        path = printing.new_pdf_path(stem)
        self._set_busy(True)

        def done(warnings) -> None:
            self._set_busy(False)
            printing.open_pdf(path, self.opener, self.owner)   # no viewer: 名前を付けて保存
            self.printed.emit(str(path))
            if warnings:
                self.warn("\n".join(warnings))

        def failed(error: BaseException) -> None:
            self._set_busy(False)
            self.warn(error_text(error) if not isinstance(error, OSError) else
                      _("The PDF could not be written: {error}").format(error=error))

        run_in_background(self.owner, lambda: write(path), done, failed)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_changed.emit(busy)
        self.status.emit(_("Preparing the PDF…") if busy else "")


class PrintMenu(QMenu):
    """Sheets by their Japanese names, each filled in / blank / for another agency.

    ``own``: the sheet of the step (a wizard), listed first; the others follow in a
    submenu. Without a case only blank sheets are offered. ``action(sheet, kind)`` gives
    the QAction (kind: filled, blank, agency)."""

    def __init__(self, printer: SheetPrinter, *, own: str = "",
                 sheets: tuple[str, ...] = SHEET_ORDER, parent: QWidget | None = None):
        super().__init__(parent)
        self.printer = printer
        self.own = own
        self.actions_: dict[tuple[str, str], QAction] = {}
        has_case = printer.case_id is not None
        if own:
            self.addSection(sheet_title(own))
            for kind, label in KINDS:
                if kind != "blank" and not has_case:
                    continue
                self._add(self, own, kind, _(label))
            others = QMenu(_("Other sheets"), self)
            self.addSeparator()
            self.addMenu(others)
            target = others
        else:
            target = self
        for sheet in sheets:
            if sheet == own:
                continue
            sub = QMenu(sheet_title(sheet), target)
            for kind, label in KINDS:
                if kind != "blank" and not has_case:
                    continue
                self._add(sub, sheet, kind, _(label))
            target.addMenu(sub)
        printer.busy_changed.connect(self._busy)

    def _add(self, menu: QMenu, sheet: str, kind: str, label: str) -> QAction:
        action = menu.addAction(label)
        if kind == "agency":
            action.setToolTip(_("A disclosure: recorded with its basis; the address, phones "
                                "and e-mail are left off the sheet."))
            action.triggered.connect(lambda _c=False, s=sheet: self.printer.print_for_agency(s))
        else:
            action.triggered.connect(
                lambda _c=False, s=sheet, b=kind == "blank": self.printer.print_sheet(s, blank=b))
        self.actions_[(sheet, kind)] = action
        return action

    def action(self, sheet: str, kind: str) -> QAction:
        return self.actions_[(sheet, kind)]

    def _busy(self, busy: bool) -> None:
        for a in self.actions_.values():
            a.setEnabled(not busy)


class PrintButton(QToolButton):
    """「印刷」 with the print menu (instant popup)."""

    def __init__(self, printer: SheetPrinter, *, own: str = "",
                 sheets: tuple[str, ...] = SHEET_ORDER, parent: QWidget | None = None):
        super().__init__(parent)
        self.printer = printer
        self.setText(_("Print"))
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolButtonStyle(self.toolButtonStyle().ToolButtonTextOnly)
        self.setMinimumHeight(34)
        self.print_menu = PrintMenu(printer, own=own, sheets=sheets, parent=self)
        self.setMenu(self.print_menu)
        printer.busy_changed.connect(lambda busy: self.setEnabled(not busy))


__all__ = ["PrintButton", "PrintMenu", "SheetPrinter", "SHEET_ORDER", "STEP_SHEETS",
           "sheet_title"]
