"""The custom-field page: create (with a new dictionary), validation beside the fields,
reorder, hide; record settings; and who sees the schema pages at all."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.org import auth, departments, roles, users
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.org.roles import RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.services.records import duplicates
from crm_desktop.services.records.schema import FieldType, get_dictionary, get_schema
from crm_desktop.services.records.schema_admin import (
    CustomFieldInput,
    create_custom_field,
    list_custom_fields,
)
from crm_desktop.ui.admin.area import AdminArea
from crm_desktop.ui.admin.custom_fields import CustomFieldDialog, CustomFieldsPage
from crm_desktop.ui.admin.record_settings import RecordSettingsPage
from crm_desktop.ui.context import AppContext, make_context
from crm_desktop.ui.forms import alive
from crm_desktop.ui.ops import running_count
from tests.ui_helpers import admin_context


def settle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: running_count() == 0, timeout=15_000)


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def page(qtbot: QtBot, ctx: AppContext) -> Iterator[CustomFieldsPage]:
    widget = CustomFieldsPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    settle(qtbot)
    yield widget
    settle(qtbot)


def ok(qtbot: QtBot, dialog: CustomFieldDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    settle(qtbot)


def custom_names(page: CustomFieldsPage) -> list[str]:
    return [page.custom_table.item(r, 0).text() for r in range(page.custom_table.rowCount())]


def test_built_in_fields_are_listed_for_reference(qtbot: QtBot, page: CustomFieldsPage) -> None:
    names = [page.builtin_table.item(r, 0).text() for r in range(page.builtin_table.rowCount())]
    assert names[:2] == ["Customer name", "Phone"] and "Industry" in names
    level = names.index("Level")
    assert page.builtin_table.item(level, 4).text() == "Customer level"  # its dictionary, by name
    assert page.custom_table.rowCount() == 0 and not page.edit_button.isEnabled()
    page.select_entity("lead")
    settle(qtbot)
    assert page.builtin_table.item(0, 0).text() == "Lead name"
    modules = [page.entity_combo.itemText(i) for i in range(page.entity_combo.count())]
    # The sales chain's records take custom fields too.
    assert modules == ["Customers", "Leads", "Contacts", "Follow-ups", "Products", "Opportunities", "Contracts",
                       "Payments"]


def test_create_single_select_with_a_new_dictionary(qtbot: QtBot, page: CustomFieldsPage, ctx: AppContext) -> None:
    dialog = page.new_field()
    assert dialog.type_combo.count() == 18 and dialog.type_combo.itemText(0) == "Single-line text"
    assert not dialog.dictionary_combo.parentWidget().isVisible()  # text fields take no options
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData(FieldType.SELECT.value))
    assert dialog.dictionary_combo.parentWidget().isVisible()
    assert dialog.dictionary_combo.itemText(0) == "Customer level"
    dialog.dictionary_combo.setCurrentIndex(dialog.dictionary_combo.count() - 1)  # "New dictionary…"
    assert dialog.new_name_edit.parentWidget().isVisible()
    ok(qtbot, dialog)  # nothing typed: every problem beside its row at once
    assert dialog.isVisible()
    assert dialog.errors.field_error("label") == "Required."
    assert dialog.errors.field_error("dictionary_name") == "Required."
    assert dialog.errors.field_error("items") == "Give at least one option."
    dialog.label_edit.setText("合作阶段")  # keyClicks types ASCII only
    qtbot.keyClicks(dialog.new_name_edit, "Customer level")  # the translated name of a standard one
    dialog.new_options_edit.setPlainText("初次接触\n方案报价\n\n签约")
    dialog.required_box.setChecked(True)
    dialog.help_edit.setText("当前合作进展")
    ok(qtbot, dialog)
    assert dialog.errors.field_error("dictionary_name") == "Another dictionary has this name."
    assert list_custom_fields(ctx.db, ctx.actor, "customer") == []  # nothing half-created
    dialog.new_name_edit.setText("合作阶段")
    ok(qtbot, dialog)
    assert not alive(dialog)  # closed (and deleted) after the save
    field = get_schema(ctx.db, ctx.actor, "customer").fields[-1]
    assert (field.label, field.type, field.dictionary, field.required, field.help_text) == (
        "合作阶段", FieldType.SELECT, "合作阶段", True, "当前合作进展")
    assert [i.label for i in get_dictionary(ctx.db, ctx.actor, "合作阶段")] == ["初次接触", "方案报价", "签约"]
    assert custom_names(page) == ["合作阶段"]
    assert page.custom_table.item(0, 1).text() == "Single select" and page.custom_table.item(0, 2).text() == "✓"
    assert page.message.text() == "Field “合作阶段” saved."


def test_validation_messages_beside_the_fields(qtbot: QtBot, page: CustomFieldsPage) -> None:
    dialog = page.new_field()
    qtbot.keyClicks(dialog.label_edit, "Phone")  # a built-in field's name
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData(FieldType.INTEGER.value))
    qtbot.keyClicks(dialog.default_edit, "many")
    ok(qtbot, dialog)
    assert dialog.errors.field_error("label") == "Another field has this name."
    assert dialog.errors.field_error("default") == "Enter a valid value for this field."
    qtbot.keyClicks(dialog.default_edit, "x")  # editing a field clears its error
    assert dialog.errors.field_error("default") == ""


def test_edit_reorder_and_hide(qtbot: QtBot, page: CustomFieldsPage, ctx: AppContext) -> None:
    for label in ("注册资本", "员工人数", "ERP 编号"):
        create_custom_field(ctx.db, ctx.actor, "customer", CustomFieldInput(label=label, type=FieldType.TEXT))
    ctx.signals.notify("schema")
    settle(qtbot)
    assert custom_names(page) == ["注册资本", "员工人数", "ERP 编号"]
    page.custom_table.selectRow(2)
    assert not page.down_button.isEnabled()
    page.up_button.click()
    settle(qtbot)
    page.move_current(-1)
    settle(qtbot)
    assert custom_names(page) == ["ERP 编号", "注册资本", "员工人数"]
    assert page.current_row() == 0  # the moved field stays selected
    names = [f.label for f in get_schema(ctx.db, ctx.actor, "customer").fields if f.is_custom]
    assert names == ["ERP 编号", "注册资本", "员工人数"]

    page.custom_table.selectRow(1)
    dialog = page.edit_current()
    assert dialog is not None
    assert not dialog.type_combo.isEnabled()
    dialog.label_edit.setText("注册资本（万元）")
    ok(qtbot, dialog)
    assert custom_names(page)[1] == "注册资本（万元）"

    page.custom_table.selectRow(2)
    assert page.hide_button.text() == "Hide"
    page.toggle_hidden()
    settle(qtbot)
    assert page.custom_table.item(2, 5).text() == "Hidden" and page.hide_button.text() == "Show"
    visible = [f.label for f in get_schema(ctx.db, ctx.actor, "customer").fields if f.is_custom]
    assert visible == ["ERP 编号", "注册资本（万元）"]  # hidden from everyone, the admin included
    page.toggle_hidden()
    settle(qtbot)
    assert "员工人数" in [f.label for f in get_schema(ctx.db, ctx.actor, "customer").fields]


def test_record_settings_switch_the_duplicate_check_to_block(qtbot: QtBot, ctx: AppContext) -> None:
    page = RecordSettingsPage(ctx)
    qtbot.addWidget(page)
    settle(qtbot)
    assert page.warn_radio.isChecked() and page.mode() == "warn"
    page.block_radio.click()
    page.save_button.click()
    settle(qtbot)
    assert duplicates.get_duplicate_check_mode(ctx.db, ctx.actor) == "block"
    assert page.message.text() == "Record settings saved."
    other = RecordSettingsPage(ctx)  # a page opened later shows what is stored
    qtbot.addWidget(other)
    settle(qtbot)
    assert other.block_radio.isChecked()


def _context_with(ctx: AppContext, permissions: set[tuple[str, str]]) -> AppContext:
    role = roles.create_role(ctx.db, ctx.actor, RoleInput(name="Limited", permissions=frozenset(permissions),
                                                          scopes={"customer": DataScope.SELF}))
    top = departments.list_departments(ctx.db, ctx.actor)[0]
    users.create_user(ctx.db, ctx.actor, UserInput(mobile="13700000009", name="Clerk", department_id=top.id,
                                                   role_ids=(role.id,)), password="clerk1234")
    return make_context(ctx.db, auth.login(ctx.db, "13700000009", "clerk1234"))


def test_schema_pages_need_their_permissions(qtbot: QtBot, ctx: AppContext) -> None:
    admin_area = AdminArea(ctx)
    qtbot.addWidget(admin_area)
    settle(qtbot)
    assert admin_area.page_keys()[-12:] == [
        "field_permission", "pool", "custom_field", "dictionary", "record_setting", "automation", "approval_flow",
        "stage_group", "execution_stage", "number_rule", "print_template", "target"]
    assert admin_area.show_page("dictionary") is admin_area.dictionaries_page

    clerk = _context_with(ctx, {("user", "view"), ("role", "view")})
    area = AdminArea(clerk)
    qtbot.addWidget(area)
    settle(qtbot)
    assert area.page_keys() == ["user", "role", "field_permission"]  # field permissions belong to roles
    assert area.custom_fields_page is None and area.dictionaries_page is None and area.record_settings_page is None
    with pytest.raises(KeyError):
        area.show_page("custom_field")
    fp = area.field_permissions_page
    assert fp is not None and not fp.save_button.isEnabled()  # role/view only: looking, not changing
