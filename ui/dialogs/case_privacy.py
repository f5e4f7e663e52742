"""The privacy bar of a case view: the 閲覧制限 marker, 「住所等を表示」 (with a reason, for
this view only), setting or clearing the restriction (with a reason), 「同意・情報提供」, and
the print-menu entry for a sheet given to another agency."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from app.i18n import _
from ui.background import run_in_background
from ui.dialogs import Dialogs, dialogs_for
from ui.dialogs.base import ReasonDialog, error_text

# ㊙ is in BIZ UD Gothic (🔒 is not): the marker the list and the view show.
RESTRICTED_MARK = "㊙"
MARK_STYLE = ("background: #8a1c1c; color: white; font-weight: bold; border-radius: 4px;"
              "padding: 3px 8px;")


def restricted_label() -> str:
    return f"{RESTRICTED_MARK} " + _("Restricted access")


class CasePrivacyBar(QWidget):
    restriction_changed = Signal(bool)  # set (True) or lifted (False): lists show the marker

    def __init__(self, view, dialogs: Dialogs | None = None):
        super().__init__(view)
        self.view = view
        self.dialogs_ = dialogs
        self.revealed = False
        self.marker = QLabel(restricted_label())
        self.marker.setStyleSheet(MARK_STYLE)
        self.marker.setToolTip(_("Whereabouts (address, phones, e-mail) are hidden. They are "
                                 "shown only with a recorded reason."))
        self.reveal_button = QPushButton(_("Show address etc."))
        self.reveal_button.clicked.connect(self.ask_reveal)
        self.revealed_note = QLabel(_("Shown in this view only"))
        self.revealed_note.setStyleSheet("color: #8a1c1c;")
        self.flag_button = QPushButton()
        self.flag_button.clicked.connect(self.ask_toggle)
        self.consent_button = QPushButton(_("Consent and disclosures"))
        self.consent_button.clicked.connect(self.open_consents)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.marker)
        row.addWidget(self.revealed_note)
        row.addWidget(self.reveal_button)
        row.addWidget(self.flag_button)
        row.addWidget(self.consent_button)
        menu = view.print_button.menu()
        if menu is not None:
            menu.addSeparator()
            self.agency_print = menu.addAction(_("Intake form for another agency…"))
            self.agency_print.triggered.connect(self.print_for_agency)
        view.refreshed.connect(self.update_state)
        self.update_state()

    @property
    def dialogs(self) -> Dialogs:
        return self.dialogs_ or dialogs_for(self.view)

    @dialogs.setter
    def dialogs(self, value: Dialogs) -> None:
        self.dialogs_ = value

    @property
    def sensitive(self) -> bool:
        return bool(getattr(self.view.detail.person, "sensitive", False))

    def update_state(self) -> None:
        s = self.sensitive
        self.marker.setVisible(s)
        self.reveal_button.setVisible(s and not self.revealed)
        self.revealed_note.setVisible(s and self.revealed)
        self.flag_button.setText(_("Lift the restriction…") if s
                                 else _("Restrict access…"))

    def _render(self, detail) -> None:
        view = self.view
        kept = view.detail
        view.detail = detail
        try:
            view.contents.setText(view._intake_html(detail.intakes[-1] if detail.intakes
                                                    else None))
        finally:
            view.detail = kept

    def _failed(self, error: BaseException) -> None:
        self.view.warn(error_text(error))

    # ---------------------------------------------------------------- reveal
    def ask_reveal(self) -> None:
        dialog = ReasonDialog(
            _("Show address etc."),
            _("This person's whereabouts are restricted (e.g. domestic violence). Why do "
              "you need them now? The reason is recorded in the audit log."), self,
            ok_text=_("Show"))
        if not self.dialogs.run(dialog):
            return
        desk, case_id, reason = self.view.desk, self.view.detail.case.id, dialog.reason()

        def shown(detail) -> None:
            self.revealed = True
            self._render(detail)
            tabs = self.view.tabs
            for i in range(tabs.count()):
                if tabs.widget(i).isAncestorOf(self.view.contents):
                    tabs.setCurrentIndex(i)
            self.update_state()

        run_in_background(self, lambda: desk.security.reveal(case_id, reason), shown, self._failed)

    def conceal(self) -> None:
        """Mask again (the screen locks, or the view goes away)."""
        if self.revealed:
            self.revealed = False
            self._render(self.view.detail)
            self.update_state()

    # ---------------------------------------------------------------- the restriction
    def ask_toggle(self) -> None:
        flag = not self.sensitive
        dialog = ReasonDialog(
            _("Restrict access") if flag else _("Lift the restriction"),
            _("With the restriction, the address, phones and e-mail are hidden in every list, "
              "view and sheet unless shown with a reason. Why?") if flag else
            _("Lifting the restriction shows the whereabouts to everyone who sees the case. "
              "Why?"), self)
        if not self.dialogs.run(dialog):
            return
        desk, case_id, reason = self.view.desk, self.view.detail.case.id, dialog.reason()

        def work():
            desk.security.set_sensitive(case_id, flag, reason)
            return desk.get_case(case_id)

        def done(detail) -> None:
            self.revealed = False
            self.view.detail = detail
            self._render(detail)
            self.update_state()
            self.view.refresh()
            self.restriction_changed.emit(flag)

        run_in_background(self, work, done, self._failed)

    # ---------------------------------------------------------------- consent, printing
    def open_consents(self):
        from ui.dialogs.consent import ConsentDialog
        dialog = ConsentDialog(self.view.desk, self.view.detail.case.id, self.dialogs, self)
        self.dialogs.run(dialog)
        return dialog

    def print_for_agency(self) -> None:
        from ui.dialogs.disclosure import print_for_agency
        print_for_agency(self.view, self.dialogs)


def set_case_list_marker_text(name: str, sensitive: bool) -> str:
    return f"{name}　{restricted_label()}" if sensitive else name


__all__ = ["CasePrivacyBar", "restricted_label", "RESTRICTED_MARK", "Qt"]
