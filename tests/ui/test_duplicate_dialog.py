"""The duplicate-claim (撞单) check of the record form: warn and block modes."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.leads import leads
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.records.duplicates import (
    DuplicateCandidate,
    set_duplicate_check_mode,
)
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.forms.duplicate_dialog import DuplicateDialog
from crm_desktop.ui.records.forms.layout import FormField
from crm_desktop.ui.records.forms.record_dialog import RecordDialog, open_record_form
from tests.ui.test_record_form import Host
from tests.ui_helpers import admin_context

EXISTING = "厦门星辰科技有限公司"
TYPED = "星辰科技（厦门）"
ORDER = (FormField("name", "Name", required=True), FormField("phone", "Phone"))


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    context = admin_context(sqlite_db)
    customers.create(sqlite_db, context.actor, {"name": EXISTING, "phone": "0592-1234567"})
    return context


@pytest.fixture
def host(qtbot: QtBot) -> Iterator[Host]:
    widget = Host()
    qtbot.addWidget(widget)
    yield widget
    ops.wait_idle()


def open_form(qtbot: QtBot, ctx: AppContext, host: Host, *, record_id: int | None = None,
              service: object = customers) -> RecordDialog:
    host.record_dialog = None
    open_record_form(ctx, service, ORDER, record_id=record_id, title="New", parent=host,  # type: ignore[arg-type]
                     on_saved=host.saved.append)
    qtbot.waitUntil(lambda: host.record_dialog is not None, timeout=5_000)
    assert host.record_dialog is not None
    return host.record_dialog


def type_and_save(qtbot: QtBot, dialog: RecordDialog, name: str = TYPED) -> DuplicateDialog:
    dialog.set_value("name", name)
    dialog.save()
    qtbot.waitUntil(lambda: dialog.duplicate_dialog is not None, timeout=5_000)
    assert dialog.duplicate_dialog is not None and dialog.duplicate_dialog.isVisible()
    return dialog.duplicate_dialog


def test_warn_lists_candidates_and_save_anyway_saves(qtbot: QtBot, ctx: AppContext, host: Host) -> None:
    dialog = open_form(qtbot, ctx, host)
    dup = type_and_save(qtbot, dialog)
    assert not dup.blocked and dup.save_anyway_button is not None
    assert dup.table.rowCount() == 1
    assert dup.cell(0, "name") == EXISTING
    assert dup.cell(0, "owner") == "管理员"
    assert dup.cell(0, "field") == "Name" and dup.cell(0, "how") == "Similar name"
    assert dup.cell(0, "entity").lower() == "customer"
    assert customers.count(ctx.db, ctx.actor) == 1  # nothing saved while the user decides
    dup.save_anyway_button.click()
    qtbot.waitUntil(lambda: len(host.saved) == 1, timeout=5_000)
    assert customers.count(ctx.db, ctx.actor) == 2
    assert host.saved[0].values["name"] == TYPED


def test_warn_back_to_form_does_not_save(qtbot: QtBot, ctx: AppContext, host: Host) -> None:
    dialog = open_form(qtbot, ctx, host)
    dup = type_and_save(qtbot, dialog)
    dup.back_button.click()
    qtbot.waitUntil(lambda: dialog.duplicate_dialog is None, timeout=5_000)
    ops.wait_idle()
    qtbot.wait(50)
    assert customers.count(ctx.db, ctx.actor) == 1 and host.saved == []
    assert dialog.isVisible() and dialog.value("name") == TYPED
    assert "Not saved" in dialog.message_label.text()


@pytest.mark.parametrize("focus", ["table", "save_anyway"])
def test_enter_never_saves_the_duplicate(qtbot: QtBot, ctx: AppContext, host: Host, focus: str) -> None:
    """Enter goes back to the form, wherever the focus is ("Save anyway" only by a click or Space)."""
    dialog = open_form(qtbot, ctx, host)
    dup = type_and_save(qtbot, dialog)
    assert dup.save_anyway_button is not None
    target = dup.table if focus == "table" else dup.save_anyway_button
    target.setFocus()
    qtbot.keyClick(target, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.duplicate_dialog is None, timeout=5_000)
    ops.wait_idle()
    qtbot.wait(50)
    assert customers.count(ctx.db, ctx.actor) == 1 and host.saved == []
    assert dialog.isVisible() and dialog.value("name") == TYPED


def test_block_mode_shows_list_and_saves_nothing(qtbot: QtBot, ctx: AppContext, host: Host) -> None:
    set_duplicate_check_mode(ctx.db, ctx.actor, "block")
    dialog = open_form(qtbot, ctx, host)
    dialog.set_value("phone", "+86 592 1234567")
    dup = type_and_save(qtbot, dialog, "完全不同的名字")
    assert dup.blocked and dup.save_anyway_button is None
    assert dup.cell(0, "name") == EXISTING and dup.cell(0, "how") == "Same"
    assert dup.cell(0, "field") == "Phone"
    dup.back_button.click()
    qtbot.waitUntil(lambda: dialog.duplicate_dialog is None, timeout=5_000)
    assert customers.count(ctx.db, ctx.actor) == 1 and host.saved == []
    assert dialog.value("name") == "完全不同的名字" and dialog.value("phone") == "+86 592 1234567"
    # Changing the clashing value lets the record through.
    dialog.set_value("phone", "0592-7654321")
    dialog.save()
    qtbot.waitUntil(lambda: len(host.saved) == 1, timeout=5_000)
    assert customers.count(ctx.db, ctx.actor) == 2


def test_no_candidates_saves_at_once(qtbot: QtBot, ctx: AppContext, host: Host) -> None:
    dialog = open_form(qtbot, ctx, host)
    dialog.set_value("name", "福州远航物流有限公司")
    dialog.save()
    qtbot.waitUntil(lambda: len(host.saved) == 1, timeout=5_000)
    assert dialog.duplicate_dialog is None


def test_edit_checks_only_changed_fields(qtbot: QtBot, ctx: AppContext, host: Host) -> None:
    other = customers.create(ctx.db, ctx.actor, {"name": "福州远航物流有限公司"})
    dialog = open_form(qtbot, ctx, host, record_id=other.id)
    dialog.set_value("phone", "0592-7654321")  # the name is unchanged: not checked again
    dialog.save()
    qtbot.waitUntil(lambda: len(host.saved) == 1, timeout=5_000)
    edit = open_form(qtbot, ctx, host, record_id=other.id)
    dup = type_and_save(qtbot, edit, "星辰科技")
    assert dup.cell(0, "name") == EXISTING
    assert other.id not in [c.record_id for c in dup.candidates]  # its own record is never a candidate


def test_lead_form_is_checked_against_customers(qtbot: QtBot, ctx: AppContext, host: Host) -> None:
    dialog = open_form(qtbot, ctx, host, service=leads)
    dup = type_and_save(qtbot, dialog)
    assert dup.cell(0, "name") == EXISTING
    assert leads.count(ctx.db, ctx.actor) == 0


def test_out_of_scope_candidate_shows_name_and_owner_only(qtbot: QtBot, sqlite_db: Database, ctx: AppContext) -> None:
    role = roles.create_role(sqlite_db, ctx.actor, roles.RoleInput(
        name="Sales", permissions=frozenset(("customer", a) for a in ("view", "create", "edit")),
        scopes={"customer": DataScope.SELF}))
    users.create_user(sqlite_db, ctx.actor, users.UserInput(
        mobile="13900000001", name="销售小王", department_id=ctx.actor.department_id, role_ids=(role.id,)
    ), password="sales1234")
    sales = auth.login(sqlite_db, "13900000001", "sales1234")
    from crm_desktop.services.records.duplicates import find_duplicates

    found = find_duplicates(sqlite_db, sales, entity="customer", values={"name": TYPED})
    assert found and not found[0].visible and found[0].record_id is None
    dup = DuplicateDialog(found, blocked=False)
    qtbot.addWidget(dup)
    assert dup.cell(0, "name").startswith(EXISTING) and "not in your data scope" in dup.cell(0, "name")
    assert dup.cell(0, "owner") == "管理员"


def test_pool_candidate_owner_text(qtbot: QtBot) -> None:
    candidate = DuplicateCandidate(entity="customer", record_id=None, name="甲", owner_name="", field="email",
                                   fields=("email",), how="exact", in_pool=True, visible=False)
    dup = DuplicateDialog([candidate], blocked=True, labels={"email": "E-mail"})
    qtbot.addWidget(dup)
    assert dup.cell(0, "owner") == "Public pool" and dup.cell(0, "field") == "E-mail"
    assert dup.save_anyway_button is None
