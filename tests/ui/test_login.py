"""The login dialog, the server connection dialog and the ``--smoke`` start-up check."""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from crm_desktop import config
from crm_desktop.db import Database, sqlite_file
from crm_desktop.services.errors import AccountLocked
from crm_desktop.services.org import auth, users
from crm_desktop.ui import ops
from crm_desktop.ui.account_dialogs import ConnectionDialog
from crm_desktop.ui.login import LoginDialog, LoginResult
from tests.test_config import MemoryKeyring, use_keyring
from tests.ui_helpers import ADMIN_MOBILE, ADMIN_PASSWORD

WAIT_MS = 15_000


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Own config folder, and no keyring unless a test installs one."""
    from keyring.backends import fail

    monkeypatch.setenv("CRM_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the default database file
    use_keyring(monkeypatch, fail.Keyring())


@pytest.fixture
def company(sqlite_db: Database) -> Database:
    auth.setup_company(
        sqlite_db, company="厦门星辰科技有限公司", admin_name="管理员", admin_mobile=ADMIN_MOBILE,
        password=ADMIN_PASSWORD,
    )
    return sqlite_db


def settings_for(path: Path) -> config.Config:
    cfg = config.load_config()
    cfg.put_profile(config.with_path(cfg.local(), str(path)))
    return cfg


@pytest.fixture
def results() -> Iterator[list[LoginResult]]:
    """Databases handed over by dialogs are disposed after the test."""
    handed: list[LoginResult] = []
    yield handed
    ops.wait_idle()
    for result in handed:
        result.database.dispose()


def open_dialog(qtbot: QtBot, cfg: config.Config, **kwargs: object) -> LoginDialog:
    dialog = LoginDialog(cfg, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def log_in(qtbot: QtBot, dialog: LoginDialog, mobile: str, password: str) -> None:
    qtbot.waitUntil(dialog.is_ready, timeout=WAIT_MS)
    dialog.mobile.setText(mobile)
    dialog.password.setText(password)
    dialog.login_button.click()


def wait_error(qtbot: QtBot, dialog: LoginDialog) -> str:
    qtbot.waitUntil(lambda: dialog.error.isVisible() and dialog.login_button.isEnabled(), timeout=WAIT_MS)
    return dialog.error.text()


def db_path(db: Database) -> Path:
    path = sqlite_file(db.url)
    assert path is not None
    return path


def test_login_success_hands_over_database_and_actor(
    qtbot: QtBot, company: Database, results: list[LoginResult]
) -> None:
    cfg = settings_for(db_path(company))
    dialog = open_dialog(qtbot, cfg)
    assert dialog.profile_combo.currentText() == "This computer"
    assert dialog.target_label.full_text() == str(db_path(company))
    assert not dialog.db_password.isVisible()
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        log_in(qtbot, dialog, ADMIN_MOBILE, ADMIN_PASSWORD)
    assert dialog.result_value is not None
    results.append(dialog.result_value)
    assert dialog.result_value.actor is not None and dialog.result_value.actor.name == "管理员"
    assert config.load_config().last_mobile == ADMIN_MOBILE


def test_enter_in_the_password_field_logs_in(
    qtbot: QtBot, company: Database, results: list[LoginResult]
) -> None:
    """Enter presses "Log in", never the hidden "Choose another database file…" button."""
    dialog = open_dialog(qtbot, settings_for(db_path(company)))
    qtbot.waitUntil(dialog.is_ready, timeout=WAIT_MS)
    assert not dialog.choose_file_button.isVisible()
    dialog.mobile.setText(ADMIN_MOBILE)
    dialog.password.setText(ADMIN_PASSWORD)
    dialog.password.setFocus()
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.result_value is not None and dialog.result_value.actor is not None
    results.append(dialog.result_value)
    # Enter from the mobile field too: it is the login button that takes it.
    again = open_dialog(qtbot, settings_for(db_path(company)))
    qtbot.waitUntil(again.is_ready, timeout=WAIT_MS)
    again.password.setText(ADMIN_PASSWORD)
    with qtbot.waitSignal(again.accepted, timeout=WAIT_MS):
        qtbot.keyClick(again.mobile, Qt.Key.Key_Enter)
    assert again.result_value is not None
    results.append(again.result_value)


def test_wrong_password_is_said_in_the_dialog(qtbot: QtBot, company: Database) -> None:
    dialog = open_dialog(qtbot, settings_for(db_path(company)))
    log_in(qtbot, dialog, ADMIN_MOBILE, "wrong-password1")
    assert wait_error(qtbot, dialog) == "Wrong mobile number or password."
    assert dialog.isVisible() and dialog.result_value is None
    assert dialog.mobile.text() == ADMIN_MOBILE  # nothing typed is lost
    dialog.mobile.setText("")
    dialog.login_button.click()
    assert dialog.error.text() == "Enter your mobile number and password."


def test_locked_account_says_until_when(qtbot: QtBot, company: Database) -> None:
    for _ in range(auth.MAX_FAILED_LOGINS - 1):
        with pytest.raises(Exception):
            auth.login(company, ADMIN_MOBILE, "wrong-password1")
    with pytest.raises(AccountLocked) as locked:
        auth.login(company, ADMIN_MOBILE, "wrong-password1")
    until = locked.value.until.astimezone().strftime("%H:%M")
    dialog = open_dialog(qtbot, settings_for(db_path(company)))
    log_in(qtbot, dialog, ADMIN_MOBILE, ADMIN_PASSWORD)
    text = wait_error(qtbot, dialog)
    assert "locked until" in text and until in text
    assert "Traceback" not in text


def test_disabled_account(qtbot: QtBot, company: Database) -> None:
    admin = auth.login(company, ADMIN_MOBILE, ADMIN_PASSWORD)
    user = users.create_user(
        company, admin, users.UserInput(mobile="13900000001", name="张三", department_id=admin.department_id),
        password="zhang1234",
    )
    users.set_enabled(company, admin, user.id, enabled=False)
    dialog = open_dialog(qtbot, settings_for(db_path(company)))
    log_in(qtbot, dialog, "13900000001", "zhang1234")
    assert wait_error(qtbot, dialog) == "This account is disabled. Ask an administrator."


def test_empty_database_offers_set_up(
    qtbot: QtBot, sqlite_db: Database, results: list[LoginResult]
) -> None:
    dialog = open_dialog(qtbot, settings_for(db_path(sqlite_db)))
    qtbot.waitUntil(dialog.is_ready, timeout=WAIT_MS)
    assert dialog.needs_setup()
    assert dialog.login_button.text() == "Set up company…"
    assert not dialog.mobile.isEnabled()
    assert "empty" in dialog.status.text()
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        dialog.login_button.click()
    assert dialog.result_value is not None and dialog.result_value.actor is None
    results.append(dialog.result_value)
    assert auth.needs_setup(dialog.result_value.database)


def test_not_a_database_is_left_untouched_and_another_file_can_be_chosen(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, results: list[LoginResult]
) -> None:
    junk = tmp_path / "notes.sqlite3"
    content = b"These are my meeting notes, not a database.\n" * 20
    junk.write_bytes(content)
    cfg = settings_for(junk)
    config.save_config(cfg)
    dialog = open_dialog(qtbot, cfg)
    text = wait_error(qtbot, dialog)
    assert "is not a CRM database" in text and str(junk) in text
    assert dialog.choose_file_button.isVisible()
    assert junk.read_bytes() == content

    fresh = tmp_path / "new" / "crm.sqlite3"
    monkeypatch.setattr(
        "crm_desktop.ui.login.QFileDialog.getSaveFileName", lambda *a, **k: (str(fresh), "")
    )
    dialog.choose_file_button.click()
    qtbot.waitUntil(dialog.is_ready, timeout=WAIT_MS)
    assert dialog.needs_setup() and not dialog.error.isVisible()
    assert config.load_config().local().sqlite_path() == fresh
    assert junk.read_bytes() == content
    dialog.reject()


def test_unreachable_server_without_keyring_asks_for_the_password(qtbot: QtBot) -> None:
    cfg = config.load_config()
    server = config.server_profile(name="Office", host="127.0.0.1", port=1, database="crm", user="sales")
    cfg.put_profile(server)
    cfg.last_profile = server.id
    dialog = open_dialog(qtbot, cfg)
    assert dialog.profile_combo.currentText() == "Shared server: Office"
    assert dialog.db_password.isVisible()
    assert "no password store (keyring)" in dialog.db_password_note.text()
    dialog.mobile.setText(ADMIN_MOBILE)
    dialog.password.setText(ADMIN_PASSWORD)
    dialog.login_button.click()
    assert dialog.error.text() == "Enter the server password."
    dialog.db_password.setText("s3cret:@/")
    dialog.login_button.click()
    text = wait_error(qtbot, dialog)
    assert text.startswith("Cannot connect to the database.")
    assert "s3cret" not in text and not dialog.choose_file_button.isVisible()


def test_fixed_database_has_no_profile_choice(
    qtbot: QtBot, company: Database, results: list[LoginResult]
) -> None:
    dialog = open_dialog(qtbot, config.Config(path=None), fixed_url=company.url)
    assert not dialog.profile_combo.isVisible() and not dialog.add_button.isVisible()
    assert dialog.fixed_label.text() == str(db_path(company))
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        log_in(qtbot, dialog, ADMIN_MOBILE, ADMIN_PASSWORD)
    assert dialog.result_value is not None
    results.append(dialog.result_value)


def test_connection_dialog_without_keyring_explains_and_does_not_remember(qtbot: QtBot) -> None:
    dialog = ConnectionDialog(None)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.remember_box.isEnabled()
    assert "no password store (keyring)" in dialog.keyring_note.text()
    dialog.submit()
    assert dialog.errors.field_error("host") == "Required."
    assert dialog.result() != ConnectionDialog.DialogCode.Accepted
    dialog.host.setText("db.office")
    dialog.user.setText("sales")
    dialog.password_edit.setText("pw1")
    dialog.submit()
    assert dialog.result() == ConnectionDialog.DialogCode.Accepted
    assert not dialog.remember and dialog.profile.host == "db.office" and dialog.password == "pw1"


def test_server_password_goes_to_the_keyring_only(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = MemoryKeyring()
    use_keyring(monkeypatch, store)
    cfg = config.load_config()
    dialog = open_dialog(qtbot, cfg)
    secret = "p@ss:w/rd#1"

    def fill(connection: ConnectionDialog) -> None:
        assert connection.remember_box.isEnabled() and connection.remember_box.isChecked()
        connection.name.setText("Office")
        connection.host.setText("127.0.0.1")
        connection.port.setValue(1)
        connection.user.setText("sales")
        connection.password_edit.setText(secret)
        connection.submit()

    monkeypatch.setattr(ConnectionDialog, "exec", lambda self: (fill(self), self.result())[1])
    qtbot.waitUntil(dialog.is_ready, timeout=WAIT_MS)  # the default local database opened first
    assert (tmp_path / "data").exists()
    dialog.add_button.click()
    server = config.load_config().servers()[0]
    assert store.items == {("crm-desktop", "sales@127.0.0.1:1/crm"): secret}
    assert secret not in (tmp_path / "cfg" / "config.json").read_text(encoding="utf-8")
    assert dialog.profile_combo.currentText() == "Shared server: Office"
    assert not dialog.db_password.isVisible()  # remembered: not asked for
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT_MS)  # port 1 refuses
    assert server.id == config.load_config().last_profile


def run_app(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CRM_CONFIG_DIR=str(tmp_path / "cfg"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.pop("CRM_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "crm_desktop.ui.app", *args], env=env, capture_output=True, text=True,
        timeout=120,
    )


def test_smoke_opens_migrates_and_shows_the_login_window(tmp_path: Path) -> None:
    path = tmp_path / "smoke.sqlite3"
    done = run_app(["--smoke", "--database", f"sqlite:///{path}", "--language", "en"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "smoke ok: login window shown" in done.stdout
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"


def test_smoke_fails_in_words_on_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n" * 10, encoding="utf-8")
    done = run_app(["--smoke", "--database", f"sqlite:///{path}"], tmp_path)
    assert done.returncode != 0
    assert "is not a CRM database" in done.stderr and "Traceback" not in done.stderr
    assert path.read_text(encoding="utf-8") == "not a database\n" * 10
