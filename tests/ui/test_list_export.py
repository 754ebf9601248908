"""The Export button of the record tabs (list_export.py), driven as a user would: selected rows,
the whole searched list, the real file dialog, hidden fields, formula-looking text, errors."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.customers import customers as customer_ops
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.records.filters import Condition, Filter, Op
from crm_desktop.services.records.records import RecordDTO
from crm_desktop.services.records.schema import Access
from crm_desktop.services.records.schema_admin import set_field_permissions
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.lists.customers import CustomersTab
from crm_desktop.ui.records.lists.list_export import ListExporter, default_file_name
from tests.ui_helpers import admin_context

HEADERS = ("Customer name", "Phone", "Level", "Industry", "Deal status", "Locked", "Address", "Owner", "Updated")


def settle(qtbot: QtBot, tab: CustomersTab) -> None:
    qtbot.waitUntil(lambda: not tab.model.is_loading() and ops.running_count() == 0, timeout=15_000)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """The folder files are exported to (the test database lives in tmp_path itself)."""
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


def open_tab(qtbot: QtBot, ctx: AppContext) -> CustomersTab:
    widget = CustomersTab(ctx)
    qtbot.addWidget(widget)
    widget.resize(1280, 700)
    settle(qtbot, widget)
    return widget


@pytest.fixture
def tab(qtbot: QtBot, ctx: AppContext) -> Iterator[CustomersTab]:
    yield open_tab(qtbot, ctx)
    ops.wait_idle()


def add(ctx: AppContext, name: str, **values: str) -> RecordDTO:
    return customers.create(ctx.db, ctx.actor, {"name": name, **values})


def save_to(exporter: ListExporter, folder: Path) -> list[str]:
    """Skip the file dialog: the chosen file is the default name in ``folder``. Returns the names asked."""
    asked: list[str] = []

    def choose(default_name: str, chosen: object) -> None:
        asked.append(default_name)
        chosen(folder / default_name)  # type: ignore[operator]

    exporter.choose_path = choose
    return asked


def sheet(path: Path) -> list[tuple[object, ...]]:
    return [tuple(r) for r in load_workbook(path, read_only=True).active.iter_rows(values_only=True)]


def wait_message(qtbot: QtBot, tab: CustomersTab, start: str) -> str:
    qtbot.waitUntil(lambda: tab.message_label.text().startswith(start), timeout=10_000)
    return tab.message_label.text()


def test_export_selected_rows(qtbot: QtBot, tab: CustomersTab, ctx: AppContext, out: Path) -> None:
    a, _b, c = add(ctx, "甲公司", phone="111", level="A"), add(ctx, "乙公司"), add(ctx, "=1+1", phone="+86 1")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 3, timeout=5_000)
    settle(qtbot, tab)
    assert not tab.exporter.button.isHidden()
    assert not tab.exporter.selected_action.isEnabled()  # nothing selected yet
    tab.select_ids([a.id, c.id])
    assert tab.exporter.selected_action.isEnabled()
    asked = save_to(tab.exporter, out)
    tab.exporter.selected_action.trigger()
    name = f"Customers-{dt.date.today().isoformat()}.xlsx"
    assert asked == [name]
    assert wait_message(qtbot, tab, "Exported") == f"Exported 2 rows to “{name}”."
    rows = sheet(out / name)
    assert rows[0] == HEADERS
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"甲公司", "=1+1"}
    assert by_name["甲公司"][1:3] == ("111", "A（重点客户）") and by_name["甲公司"][7] == ctx.actor.name
    assert by_name["甲公司"][4:6] == ("No deal", False)  # the label, as the list shows it
    assert by_name["=1+1"][1] == "+86 1"
    cell = next(r[0] for r in load_workbook(out / name).active.iter_rows(min_row=2) if r[0].value == "=1+1")
    assert cell.data_type == "s"  # text, never a formula


def test_export_whole_searched_list_in_list_order(
    qtbot: QtBot, tab: CustomersTab, ctx: AppContext, out: Path
) -> None:
    for name in ("厦门丙", "厦门甲", "福州乙", "厦门乙"):
        add(ctx, name)
    qtbot.waitUntil(lambda: tab.model.total == 4, timeout=5_000)
    tab.search_edit.setText("厦门")  # keyClicks cannot type CJK
    qtbot.waitUntil(lambda: tab.model.search_text == "厦门", timeout=5_000)
    tab.model.set_sort("name", descending=False)
    settle(qtbot, tab)
    save_to(tab.exporter, out)
    tab.exporter.all_action.trigger()
    assert wait_message(qtbot, tab, "Exported").startswith("Exported 3 rows")
    rows = sheet(next(out.glob("*.xlsx")))
    assert rows[0] == HEADERS
    names = [r[0] for r in rows[1:]]
    assert names == sorted(names) and set(names) == {"厦门丙", "厦门甲", "厦门乙"}
    assert list(out.iterdir()) == [next(out.glob("*.xlsx"))]  # no temporary file left


def test_file_dialog_is_non_modal_with_default_name(
    qtbot: QtBot, tab: CustomersTab, ctx: AppContext, out: Path
) -> None:
    add(ctx, "甲公司")
    qtbot.waitUntil(lambda: tab.model.total == 1, timeout=5_000)
    settle(qtbot, tab)
    tab.exporter.all_action.trigger()
    dialog = tab.exporter.file_dialog
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()
    assert dialog.testOption(QFileDialog.Option.DontUseNativeDialog)
    assert dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave
    assert dialog.selectedFiles()[0].endswith(default_file_name("customer"))
    dialog.setDirectory(str(out))
    dialog.selectFile("客户名单")  # no suffix typed: .xlsx is added
    dialog.accept()
    assert wait_message(qtbot, tab, "Exported") == "Exported 1 row to “客户名单.xlsx”."
    assert sheet(out / "客户名单.xlsx")[1][0] == "甲公司"


def test_unwritable_path_says_so_and_writes_nothing(
    qtbot: QtBot, tab: CustomersTab, ctx: AppContext, out: Path
) -> None:
    add(ctx, "甲公司")
    qtbot.waitUntil(lambda: tab.model.total == 1, timeout=5_000)
    settle(qtbot, tab)
    missing = out / "gone"
    tab.exporter.choose_path = lambda _name, chosen: chosen(missing / "out.xlsx")
    tab.exporter.all_action.trigger()
    assert wait_message(qtbot, tab, "Not exported").startswith("Not exported: could not write “out.xlsx”")
    assert not missing.exists() and list(out.iterdir()) == []
    # A name the service cannot replace (here a folder of that name): said, nothing half-written.
    (out / "taken.xlsx").mkdir()
    tab.message_label.clear()
    tab.exporter.choose_path = lambda _name, chosen: chosen(out / "taken.xlsx")
    tab.exporter.all_action.trigger()
    assert wait_message(qtbot, tab, "Not exported").startswith("Not exported: could not write “taken.xlsx”")
    assert [p.name for p in out.iterdir()] == ["taken.xlsx"] and (out / "taken.xlsx").is_dir()


def make_user(ctx: AppContext, *, mobile: str, actions: tuple[str, ...], hide: tuple[str, ...] = ()) -> AppContext:
    role = roles.create_role(ctx.db, ctx.actor, roles.RoleInput(
        name=f"Role {mobile}", permissions=frozenset(("customer", a) for a in actions),
        scopes={"customer": DataScope.ALL},
    ))
    if hide:
        set_field_permissions(ctx.db, ctx.actor, role.id, "customer", {f: Access.HIDDEN for f in hide})
    users.create_user(ctx.db, ctx.actor, users.UserInput(
        mobile=mobile, name=f"用户{mobile[-2:]}", department_id=ctx.actor.department_id, role_ids=(role.id,)
    ), password="pass12345")
    return ctx.with_actor(auth.login(ctx.db, mobile, "pass12345"))


def test_hidden_field_is_not_exported(qtbot: QtBot, ctx: AppContext, out: Path) -> None:
    add(ctx, "甲公司", phone="0592-111", level="B")
    rep = make_user(ctx, mobile="13700000001", actions=("view", "export"), hide=("phone",))
    tab = open_tab(qtbot, rep)
    qtbot.waitUntil(lambda: tab.model.total == 1, timeout=5_000)
    settle(qtbot, tab)
    tab.select_ids([tab.model.record(0).id])
    save_to(tab.exporter, out)
    tab.exporter.selected_action.trigger()
    wait_message(qtbot, tab, "Exported 1 row")
    rows = sheet(next(out.glob("*.xlsx")))
    assert "Phone" not in rows[0] and rows[0][:2] == ("Customer name", "Level")
    assert "0592-111" not in rows[1] and rows[1][:2] == ("甲公司", "B（普通客户）")
    ops.wait_idle()


def test_export_button_follows_permission(qtbot: QtBot, ctx: AppContext, out: Path) -> None:
    viewer = make_user(ctx, mobile="13700000002", actions=("view",))
    tab = open_tab(qtbot, viewer)
    assert tab.exporter.button.isHidden()
    # Even when asked anyway, the service refuses and the user reads why; no file is written.
    save_to(tab.exporter, out)
    tab.exporter.all_action.trigger()
    message = wait_message(qtbot, tab, "Not exported")
    assert "permission" in message.lower() and "export" in message.lower()
    assert list(out.iterdir()) == []
    ops.wait_idle()


def test_default_file_name_uses_translated_module_name() -> None:
    assert default_file_name("customer", dt.date(2026, 11, 22)) == "Customers-2026-11-22.xlsx"
    assert default_file_name("contact", dt.date(2026, 1, 2)) == "Contacts-2026-01-02.xlsx"


def test_whole_list_follows_view_and_filter(qtbot: QtBot, tab: CustomersTab, ctx: AppContext, out: Path) -> None:
    a, b, _c = add(ctx, "甲公司", level="A"), add(ctx, "乙公司", level="A"), add(ctx, "丙公司", level="A")
    add(ctx, "丁公司", level="B")
    for record in (a, b):
        customer_ops.set_star(ctx.db, ctx.actor, record.id, starred=True)
    qtbot.waitUntil(lambda: tab.model.total == 4, timeout=5_000)
    tab.model.set_view("starred")
    tab.model.set_filter(Filter((Condition("name", Op.CONTAINS, "甲"),)))
    qtbot.waitUntil(lambda: tab.model.total == 1, timeout=5_000)
    settle(qtbot, tab)
    save_to(tab.exporter, out)
    tab.exporter.all_action.trigger()
    assert wait_message(qtbot, tab, "Exported").startswith("Exported 1 row")
    assert [r[0] for r in sheet(next(out.glob("*.xlsx")))[1:]] == ["甲公司"]
