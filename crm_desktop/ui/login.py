"""Log in: choose where the data is (this computer or a shared server), then who you are.

The dialog opens the chosen database in the background (``bootstrap`` migrates it and wires
the app's parts to it),
tells an empty database apart (the app then runs the first-run set-up) and checks the mobile
number and password. Every failure is a sentence inside the dialog, never a traceback.

Thread rule: GUI thread only; opening the database and ``auth.login`` run through ``ops.op``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import config
from crm_desktop.config import Config, Profile
from crm_desktop.db_location import DatabaseError, NotADatabase, sqlite_file
from crm_desktop.services.errors import AuthError
from crm_desktop.ui.account_dialogs import (
    ConnectionDialog,
    ElidedLabel,
    database_error_text,
    fit_to_contents,
    hide_password,
    password_edit,
    stacked,
)
from crm_desktop.ui.dirty import set_enter_button
from crm_desktop.ui.forms import MessageBar
from crm_desktop.ui.ops import op

if TYPE_CHECKING:
    from crm_desktop.db import Database
    from crm_desktop.services.org.actor import Actor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoginResult:
    """What the dialog hands to the app: the open database and who logged in.

    ``actor`` is None when the database is empty and the first-run set-up must follow.
    The receiver owns ``database`` from now on (and disposes it).
    """

    database: Database
    actor: Actor | None


@dataclass
class _Opened:
    database: Database
    needs_setup: bool


def _open(url: str) -> _Opened:  # worker thread
    # The first run: the chosen (or default) file may not exist yet. The dialog then says the
    # database is empty and offers the company set-up, so nothing is created silently.
    # The database parts are imported here, in the worker: the window is on screen before
    # SQLAlchemy, the models and the services are loaded (bench/startup.py).
    from crm_desktop.bootstrap import bootstrap
    from crm_desktop.services.org import auth

    database = bootstrap(url, create=True)
    try:
        return _Opened(database, auth.needs_setup(database))
    except BaseException:
        database.dispose()
        raise


def _needs_setup(database: Database) -> bool:  # worker thread
    from crm_desktop.services.org import auth  # see _open

    return auth.needs_setup(database)


def _login(database: Database, mobile: str, password: str) -> tuple[Database, Actor]:  # worker thread
    from crm_desktop.bootstrap import log_in  # see _open

    return log_in(database, mobile, password)


class LoginDialog(QDialog):
    """Connection profile, mobile, password, Log in.

    ``fixed_url`` (``--database`` / ``CRM_DATABASE_URL``) pins the database: no profile
    choice. ``database`` is an already open database for that choice (the start-up smoke
    check); the dialog owns it. ``settings.path`` None means: remember nothing.
    """

    def __init__(
        self,
        settings: Config,
        *,
        fixed_url: str | None = None,
        database: Database | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.fixed_url = fixed_url
        self.result_value: LoginResult | None = None
        self._database = database
        self._needs_setup: bool | None = None
        self._generation = 0  # answers from an abandoned connection attempt are ignored
        self._connecting = False
        self._login_after_connect = False
        self._session_passwords: dict[str, str] = {}  # typed, not remembered: this run only
        self._build()
        self._fill_profiles()
        if database is not None:
            self._check_setup(database)

    # --- layout -------------------------------------------------------------------------

    def _build(self) -> None:
        self.setWindowTitle(self.tr("CRM Desktop — Log in"))
        layout = QVBoxLayout(self)
        fit_to_contents(layout, 560)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        title = QLabel(self.tr("CRM Desktop"))
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        subtitle = QLabel(self.tr("Log in with your mobile number and password."))
        subtitle.setWordWrap(True)
        layout.addWidget(subtitle)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.profile_combo = QComboBox()
        self.profile_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.profile_combo.setMinimumContentsLength(18)
        self.profile_combo.currentIndexChanged.connect(self._profile_changed)
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.edit_button.clicked.connect(self._edit_profile)
        self.add_button = QPushButton(self.tr("Add server…"))
        # Bound methods, never lambdas holding ``self``, on child widgets' signals: such a
        # lambda keeps the dialog alive through its own child and crashes PySide at exit.
        self.add_button.clicked.connect(self._add_server)
        row.addWidget(self.profile_combo, 1)
        row.addWidget(self.edit_button)
        row.addWidget(self.add_button)
        self.fixed_label = QLabel()
        self.fixed_label.setWordWrap(True)
        row.addWidget(self.fixed_label, 1)
        form.addRow(self.tr("Database"), row)
        self.target_label = ElidedLabel()
        self.target_label.setStyleSheet("color: palette(placeholder-text);")
        form.addRow("", self.target_label)

        self.db_password = password_edit()
        self.db_password_label = QLabel(self.tr("Server password"))
        self.db_password_note = QLabel()
        self.db_password_note.setWordWrap(True)
        self.db_password_note.setStyleSheet("color: palette(placeholder-text);")
        form.addRow(self.db_password_label, stacked(self.db_password, self.db_password_note))

        self.mobile = QLineEdit(self.settings.last_mobile)
        self.mobile.setPlaceholderText(self.tr("Mobile number"))
        form.addRow(self.tr("Mobile"), self.mobile)
        self.password = password_edit()
        form.addRow(self.tr("Password"), self.password)

        self.status = MessageBar()
        layout.addWidget(self.status)
        self.error = MessageBar()
        layout.addWidget(self.error)
        self.choose_file_button = QPushButton(self.tr("Choose another database file…"))
        self.choose_file_button.clicked.connect(self._choose_file)
        self.choose_file_button.hide()
        layout.addWidget(self.choose_file_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

        self.buttons = QDialogButtonBox()
        self.login_button = self.buttons.addButton(self.tr("Log in"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.tr("Quit"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        set_enter_button(self.login_button)  # not the (hidden) "Choose another database file…"

        fixed = self.fixed_url is not None
        for widget in (self.profile_combo, self.edit_button, self.add_button):
            widget.setVisible(not fixed)
        self.fixed_label.setVisible(fixed)
        if fixed:
            path = sqlite_file(self.fixed_url or "")
            self.fixed_label.setText(str(path) if path else hide_password(self.fixed_url or ""))
            self.target_label.setText(self.tr("Chosen when the program was started (--database)."))

    def _fill_profiles(self) -> None:
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        for profile in self.settings.profiles:
            self.profile_combo.addItem(self._profile_caption(profile), profile.id)
        index = self.profile_combo.findData(self.settings.current_profile().id)
        self.profile_combo.setCurrentIndex(max(index, 0))
        self.profile_combo.blockSignals(False)
        self._update_profile_widgets()

    def _profile_caption(self, profile: Profile) -> str:
        if profile.kind == "local":
            return self.tr("This computer")
        return self.tr("Shared server: {name}").format(name=profile.name or profile.host)

    def is_ready(self) -> bool:
        """True once the database is open and known to be set up or empty (tests, smoke)."""
        return self._database is not None and self._needs_setup is not None and self.login_button.isEnabled()

    def needs_setup(self) -> bool:
        return bool(self._needs_setup)

    # --- profile state ------------------------------------------------------------------

    def profile(self) -> Profile | None:
        """The chosen profile (None when the database is fixed from the command line)."""
        if self.fixed_url is not None:
            return None
        return self.settings.profile(str(self.profile_combo.currentData())) or self.settings.local()

    def _known_password(self, profile: Profile) -> str | None:
        return self._session_passwords.get(profile.id) or config.get_password(profile)

    def _url(self) -> str | None:
        """The URL to open, or None while a server password is still missing."""
        if self.fixed_url is not None:
            return self.fixed_url
        profile = self.profile()
        assert profile is not None
        if not profile.is_server:
            return profile.url()
        password = self.db_password.text() or self._known_password(profile)
        return profile.url(password) if password else None

    def _update_profile_widgets(self) -> None:
        profile = self.profile()
        ask = profile is not None and profile.is_server and not self._known_password(profile)
        self.edit_button.setText(self.tr("Edit…") if profile and profile.is_server else self.tr("Choose file…"))
        if profile is not None:
            self.target_label.setText(profile.target())
        self.db_password.parentWidget().setVisible(ask)
        self.db_password_label.setVisible(ask)
        if ask:
            self.db_password_note.setText(
                self.tr(
                    "This computer has no password store (keyring), so the server password cannot be "
                    "remembered. Enter it each time you log in."
                )
                if not config.keyring_available()
                else self.tr("The server password is not remembered on this computer. Enter it to connect.")
            )

    def _profile_changed(self, _index: int) -> None:
        self._forget_database()
        profile = self.profile()
        if profile is not None and self.settings.path is not None:
            self.settings.last_profile = profile.id
            config.save_config(self.settings)
        self.db_password.clear()
        self._update_profile_widgets()
        self._set_error("")
        self._connect()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._database is None and not self._connecting:
            # After the window is painted: opening imports the database parts (a second of
            # Python in the worker, which would hold the GIL while the window first paints).
            QTimer.singleShot(0, self._connect_if_idle)
        (self.password if self.mobile.text() else self.mobile).setFocus()

    def _connect_if_idle(self) -> None:
        if self._database is None and not self._connecting:
            self._connect()

    # --- connecting ---------------------------------------------------------------------

    def _forget_database(self) -> None:
        self._generation += 1
        self._connecting = False
        self._login_after_connect = False
        if self._database is not None:
            self._database.dispose()
        self._database, self._needs_setup = None, None
        self._set_busy(False)

    def _connect(self) -> None:
        """Open the chosen database in the background (quietly skipped without a password)."""
        url = self._url()
        if url is None:
            self._set_status("")
            return
        self._generation += 1
        generation = self._generation
        self._connecting = True
        self._set_busy(True)
        self._set_status(self.tr("Opening the database…"))
        op(self, lambda: _open(url), write=True).success(
            partial(self._opened, generation)
        ).failure(partial(self._open_failed, generation)).run()

    def _opened(self, generation: int, opened: _Opened) -> None:
        if generation != self._generation:
            opened.database.dispose()
            return
        self._connecting = False
        self._database = opened.database
        self._remember_typed_password()
        self._set_setup_mode(opened.needs_setup)
        if self._login_after_connect:
            self._login_after_connect = False
            self.submit()

    def _open_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._connecting = False
        self._login_after_connect = False
        self._set_busy(False)
        self._set_status("")
        if not isinstance(exc, DatabaseError):
            log.error("cannot open database: %s", getattr(exc, "__traceback_text__", repr(exc)))
        self._set_error(self._error_text(exc))
        local = self.fixed_url is None and not (self.profile() or config.local_profile()).is_server
        self.choose_file_button.setVisible(isinstance(exc, NotADatabase) and local)

    def _check_setup(self, database: Database) -> None:
        generation = self._generation
        op(self, partial(_needs_setup, database)).success(
            partial(self._setup_checked, generation)
        ).failure(partial(self._open_failed, generation)).run()

    def _setup_checked(self, generation: int, needs: bool) -> None:
        if generation == self._generation:
            self._set_setup_mode(bool(needs))

    def _remember_typed_password(self) -> None:
        profile = self.profile()
        if profile is not None and profile.is_server and self.db_password.text():
            self._session_passwords[profile.id] = self.db_password.text()

    def _set_setup_mode(self, needs_setup: bool) -> None:
        self._needs_setup = needs_setup
        self._set_busy(False)
        self.mobile.setEnabled(not needs_setup)
        self.password.setEnabled(not needs_setup)
        if needs_setup:
            self._set_status(self.tr("This database is empty. Set up your company to start using it."))
            self.login_button.setText(self.tr("Set up company…"))
        else:
            self._set_status("")
            self.login_button.setText(self.tr("Log in"))

    def _set_busy(self, busy: bool) -> None:
        self.login_button.setEnabled(not busy)
        self.edit_button.setEnabled(not busy)
        self.add_button.setEnabled(not busy)
        self.profile_combo.setEnabled(not busy)

    def _set_status(self, text: str) -> None:
        self.status.show_info(text)

    def _set_error(self, text: str) -> None:
        self.error.show_error(text)
        if not text:
            self.choose_file_button.hide()

    # --- logging in ---------------------------------------------------------------------

    def submit(self) -> None:
        """Log in (opening the database first if needed), or hand over an empty database."""
        self._set_error("")
        if self._database is None:
            if self._url() is None:
                self._set_error(self.tr("Enter the server password."))
                self.db_password.setFocus()
                return
            self._login_after_connect = True
            if not self._connecting:
                self._connect()
            return
        if self._needs_setup:
            self._finish(None)
            return
        if self._needs_setup is None:  # still checking; the answer will arrive shortly
            return
        mobile, password = self.mobile.text().strip(), self.password.text()
        if not mobile or not password:
            self._set_error(self.tr("Enter your mobile number and password."))
            (self.mobile if not mobile else self.password).setFocus()
            return
        database = self._database
        self._set_busy(True)
        self._set_status(self.tr("Checking your password…"))
        generation = self._generation
        op(self, partial(_login, database, mobile, password), write=True).success(
            partial(self._logged_in, generation)
        ).failure(partial(self._login_failed, generation)).run()

    def _logged_in(self, generation: int, result: tuple[Database, Actor]) -> None:
        database, actor = result
        if generation != self._generation:
            if database is not self._database:
                database.dispose()
            return
        if database is not self._database:  # a secure server: the user's own connection from now on
            self._forget_database()
            self._database = database
        self._finish(actor)

    def _error_text(self, exc: BaseException) -> str:
        return database_error_text(exc, path=self._sqlite_path())

    def _sqlite_path(self) -> Path | None:
        url = self._url()
        return sqlite_file(url) if url else None

    def _login_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._set_busy(False)
        self._set_status("")
        if not isinstance(exc, AuthError):
            log.error("login failed: %s", getattr(exc, "__traceback_text__", repr(exc)))
        self._set_error(self._error_text(exc))
        self.password.selectAll()
        self.password.setFocus()

    def _finish(self, actor: Actor | None) -> None:
        assert self._database is not None
        if actor is not None and self.settings.path is not None:
            self.settings.last_mobile = actor.mobile
            config.save_config(self.settings)
        self.result_value = LoginResult(self._database, actor)
        self._database = None  # handed over: not disposed by this dialog any more
        self._generation += 1
        self.accept()

    def reject(self) -> None:
        self._forget_database()
        super().reject()

    # --- profiles -----------------------------------------------------------------------

    def _edit_profile(self) -> None:
        profile = self.profile()
        if profile is None or not profile.is_server:
            self._choose_file()
        else:
            self._open_connection_dialog(profile)

    def _add_server(self) -> None:
        self._open_connection_dialog(None)

    def _open_connection_dialog(self, profile: Profile | None) -> None:
        dialog = ConnectionDialog(
            profile, password=self._known_password(profile) if profile else None, parent=self
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        if profile is not None and (dialog.removed or dialog.profile.keyring_username() != profile.keyring_username()):
            config.forget_password(profile)
            self._session_passwords.pop(profile.id, None)
        if dialog.removed:
            assert profile is not None
            self.settings.remove_profile(profile.id)
        else:
            new = dialog.profile
            self.settings.put_profile(new)
            self._session_passwords.pop(new.id, None)
            remembered = dialog.remember and config.store_password(new, dialog.password)
            if not remembered:
                config.forget_password(new)
                if dialog.password:  # typed but not to be stored: good for this run only
                    self._session_passwords[new.id] = dialog.password
            self.settings.last_profile = new.id
        if self.settings.path is not None:
            config.save_config(self.settings)
        self._forget_database()
        self._fill_profiles()
        self._connect()

    def _choose_file(self) -> None:
        current = self.settings.local().sqlite_path()
        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Choose a CRM database file"),
            str(current),
            self.tr("CRM database (*.sqlite3 *.db);;All files (*)"),
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if not path:
            return
        self.settings.put_profile(config.with_path(self.settings.local(), str(Path(path))))
        self.settings.last_profile = self.settings.local().id
        if self.settings.path is not None:
            config.save_config(self.settings)
        self._forget_database()
        self._set_error("")
        self._fill_profiles()
        self._connect()


