"""The main window's search box finds records by name, phone and pinyin initials, only those
the user may see, and opens the module on the one chosen."""
from __future__ import annotations

from typing import Any

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org.permissions import RECORD_ACTIONS, DataScope
from crm_desktop.services.org.roles import RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.ui.context import make_context
from crm_desktop.ui.main_window import MainWindow
from tests.ui_helpers import admin_context


def _texts(window: MainWindow) -> list[str]:
    return [window.search.results.item(i).text() for i in range(window.search.results.count())]


def _search(qtbot: Any, window: MainWindow, text: str) -> list[str]:
    window.search.edit.setText(text)
    with qtbot.waitSignal(window.search.results_shown, timeout=10_000):
        window.search.run_search()
    return _texts(window)


def test_search_box_finds_and_opens(qtbot: Any, sqlite_db: Database) -> None:
    ctx = admin_context(sqlite_db)
    customers.create(sqlite_db, ctx.actor, {"name": "厦门星辰科技有限公司", "phone": "0592-5551234"})
    customers.create(sqlite_db, ctx.actor, {"name": "福州海峡贸易有限公司"})
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    assert any("厦门星辰科技有限公司" in t for t in _search(qtbot, window, "xmxc"))  # pinyin initials
    assert any("厦门星辰科技有限公司" in t for t in _search(qtbot, window, "5551234"))  # phone digits
    found = _search(qtbot, window, "海峡")
    assert len(found) == 1 and "福州海峡贸易有限公司" in found[0]
    window.search.results.itemActivated.emit(window.search.results.item(0))
    assert window.tabs.currentWidget() is window.customers_tab
    assert window.customers_tab.search_edit.text() == "福州海峡贸易有限公司"
    assert _search(qtbot, window, "没有这家") == ["Nothing found for “没有这家”."]


def test_search_box_respects_scope(qtbot: Any, sqlite_db: Database) -> None:
    ctx = admin_context(sqlite_db)
    role = roles.create_role(sqlite_db, ctx.actor, RoleInput(
        name="销售", permissions=frozenset(("customer", a) for a in RECORD_ACTIONS), scopes={"customer": DataScope.SELF}))
    users.create_user(sqlite_db, ctx.actor, UserInput(mobile="13700000001", name="李娜",
                                                      department_id=ctx.actor.department_id, role_ids=(role.id,)),
                      password="abc12345")
    customers.create(sqlite_db, ctx.actor, {"name": "管理员的星辰客户"})
    rep = auth.login(sqlite_db, "13700000001", "abc12345")
    customers.create(sqlite_db, rep, {"name": "李娜的星辰客户"})
    window = MainWindow(make_context(sqlite_db, rep))
    qtbot.addWidget(window)
    window.show()
    found = _search(qtbot, window, "星辰")
    assert len(found) == 1 and "李娜的星辰客户" in found[0]
