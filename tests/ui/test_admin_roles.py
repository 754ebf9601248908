"""The role page: the permission matrix, data scopes, the read-only super role, delete refusal."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox, QTableWidgetItem
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.org import auth, departments, roles, users
from crm_desktop.services.org.permissions import MODULES, DataScope
from crm_desktop.services.org.roles import RoleDTO, RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.ui.admin.roles import PermissionMatrix, RolesPage
from crm_desktop.ui.context import AppContext, make_context
from crm_desktop.ui.ops import running_count
from tests.ui_helpers import admin_context


def settle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: running_count() == 0, timeout=15_000)


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def page(qtbot: QtBot, ctx: AppContext) -> Iterator[RolesPage]:
    widget = RolesPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    settle(qtbot)
    yield widget
    settle(qtbot)


@pytest.fixture
def say_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *_a: QMessageBox.StandardButton.Yes))


def role_named(ctx: AppContext, name: str) -> RoleDTO:
    return next(r for r in roles.list_roles(ctx.db, ctx.actor) if r.name == name)


def click(qtbot: QtBot, matrix: PermissionMatrix, item: QTableWidgetItem) -> None:
    rect = matrix.table.visualItemRect(item)
    qtbot.mouseClick(matrix.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_super_role_is_first_and_read_only(page: RolesPage) -> None:
    first = page.role_list.item(0)
    assert first.text() == "Super administrator (not editable)"
    page.select_role(int(first.data(Qt.ItemDataRole.UserRole)))
    assert page.current is not None and page.current.is_super
    assert page.name_edit.isReadOnly() and page.description_edit.isReadOnly()
    matrix = page.matrix
    for spec in MODULES.values():
        for action in spec.actions:
            assert matrix.is_checked(spec.key, action)
            assert not matrix._cell(spec.key, action).flags() & Qt.ItemFlag.ItemIsEnabled
    scoped = [m.key for m in MODULES.values() if m.scoped]
    assert matrix.scopes() == {key: DataScope.ALL for key in scoped}
    assert not matrix.scope_combos["customer"].isEnabled()
    assert matrix.scope_combos["customer"].currentText() == "All"
    assert not page.save_button.isEnabled() and not page.delete_button.isEnabled()
    assert "cannot be changed or deleted" in page.note.text()


def test_matrix_has_a_box_only_where_the_module_has_the_action(page: RolesPage) -> None:
    matrix = page.matrix
    assert matrix.has_box("customer", "transfer") and not matrix.has_box("department", "transfer")
    assert matrix.has_box("user", "reset_password") and not matrix.has_box("role", "reset_password")
    headers = [matrix.table.horizontalHeaderItem(c).text() for c in range(matrix.table.columnCount())]
    assert headers[:3] == ["All", "View", "Create"] and "Reset password" in headers
    labels = [matrix.table.verticalHeaderItem(r).text() for r in range(matrix.table.rowCount())]
    assert labels == [m.label for m in MODULES.values()]  # every registered module, in order
    # only modules with owned records have a scope
    assert list(matrix.scope_combos) == [m.key for m in MODULES.values() if m.scoped]
    assert "department" not in matrix.scope_combos


def test_scope_grid_fits_the_editor_width(qtbot: QtBot, page: RolesPage) -> None:
    """As many (label, combo) pairs per row as fit: the editor never scrolls sideways."""
    grid = page.matrix.scope_grid
    for width, most in ((1400, 4), (800, 2), (640, 1)):
        page.resize(width, 700)
        qtbot.waitUntil(lambda: grid.columns <= max(1, grid.width() // grid.pair_width()))
        assert 1 <= grid.columns <= most
        assert grid.columns * grid.pair_width() <= max(grid.width(), grid.pair_width())
        qtbot.waitUntil(lambda: page.scroller.horizontalScrollBar().maximum() == 0)


def test_create_role_saves_exactly_the_ticked_permissions_and_scope(
    qtbot: QtBot, page: RolesPage, ctx: AppContext
) -> None:
    page.new_role()
    assert page.current is None and page.save_button.isEnabled()
    qtbot.keyClicks(page.name_edit, "Sales rep")
    qtbot.keyClicks(page.description_edit, "Front-line sales")
    matrix = page.matrix
    click(qtbot, matrix, matrix._cell("customer", "view"))
    click(qtbot, matrix, matrix._cell("customer", "create"))
    click(qtbot, matrix, matrix._cell("customer", "export"))
    click(qtbot, matrix, matrix._cell("customer", "export"))  # and off again
    click(qtbot, matrix, matrix.row_toggle("department"))  # "All" of a row ticks every action of it
    matrix.set_checked("department", "delete", False)
    matrix.set_checked("user", "view", True)
    matrix.set_scope("customer", DataScope.DEPARTMENT_TREE)
    assert matrix.row_toggle("department").checkState() == Qt.CheckState.PartiallyChecked
    assert page.dirty
    page.save()
    settle(qtbot)
    saved = role_named(ctx, "Sales rep")
    assert saved.description == "Front-line sales"
    assert saved.permissions == frozenset({
        ("customer", "view"), ("customer", "create"),
        ("department", "view"), ("department", "create"), ("department", "edit"),
        ("user", "view"),
    })
    assert saved.scopes["customer"] == DataScope.DEPARTMENT_TREE
    assert {k: v for k, v in saved.scopes.items() if k != "customer"} == {
        m.key: DataScope.SELF for m in MODULES.values() if m.scoped and m.key != "customer"}
    # the list shows it and the editor now edits the saved role
    assert page.current is not None and page.current.id == saved.id and not page.dirty
    assert page.role_list.currentItem().text() == "Sales rep"
    assert page.message.text() == "Role “Sales rep” saved."


def test_edit_role(qtbot: QtBot, page: RolesPage, ctx: AppContext) -> None:
    role = roles.create_role(ctx.db, ctx.actor, RoleInput(
        name="Viewer", permissions=frozenset({("customer", "view"), ("customer", "edit")}),
        scopes={"customer": DataScope.DEPARTMENT}))
    ctx.signals.notify("role", role.id)
    settle(qtbot)
    page.select_role(role.id)
    matrix = page.matrix
    assert matrix.is_checked("customer", "view") and matrix.is_checked("customer", "edit")
    assert matrix.scopes()["customer"] == DataScope.DEPARTMENT
    click(qtbot, matrix, matrix.row_toggle("customer"))  # partly ticked → all
    assert all(matrix.is_checked("customer", a) for a in MODULES["customer"].actions)
    click(qtbot, matrix, matrix.row_toggle("customer"))  # all → none
    matrix.set_checked("customer", "view", True)
    matrix.set_scope("customer", DataScope.SUBORDINATES)
    page.save()
    settle(qtbot)
    saved = role_named(ctx, "Viewer")
    assert saved.permissions == frozenset({("customer", "view")})
    assert saved.scopes["customer"] == DataScope.SUBORDINATES


def test_name_errors_are_shown_beside_the_name(qtbot: QtBot, page: RolesPage, ctx: AppContext) -> None:
    page.new_role()
    page.matrix.set_checked("customer", "view", True)
    page.save()
    settle(qtbot)
    assert page.errors.field_error("name") == "Required."
    assert page.matrix.is_checked("customer", "view")  # nothing ticked is lost
    qtbot.keyClicks(page.name_edit, "Super administrator")
    assert page.errors.field_error("name") == ""
    page.save()
    settle(qtbot)
    assert page.errors.field_error("name") == "Another role has this name."
    assert len(roles.list_roles(ctx.db, ctx.actor)) == 1


def test_delete_refused_while_users_hold_the_role(
    qtbot: QtBot, page: RolesPage, ctx: AppContext, say_yes: None
) -> None:
    role = roles.create_role(ctx.db, ctx.actor, RoleInput(name="Held"))
    top = departments.list_departments(ctx.db, ctx.actor)[0]
    users.create_user(ctx.db, ctx.actor, UserInput(mobile="13900000001", name="王经理", department_id=top.id,
                                                   role_ids=(role.id,)), password="abc12345")
    ctx.signals.notify("user")
    settle(qtbot)
    page.select_role(role.id)
    assert page.note.text() == "1 user(s) hold this role."
    page.delete_current()
    settle(qtbot)
    assert page.message.isVisible()
    assert page.message.text() == "1 user(s) still hold the role “Held”. Give them another role first."
    assert role_named(ctx, "Held").id == role.id


def test_delete_unheld_role(qtbot: QtBot, page: RolesPage, ctx: AppContext, say_yes: None) -> None:
    role = roles.create_role(ctx.db, ctx.actor, RoleInput(name="Spare"))
    ctx.signals.notify("role", role.id)
    settle(qtbot)
    page.select_role(role.id)
    page.delete_current()
    settle(qtbot)
    assert [r.name for r in roles.list_roles(ctx.db, ctx.actor)] == ["Super administrator"]
    assert page.role_item(role.id) is None and page.current is not None and page.current.is_super


def test_unsaved_edits_survive_a_refresh(qtbot: QtBot, page: RolesPage, ctx: AppContext) -> None:
    page.new_role()
    qtbot.keyClicks(page.name_edit, "Draft")
    page.matrix.set_checked("role", "view", True)
    ctx.signals.notify("user")  # someone else changed something: the list reloads
    settle(qtbot)
    assert page.name_edit.text() == "Draft" and page.matrix.is_checked("role", "view")


def test_read_only_without_edit_permission(qtbot: QtBot, ctx: AppContext) -> None:
    viewer = roles.create_role(ctx.db, ctx.actor, RoleInput(name="Auditor", permissions=frozenset({("role", "view")})))
    top = departments.list_departments(ctx.db, ctx.actor)[0]
    users.create_user(ctx.db, ctx.actor, UserInput(mobile="13900000001", name="审计", department_id=top.id,
                                                   role_ids=(viewer.id,)), password="abc12345")
    auditor = make_context(ctx.db, auth.login(ctx.db, "13900000001", "abc12345"))
    widget = RolesPage(auditor)
    qtbot.addWidget(widget)
    settle(qtbot)
    widget.select_role(viewer.id)
    assert widget.name_edit.isReadOnly() and not widget.save_button.isEnabled()
    assert not widget.new_button.isEnabled() and not widget.delete_button.isEnabled()
    assert not widget.matrix._cell("role", "view").flags() & Qt.ItemFlag.ItemIsEnabled


def test_choose_a_custom_scope_with_departments_and_save(
    qtbot: QtBot, page: RolesPage, ctx: AppContext
) -> None:
    """自定义: choosing "Custom" shows that module's department tree (and only then); the ticked
    departments are saved with the role and shown again when it is opened."""
    top = departments.list_departments(ctx.db, ctx.actor)[0]
    east = departments.create_department(ctx.db, ctx.actor, "华东", parent_id=top.id)
    east1 = departments.create_department(ctx.db, ctx.actor, "华东一部", parent_id=east.id)
    west = departments.create_department(ctx.db, ctx.actor, "华西", parent_id=top.id)
    ctx.signals.notify("department", west.id)
    settle(qtbot)
    page.new_role()
    qtbot.keyClicks(page.name_edit, "Regional viewer")
    matrix = page.matrix
    matrix.set_checked("customer", "view", True)
    picker = matrix.custom_pickers["customer"]
    assert not matrix.custom_area.isVisible() and not picker.isVisible()
    combo = matrix.scope_combos["customer"]
    assert combo.itemText(combo.count() - 1) == "Custom"
    # As a user: the combo focused, End picks its last entry, "Custom".
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_End)
    assert combo.currentData() == DataScope.CUSTOM.value
    assert matrix.custom_area.isVisible() and picker.isVisible()
    assert not matrix.custom_pickers["contact"].isVisible()  # only the module set to Custom
    viewport = page.scroller.viewport()

    def in_view() -> bool:  # the page scrolls the new tree into view (it appears below the fold)
        top_left = picker.mapTo(viewport, QPoint(0, 0))
        return viewport.rect().contains(top_left) and viewport.rect().contains(
            top_left + QPoint(picker.width() - 1, picker.height() - 1))

    qtbot.waitUntil(in_view, timeout=3000)
    # The tree mirrors the departments: 华东一部 under 华东.
    assert picker.item_for(east1.id).parent() is picker.item_for(east.id)
    for dept in (east, west):  # ticked from the keyboard: the item, then Space
        picker.setFocus()
        picker.setCurrentItem(picker.item_for(dept.id))
        qtbot.keyClick(picker, Qt.Key.Key_Space)
    assert picker.chosen() == {east.id, west.id}, "the sub-department is not implied"
    assert page.dirty
    page.save()
    settle(qtbot)
    assert page.message.text() == "Role “Regional viewer” saved."
    saved = role_named(ctx, "Regional viewer")
    assert saved.scopes["customer"] == DataScope.CUSTOM
    assert saved.scope_departments == {"customer": frozenset({east.id, west.id})}
    # Opened again: the tree shows the saved ticks; another scope hides it.
    page.select_role(int(page.role_list.item(0).data(Qt.ItemDataRole.UserRole)))  # the super administrator
    assert not picker.isVisible()
    page.select_role(saved.id)
    assert picker.chosen() == {east.id, west.id} and picker.isVisible()
    matrix.set_scope("customer", DataScope.DEPARTMENT)
    assert not picker.isVisible() and matrix.scope_departments() == {}


def test_custom_scope_without_departments_is_refused_in_the_message_bar(
    qtbot: QtBot, page: RolesPage, ctx: AppContext
) -> None:
    page.new_role()
    qtbot.keyClicks(page.name_edit, "Nobody")
    page.matrix.set_scope("customer", DataScope.CUSTOM)
    page.save()
    settle(qtbot)
    assert page.message.text() == "Custom data scope: Choose at least one department for each custom data scope."
    assert all(r.name != "Nobody" for r in roles.list_roles(ctx.db, ctx.actor))


def test_a_reader_sees_the_custom_departments_but_cannot_tick(qtbot: QtBot, ctx: AppContext) -> None:
    top = departments.list_departments(ctx.db, ctx.actor)[0]
    east = departments.create_department(ctx.db, ctx.actor, "华东", parent_id=top.id)
    regional = roles.create_role(ctx.db, ctx.actor, RoleInput(
        name="Regional", permissions=frozenset({("customer", "view")}), scopes={"customer": DataScope.CUSTOM},
        scope_departments={"customer": frozenset({east.id})}))
    viewer = roles.create_role(ctx.db, ctx.actor, RoleInput(name="Auditor", permissions=frozenset({("role", "view")})))
    users.create_user(ctx.db, ctx.actor, UserInput(mobile="13900000001", name="审计", department_id=top.id,
                                                   role_ids=(viewer.id,)), password="abc12345")
    auditor = make_context(ctx.db, auth.login(ctx.db, "13900000001", "abc12345"))
    widget = RolesPage(auditor)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    settle(qtbot)
    widget.select_role(regional.id)
    picker = widget.matrix.custom_pickers["customer"]
    assert picker.isVisible() and picker.chosen() == {east.id}
    assert not picker.item_for(top.id).flags() & Qt.ItemFlag.ItemIsUserCheckable
    picker.setFocus()
    picker.setCurrentItem(picker.item_for(top.id))
    qtbot.keyClick(picker, Qt.Key.Key_Space)
    assert picker.chosen() == {east.id} and not widget.dirty
