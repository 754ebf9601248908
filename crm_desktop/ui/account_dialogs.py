"""Account dialogs: the user's own password, and the account on a shared database server.

Also what the shell's dialogs (login, first run, these) share: the wording of database
failures, and a few layout
helpers.

Thread rule: GUI thread only; service and connection calls go through ``ops.op``.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QSizePolicy,
    QSpacerItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import config
from crm_desktop.config import Profile
from crm_desktop.db_location import DatabaseError, DatabaseUnavailable, NotADatabase
from crm_desktop.ui.dirty import GuardedDialog
from crm_desktop.ui.forms import FormDialog, FormErrors, MessageBar
from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.ops import op

if TYPE_CHECKING:
    from crm_desktop.ui.context import AppContext

T = TypeVar("T")


def database_error_text(exc: BaseException, *, path: Path | None = None) -> str:
    """A failure to open a database or to log in, in the user's language (no traceback)."""
    if isinstance(exc, NotADatabase):
        return QCoreApplication.translate(
            "LoginDialog",
            "The file {path} is not a CRM database. It was not changed. "
            "Choose another file, or a new location to start a new database.",
        ).format(path=path or "")
    if isinstance(exc, DatabaseUnavailable):
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return QCoreApplication.translate(
            "LoginDialog",
            "Cannot connect to the database. Check that the server is running, the network works "
            "and the settings and password are right.\n\nDetails: {details}",
        ).format(details=first)
    if isinstance(exc, DatabaseError):
        return QCoreApplication.translate("LoginDialog", "Cannot open the database: {details}").format(
            details=str(exc)
        )
    return error_text(exc)


def fit_to_contents(layout: QBoxLayout, width: int) -> None:
    """Let a dialog follow its contents: at least ``width`` wide, and taller or shorter as
    messages and rows appear or disappear, so a wrapped message is never clipped."""
    layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)
    layout.insertSpacerItem(0, QSpacerItem(width, 0, QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed))


def stacked(*widgets: QWidget) -> QWidget:
    """Widgets one under the other in one form cell (a note stays with its field)."""
    cell = QWidget()
    box = QVBoxLayout(cell)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(4)
    for widget in widgets:
        box.addWidget(widget)
    return cell


class ElidedLabel(QLabel):
    """One line; a path too long for the dialog is shortened in the middle (full text in the tooltip)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(self.width(), 50)
        super().setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideMiddle, width))


def password_edit(placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setPlaceholderText(placeholder)
    return edit


class ChangePasswordDialog(FormDialog):
    """Current password, new password twice → ``auth.change_password``.

    Emits ``saved`` and closes only after the service stored the new password; a wrong
    current password or a weak new one is shown beside its field and nothing typed is lost.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent, title=QCoreApplication.translate("ChangePasswordDialog", "Change password"))
        self.ctx = ctx
        layout = self.layout()
        assert isinstance(layout, QBoxLayout)
        fit_to_contents(layout, 440)
        self.old_password = password_edit()
        self.new_password = password_edit(self.tr("At least 8 characters with letters and digits"))
        self.confirm = password_edit()
        self.add_row("old_password", self.tr("Current password:"), self.old_password)
        self.add_row("new_password", self.tr("New password:"), self.new_password)
        self.add_row("confirm", self.tr("Repeat new password:"), self.confirm)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Change password"))

    def build_call(self) -> Callable[[], object] | None:
        ok = True
        if not self.old_password.text():
            self.errors.set_field_error("old_password", self.tr("Enter your current password."))
            ok = False
        if self.new_password.text() != self.confirm.text():
            self.errors.set_field_error("confirm", self.tr("The two new passwords are not the same."))
            ok = False
        if not ok:
            return None
        db, actor = self.ctx.db, self.ctx.actor
        old, new = self.old_password.text(), self.new_password.text()

        def change() -> object:  # worker thread
            # Imported here, like every database part the login window's module needs: the
            # window shows before SQLAlchemy is loaded (bench/startup.py).
            from crm_desktop.services.org import auth

            return auth.change_password(db, actor, old_password=old, new_password=new)

        return change


def hide_password(url: str) -> str:
    """A database URL fit to show: ``user:***@host`` instead of the password."""
    return re.sub(r"^([^:/]+://[^:/@]*:)[^@]*@", r"\1***@", url)


def _test_connection(url: str) -> None:  # worker thread
    from crm_desktop.db import check_connection, make_engine  # see ChangePasswordDialog

    engine = make_engine(url)
    try:
        check_connection(engine)
    finally:
        engine.dispose()


class ConnectionDialog(GuardedDialog):
    """Add or edit a shared-server profile: host, port, database, user, password.

    The password is offered to the OS keyring only ("Remember the password"); without a
    keyring that box is disabled and says why. After ``exec()``: ``profile``, ``password``,
    ``remember`` and ``removed`` (the user deleted the profile).
    """

    def __init__(self, profile: Profile | None, *, password: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.original = profile
        self.profile: Profile = profile or config.server_profile(name="", host="", database="crm", user="")
        self.password = password or ""
        self.remember = False
        self.removed = False
        self.setWindowTitle(self.tr("Shared server") if profile else self.tr("Add a shared server"))
        layout = QVBoxLayout(self)
        fit_to_contents(layout, 480)
        intro = QLabel(self.tr("A team shares one PostgreSQL database on the office network. "
                               "Ask your administrator for these settings."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.message = MessageBar()
        layout.addWidget(self.message)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        layout.addLayout(form)
        self.errors = FormErrors(form, self.message)
        self.name = QLineEdit(self.profile.name)
        self.name.setPlaceholderText(self.tr("e.g. Head office"))
        self.host = QLineEdit(self.profile.host)
        self.host.setPlaceholderText(self.tr("Server name or IP address"))
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(self.profile.port)
        self.database = QLineEdit(self.profile.database)
        self.user = QLineEdit(self.profile.user)
        self.user.setPlaceholderText(self.tr("e.g. crm_login"))
        self.password_edit = password_edit()
        self.password_edit.setText(self.password)
        self.errors.add_row("name", self.tr("Name:"), self.name)
        self.errors.add_row("host", self.tr("Server:"), self.host)
        form.addRow(self.tr("Port:"), self.port)
        self.errors.add_row("database", self.tr("Database:"), self.database)
        self.errors.add_row("user", self.tr("User name:"), self.user)
        form.addRow(self.tr("Password:"), self.password_edit)
        self.remember_box = QCheckBox(self.tr("Remember the password in this computer's password store"))
        form.addRow("", self.remember_box)
        # What the two kinds of server account protect (issue 17: secure server mode).
        modes = QLabel(self.tr(
            "On a server in secure mode the user name is the database's name followed by _login: "
            "each person then works with their own database account and the server itself limits "
            "what they can see. Any other account (a shared one) gives this computer the whole "
            "database: only the app limits what each person sees."))
        modes.setWordWrap(True)
        modes.setObjectName("serverModes")
        layout.addWidget(modes)
        self.keyring_note = QLabel()
        self.keyring_note.setWordWrap(True)
        layout.addWidget(self.keyring_note)  # full width: a form cell wraps it too narrowly
        if config.keyring_available():
            self.remember_box.setChecked(profile is None or config.get_password(profile) is not None)
            self.keyring_note.hide()
        else:
            self.remember_box.setEnabled(False)
            self.keyring_note.setText(self.tr(
                "This computer has no password store (keyring), so the password cannot be remembered: "
                "you will be asked for it at each login."
            ))
        layout.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.test_button = self.buttons.addButton(self.tr("Test connection"), QDialogButtonBox.ButtonRole.ActionRole)
        self.test_button.clicked.connect(self.test_connection)
        if profile is not None:
            remove = self.buttons.addButton(self.tr("Remove server"), QDialogButtonBox.ButtonRole.DestructiveRole)
            remove.clicked.connect(self._remove)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def _read(self) -> Profile | None:
        self.errors.clear()
        missing = [n for n, e in (("host", self.host), ("database", self.database), ("user", self.user))
                   if not e.text().strip()]
        for name in missing:
            self.errors.set_field_error(name, self.tr("Required."))
        if missing:
            return None
        return config.server_profile(
            name=self.name.text(), host=self.host.text(), port=self.port.value(),
            database=self.database.text(), user=self.user.text(), profile_id=self.profile.id,
        )

    def test_connection(self) -> None:
        """Connect once without changing anything on the server (no migration)."""
        profile = self._read()
        if profile is None:
            return
        url = profile.url(self.password_edit.text())
        self.test_button.setEnabled(False)
        self.message.show_info(self.tr("Connecting…"))
        op(self, lambda: _test_connection(url)).success(self._tested).failure(self._test_failed).run()

    def _tested(self, _result: object) -> None:
        self.test_button.setEnabled(True)
        self.message.show_info(self.tr("The server answered: the settings work."))

    def _test_failed(self, exc: BaseException) -> None:
        self.test_button.setEnabled(True)
        self.message.show_error(database_error_text(exc))

    def submit(self) -> None:
        profile = self._read()
        if profile is None:
            return
        self.profile, self.password = profile, self.password_edit.text()
        self.remember = self.remember_box.isEnabled() and self.remember_box.isChecked() and bool(self.password)
        self.accept()

    def _remove(self) -> None:
        self.removed = True
        self.accept()
