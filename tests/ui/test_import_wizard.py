"""The import wizard end to end on a real xlsx (issue 14): mapping found and remembered, a dry
run with an update's diff, the import, the error file written, fixed and imported again, and
Undo bringing the database back exactly."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from pytestqt.qtbot import QtBot
from sqlalchemy import select, text

from crm_desktop.db import Database
from crm_desktop.models import Base
from crm_desktop.services.customers.customers import customers
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.imports.wizard import (
    DRY_RUN,
    MAPPING,
    OPTIONS,
    RESULT,
    SHEET,
    ImportWizard,
)
from tests.import_helpers import xlsx
from tests.ui_helpers import admin_context

#: Bookkeeping that an undo adds to rather than removes (the log of the undo itself).
KEPT = {"audit_entries", "audit_changes", "import_batches", "import_batch_rows", "import_mappings", "cache_signals"}
#: Columns an undo moves on by design (a restored record is a new version).
MOVING = {"version", "updated_at"}


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows (bookkeeping tables and moving columns left out)."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in KEPT:
                continue
            cols = [c for c in table.c if c.name not in MOVING]
            query = select(*cols)
            if table.name == "dashboard_rollup":  # derived: a bucket whose count went back to 0 is no count
                query = query.where((table.c.record_count != 0) | (table.c.amount_cents != 0))
            found[table.name] = sorted(map(tuple, conn.execute(query)), key=repr)
        found["search_customers"] = sorted(map(tuple, conn.execute(text(
            "SELECT rowid, name, phone, mobile, initials FROM search_customers"))), key=repr)
    return found


def wait_page(qtbot: QtBot, wizard: ImportWizard, page: int) -> None:
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == page and ops.running_count() == 0, timeout=30_000)


def open_at_mapping(qtbot: QtBot, ctx: AppContext, path: Path) -> ImportWizard:
    """A customers wizard on ``path``, taken to the mapping step."""
    wizard = ImportWizard(ctx, "customer")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.path_edit.setText(str(path))
    wizard.next_button.click()
    wait_page(qtbot, wizard, SHEET)
    wizard.next_button.click()
    wait_page(qtbot, wizard, MAPPING)
    return wizard


def run_wizard(qtbot: QtBot, ctx: AppContext, path: Path, *, policy: str = "skip") -> ImportWizard:
    wizard = open_at_mapping(qtbot, ctx, path)
    wizard.next_button.click()
    wait_page(qtbot, wizard, OPTIONS)
    wizard.policy_box.setCurrentIndex(wizard.policy_box.findData(policy))
    wizard.next_button.click()
    wait_page(qtbot, wizard, DRY_RUN)
    return wizard


def test_the_wizard_end_to_end(qtbot: QtBot, sqlite_db: Database, tmp_path: Path) -> None:
    ctx = admin_context(sqlite_db)
    old = customers.create(sqlite_db, ctx.actor, {"name": "老客户有限公司", "remark": "原样"})
    before = snapshot(sqlite_db)
    path = xlsx(tmp_path / "客户.xlsx", [["客户名单"], ["客户名称", "手机", "备注", "联系人"],
                                        ["甲公司", "13800001111", "新客户", "张三"],
                                        ["老客户有限公司", None, "新备注", None],
                                        ["乙公司", "1380000x", None, None]])
    wizard = run_wizard(qtbot, ctx, path, policy="update")
    assert wizard.info is not None and wizard.info.header_row == 1
    targets = [wizard.mapping_table.cellWidget(r, 1).currentData() for r in range(4)]
    assert targets == ["name", "mobile", "remark", "contact.name"]
    assert wizard.dry is not None and (wizard.dry.new, wizard.dry.updated, wizard.dry.failed) == (1, 1, 1)
    assert "原样 → 新备注" in wizard.diff_view.toPlainText()
    assert wizard.errors_table.rowCount() == 1 and wizard.errors_table.item(0, 0).text() == "5"
    assert snapshot(sqlite_db) == before  # the dry run wrote nothing
    wizard.next_button.click()
    wait_page(qtbot, wizard, RESULT)
    assert wizard.result is not None and (wizard.result.created, wizard.result.updated) == (1, 1)
    assert customers.get(sqlite_db, ctx.actor, old.id).values["remark"] == "新备注"

    errors_file = tmp_path / "失败.xlsx"
    wizard.choose_error_file = lambda chosen: chosen(errors_file)
    wizard.error_file_button.click()
    qtbot.waitUntil(lambda: errors_file.exists() and ops.running_count() == 0, timeout=30_000)
    book = load_workbook(errors_file)
    ws = book.active
    assert [c.value for c in ws[2]][:2] == ["乙公司", "1380000x"]
    ws.cell(row=2, column=2, value="13800002222")
    book.save(errors_file)
    again = run_wizard(qtbot, ctx, errors_file)
    assert again.dry is not None and (again.dry.new, again.dry.failed) == (1, 0)
    again.next_button.click()
    wait_page(qtbot, again, RESULT)
    assert again.result is not None and again.result.created == 1

    # The same headers again: the mapping comes back as remembered.
    third = ImportWizard(ctx, "customer")
    qtbot.addWidget(third)
    third.path_edit.setText(str(path))
    third.next_button.click()
    wait_page(qtbot, third, SHEET)
    assert {third.mapping_table.item(r, 2).text() for r in range(4)} == {"remembered"}

    for w in (again, wizard):
        w.undo_button.click()
        qtbot.waitUntil(lambda w=w: w.undone is not None and ops.running_count() == 0, timeout=30_000)
    assert wizard.undone.deleted == 2 and wizard.undone.restored == 1
    assert snapshot(sqlite_db) == before


def test_record_tabs_offer_import(qtbot: QtBot, sqlite_db: Database) -> None:
    from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

    from crm_desktop.ui.imports.list_button import add_import_button

    class Tab(QWidget):  # what the button needs of a record tab
        def __init__(self, ctx: AppContext) -> None:
            super().__init__()
            self.tool_row = QHBoxLayout(self)
            self.log_button = QPushButton("log")
            self.tool_row.addWidget(self.log_button)
            self.ctx = ctx
            self.service = customers

    ctx = admin_context(sqlite_db)
    tab = Tab(ctx)
    qtbot.addWidget(tab)
    button = add_import_button(tab)
    assert button is not None and tab.tool_row.indexOf(button) == 0
    button.click()
    qtbot.waitUntil(lambda: any(w.isVisible() for w in tab.findChildren(ImportWizard)), timeout=5_000)


def test_a_column_no_field_takes_can_become_a_new_field(qtbot: QtBot, sqlite_db: Database, tmp_path: Path) -> None:
    ctx = admin_context(sqlite_db)
    path = xlsx(tmp_path / "客户.xlsx", [["客户名称", "注册资本"], ["甲公司", "500万"], ["乙公司", "80万"]])
    wizard = open_at_mapping(qtbot, ctx, path)
    box = wizard.mapping_table.cellWidget(1, 1)
    assert box.currentData() == ""  # not imported unless chosen
    offered = [box.itemData(i) for i in range(box.count()) if str(box.itemData(i)).startswith("new:")]
    assert "new:money" in offered  # typed from its values and its header
    box.setCurrentIndex(box.findData("new:money"))
    wizard.next_button.click()
    wait_page(qtbot, wizard, OPTIONS)
    wizard.next_button.click()
    wait_page(qtbot, wizard, DRY_RUN)
    assert wizard.options().new_fields == {"注册资本": "money"}
    wizard.next_button.click()
    wait_page(qtbot, wizard, RESULT)
    assert wizard.result is not None and wizard.result.created == 2
    rows = customers.list_page(sqlite_db, ctx.actor).rows
    assert sorted(str(v) for r in rows for v in r.custom.values()) == ["5000000.00", "800000.00"]
