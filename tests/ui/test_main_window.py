"""First run, the main window (tabs by permission, workbench, user menu) and the app loop."""
from __future__ import annotations

import logging
import re
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from crm_desktop import config
from crm_desktop.db import Database, sqlite_file
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.org import auth, roles, users
from crm_desktop.ui import app as app_module
from crm_desktop.ui import i18n, ops
from crm_desktop.ui.context import AppContext, make_context
from crm_desktop.ui.first_run import FirstRunDialog
from crm_desktop.ui.login import LoginDialog
from crm_desktop.ui.main_window import MainWindow
from tests.ui_helpers import ADMIN_MOBILE, ADMIN_PASSWORD, admin_context

WAIT_MS = 15_000


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp: QApplication) -> Iterator[None]:
    monkeypatch.setenv("CRM_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    yield
    ops.wait_idle()
    qapp.processEvents()
    i18n.install_language("en")


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


def open_window(qtbot: QtBot, ctx: AppContext, settings: config.Config | None = None) -> MainWindow:
    window = MainWindow(ctx, settings=settings or config.load_config())
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitUntil(lambda: window.workbench.data is not None, timeout=WAIT_MS)
    return window


def context_with_permissions(db: Database, ctx: AppContext, grants: set[tuple[str, str]]) -> AppContext:
    """A user whose only role grants exactly ``grants``."""
    role = roles.create_role(db, ctx.actor, roles.RoleInput(name="Limited", permissions=frozenset(grants)))
    users.create_user(
        db, ctx.actor,
        users.UserInput(mobile="13900000009", name="李四", department_id=ctx.actor.department_id, role_ids=(role.id,)),
        password="lisi12345",
    )
    return make_context(db, auth.login(db, "13900000009", "lisi12345"))


# --- first run ---------------------------------------------------------------------------

def test_first_run_checks_fields_then_creates_the_company(qtbot: QtBot, sqlite_db: Database) -> None:
    dialog = FirstRunDialog(sqlite_db)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.company.setText("厦门星辰科技有限公司")
    dialog.admin_name.setText("林建华")
    dialog.admin_mobile.setText("not a phone")
    dialog.password.setText("admin1234")
    dialog.confirm.setText("admin9999")
    dialog.submit()
    assert dialog.errors.field_error("confirm") == "The two passwords are not the same."
    assert auth.needs_setup(sqlite_db)

    dialog.confirm.setText("admin1234")
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.errors.field_error("admin_mobile")), timeout=WAIT_MS)
    assert dialog.errors.field_error("admin_mobile") == "Enter a mobile number (digits only)."
    assert dialog.company.text() == "厦门星辰科技有限公司"  # nothing typed is lost

    dialog.admin_mobile.setText(ADMIN_MOBILE)
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        dialog.submit()
    assert dialog.actor is not None and dialog.actor.is_super
    assert dialog.actor.role_names == ("Super administrator",)
    assert auth.company_name(sqlite_db) == "厦门星辰科技有限公司"
    assert not auth.needs_setup(sqlite_db)


# --- tabs and workbench ------------------------------------------------------------------

def test_administrator_sees_all_tabs_and_status_bar(qtbot: QtBot, ctx: AppContext) -> None:
    window = open_window(qtbot, ctx)
    assert window.tab_keys() == ["workbench", "activities", "customers", "leads", "contacts", "products", "opportunities",
                                 "contracts", "payments", "pool", "approvals", "admin"]
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        "Workbench", "Activities", "Customers", "Leads", "Contacts", "Products", "Opportunities", "Contracts", "Payments",
        "Public pool", "Approvals", "Administration",
    ]
    assert window.admin_area is not None and window.customers_tab is not None
    qtbot.waitUntil(lambda: window.company_label.text() == "厦门星辰科技有限公司", timeout=WAIT_MS)
    assert window.windowTitle() == "CRM Desktop — 厦门星辰科技有限公司"
    assert window.database_label.text() == f"Database: {sqlite_file(ctx.db.url)}"
    assert window.user_label.text() == "User: 管理员"
    assert window.user_button.text().startswith("管理员")
    server = types.SimpleNamespace(url="postgresql+psycopg://sales:***@10.0.0.5:5432/crm")
    assert window.database_text(server) == "Shared server: sales@10.0.0.5:5432/crm"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("grants", "tabs"),
    [
        ({("customer", "view")}, ["workbench", "customers", "approvals"]),
        ({("role", "view")}, ["workbench", "admin"]),
        ({("department", "view"), ("customer", "view")}, ["workbench", "customers", "approvals", "admin"]),
        ({("lead", "view"), ("contact", "view")}, ["workbench", "leads", "contacts", "approvals"]),
        ({("contract", "view")}, ["workbench", "contracts", "approvals"]),  # orders are approved too
        (set(), ["workbench"]),
    ],
)
def test_tabs_follow_permissions(
    qtbot: QtBot, sqlite_db: Database, ctx: AppContext, grants: set[tuple[str, str]], tabs: list[str]
) -> None:
    window = open_window(qtbot, context_with_permissions(sqlite_db, ctx, grants))
    assert window.tab_keys() == tabs
    with pytest.raises(KeyError):
        window.show_tab("nothing")


def test_workbench_without_customer_permission_says_so(qtbot: QtBot, sqlite_db: Database, ctx: AppContext) -> None:
    window = open_window(qtbot, context_with_permissions(sqlite_db, ctx, set()))
    bench = window.workbench
    assert bench.data is not None and bench.data.customer_count is None
    assert bench.customer_count.text() == "—"
    assert bench.customer_hint.text() == "Your roles do not include viewing customers."
    assert bench.roles_value.text() == "Limited"
    assert not bench.open_customers.isVisibleTo(window)


def test_workbench_counts_visible_customers_and_refreshes(qtbot: QtBot, ctx: AppContext) -> None:
    window = open_window(qtbot, ctx)
    bench = window.workbench
    assert bench.customer_count.text() == "0"
    assert bench.greeting.text().endswith("管理员")
    qtbot.waitUntil(lambda: bench.company_value.text() == "厦门星辰科技有限公司", timeout=WAIT_MS)
    assert bench.roles_value.text() == "Super administrator"
    customers.create(ctx.db, ctx.actor, {"name": "厦门海辰贸易有限公司"})
    qtbot.waitUntil(lambda: bench.customer_count.text() == "1", timeout=WAIT_MS)
    bench.open_customers.click()
    assert window.current_tab_key() == "customers"


# --- user menu ---------------------------------------------------------------------------

def test_change_password(qtbot: QtBot, ctx: AppContext) -> None:
    window = open_window(qtbot, ctx)
    dialog = window.change_password()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.old_password.setText(ADMIN_PASSWORD)
    dialog.new_password.setText("newpass123")
    dialog.confirm.setText("newpass124")
    ok.click()
    assert dialog.errors.field_error("confirm") == "The two new passwords are not the same."

    dialog.old_password.setText("wrong-one1")
    dialog.confirm.setText("newpass123")
    ok.click()
    qtbot.waitUntil(lambda: bool(dialog.errors.field_error("old_password")), timeout=WAIT_MS)
    assert dialog.errors.field_error("old_password") == "The current password is wrong."

    dialog.old_password.setText(ADMIN_PASSWORD)
    dialog.new_password.setText("short")
    dialog.confirm.setText("short")
    ok.click()
    qtbot.waitUntil(lambda: bool(dialog.errors.field_error("new_password")), timeout=WAIT_MS)
    assert dialog.errors.field_error("new_password") == "Use at least 8 characters with letters and digits."

    dialog.new_password.setText("newpass123")
    dialog.confirm.setText("newpass123")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        ok.click()
    assert window.statusBar().currentMessage() == "Your password was changed."
    assert auth.login(ctx.db, ADMIN_MOBILE, "newpass123").user_id == ctx.actor.user_id


class Shouting(QTranslator):
    """Stands in for the Chinese .qm file: every main-window and workbench string changes."""

    def translate(  # type: ignore[override]
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        if context not in ("MainWindow", "Workbench"):
            return None  # not translated here ("" would blank the string out)
        parts = re.split(r"(\{[^}]*\})", source)
        return "".join(p if p.startswith("{") else p.upper() for p in parts)


def fake_languages(monkeypatch: pytest.MonkeyPatch) -> None:
    translator = Shouting()

    def install(language: str) -> bool:
        QCoreApplication.removeTranslator(translator)
        if language == "zh_CN":
            QCoreApplication.installTranslator(translator)
        monkeypatch.setattr(i18n, "_current", language)
        return True

    monkeypatch.setattr(i18n, "install_language", install)


def test_language_switch_rebuilds_the_window_and_is_remembered(
    qtbot: QtBot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_languages(monkeypatch)
    window = open_window(qtbot, ctx)
    window.show_tab("admin")
    old_bench = window.workbench
    with qtbot.waitSignal(window.language_changed, timeout=WAIT_MS) as switched:
        window.language_actions["zh_CN"].trigger()
    assert switched.args == ["zh_CN"]
    assert window.workbench is not old_bench
    assert window.tabs.tabText(0) == "WORKBENCH"
    assert window.current_tab_key() == "admin"  # the user stays where they were
    assert window.change_password_action.text() == "CHANGE PASSWORD…"
    assert window.language_actions["zh_CN"].isChecked()
    assert config.load_config().language == "zh_CN"
    qtbot.waitUntil(lambda: window.workbench.data is not None, timeout=WAIT_MS)

    window.language_actions["en"].trigger()
    assert window.tabs.tabText(0) == "Workbench"
    assert config.load_config().language == "en"


def test_missing_translation_is_reported_not_fatal(
    qtbot: QtBot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(i18n, "install_language", lambda language: False)
    window = open_window(qtbot, ctx)
    window.switch_language("zh_CN")
    assert window.tabs.tabText(0) == "Workbench"
    assert "translation is not installed" in window.statusBar().currentMessage()
    assert config.load_config().language == "zh_CN"


def test_log_out_and_close_signals(qtbot: QtBot, ctx: AppContext) -> None:
    window = open_window(qtbot, ctx)
    with qtbot.waitSignal(window.logout_requested, timeout=1000):
        window.logout_action.trigger()
    with qtbot.waitSignal(window.closed, timeout=1000):
        window.close()


# --- the app -----------------------------------------------------------------------------

def test_excepthook_logs_and_shows_a_message(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    shown: list[str] = []
    monkeypatch.setattr(app_module.QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    try:
        raise ValueError("boom")
    except ValueError as exc:
        with caplog.at_level(logging.ERROR):
            app_module.excepthook(ValueError, exc, exc.__traceback__)
    assert len(shown) == 1 and "boom" in shown[0] and "Traceback" not in shown[0]
    assert "Traceback" in caplog.text and "ValueError: boom" in caplog.text


def test_arguments() -> None:
    args, rest = app_module.parse_args(["--database", "sqlite:///x.db", "--language", "en", "-style", "fusion"])
    assert (args.database, args.language, args.smoke) == ("sqlite:///x.db", "en", False)
    assert rest == ["-style", "fusion"]
    with pytest.raises(SystemExit):
        app_module.parse_args(["--language", "fr"])


def drive(steps: list[Callable[[], bool]], seen: list[int], *, deadline_ms: int = 60_000) -> QTimer:
    """Run each step on a timer until it returns True, then the next one."""
    timer = QTimer()
    elapsed = [0]

    def tick() -> None:
        elapsed[0] += 50
        if len(seen) < len(steps) and steps[len(seen)]():
            seen.append(len(seen))
        if elapsed[0] > deadline_ms:  # give up: end every event loop so the test can fail
            timer.stop()
            QApplication.exit(1)

    timer.timeout.connect(tick)
    timer.start(50)
    return timer


def test_session_loop_first_run_then_log_out_then_quit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Windows are found by recording them as they are shown: asking Qt for all top-level
    # widgets would wrap Qt-owned popups in Python objects and crash at exit.
    shown: list[QWidget] = []
    for cls in (LoginDialog, FirstRunDialog, MainWindow):
        def show_event(self: QWidget, event: object, _original: Callable = cls.showEvent) -> None:  # type: ignore[type-arg]
            shown.append(self)
            _original(self, event)
        monkeypatch.setattr(cls, "showEvent", show_event)

    def visible(kind: type) -> list:  # type: ignore[type-arg]
        return [w for w in shown if isinstance(w, kind) and shiboken6.isValid(w) and w.isVisible()]

    path = tmp_path / "crm.sqlite3"
    settings = config.load_config()
    settings.put_profile(config.with_path(settings.local(), str(path)))
    config.save_config(settings)

    def set_up() -> bool:
        dialogs = visible(LoginDialog)
        if dialogs and dialogs[0].is_ready() and dialogs[0].needs_setup():
            dialogs[0].login_button.click()
            return True
        return False

    def first_run() -> bool:
        dialogs = visible(FirstRunDialog)
        if not dialogs:
            return False
        d = dialogs[0]
        d.company.setText("Acme")
        d.admin_name.setText("Ada")
        d.admin_mobile.setText("13700000000")
        d.password.setText("acme12345")
        d.confirm.setText("acme12345")
        d.submit()
        return True

    def log_out() -> bool:
        windows = visible(MainWindow)
        if windows and windows[0].workbench.data is not None:
            windows[0].logout_action.trigger()
            return True
        return False

    def quit_at_login() -> bool:
        dialogs = visible(LoginDialog)
        if dialogs and dialogs[0].is_ready() and not dialogs[0].needs_setup():
            assert dialogs[0].mobile.text() == "13700000000"
            dialogs[0].reject()
            return True
        return False

    seen: list[int] = []
    timer = drive([set_up, first_run, log_out, quit_at_login], seen)
    try:
        assert app_module.run_sessions(settings, fixed_url=None) == 0
    finally:
        timer.stop()
    assert seen == [0, 1, 2, 3]
    assert config.load_config().last_mobile == "13700000000"


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_module_tab_shows_at_1280_px(qtbot: QtBot, ctx: AppContext, language: str) -> None:
    """An administrator has every tab (twelve); none may hide behind the tab bar's scroll
    arrows in a 1280 px wide window, in either language."""
    i18n.install_language(language)
    window = open_window(qtbot, ctx)
    bar = window.tabs.tabBar()
    assert bar.count() == 12
    assert bar.tabRect(bar.count() - 1).right() < bar.width()
    # Search, messages and the account menu are still in reach, beside the to-do strip.
    assert window.search.isVisible() and window.message_button.isVisible()


def test_about_says_version_database_and_libraries(qtbot: QtBot, ctx: AppContext) -> None:
    import platform

    import PySide6
    from PySide6.QtCore import qVersion

    from crm_desktop import __version__

    window = open_window(qtbot, ctx)
    assert window.about_action in window.user_button.menu().actions()
    window.about_action.trigger()
    about = next(w for w in QApplication.topLevelWidgets() if type(w).__name__ == "AboutDialog" and w.isVisible())
    facts = about.facts  # type: ignore[attr-defined]
    assert facts["Version"] == __version__
    assert facts["Database"] == str(sqlite_file(ctx.db.url))
    assert qVersion() in facts["Qt"] and PySide6.__version__ in facts["Qt"]
    assert facts["Python"].startswith(platform.python_version())
    assert "Proprietary" in facts["Licence"]
    about.copy()  # type: ignore[attr-defined]
    assert __version__ in QApplication.clipboard().text()
    about.close()
