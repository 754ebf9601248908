"""The department page and the admin area's navigation, driven like a user would."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.org import auth, departments, roles, users
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.org.roles import RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.ui.admin.area import AdminArea
from crm_desktop.ui.admin.departments import DepartmentsPage
from crm_desktop.ui.context import AppContext, make_context
from crm_desktop.ui.ops import running_count
from tests.ui_helpers import admin_context


def settle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: running_count() == 0, timeout=15_000)


def type_into(edit: QLineEdit, text: str) -> None:
    """Type like a user (QTest cannot synthesize key events for Chinese characters)."""
    edit.setFocus()
    edit.insert(text)


def ok(dialog: object) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()  # type: ignore[attr-defined]


def limited_context(db: Database, ctx: AppContext, permissions: set[tuple[str, str]]) -> AppContext:
    """A logged-in non-admin whose one role grants exactly ``permissions``."""
    role = roles.create_role(db, ctx.actor, RoleInput(name="Limited", permissions=frozenset(permissions),
                                                      scopes={"customer": DataScope.SELF}))
    top = departments.list_departments(db, ctx.actor)[0]
    users.create_user(db, ctx.actor, UserInput(mobile="13700000009", name="Clerk", department_id=top.id,
                                               role_ids=(role.id,)), password="clerk1234")
    return make_context(db, auth.login(db, "13700000009", "clerk1234"))


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def page(qtbot: QtBot, ctx: AppContext) -> Iterator[DepartmentsPage]:
    top = departments.list_departments(ctx.db, ctx.actor)[0]
    sales = departments.create_department(ctx.db, ctx.actor, "销售部", parent_id=top.id)
    departments.create_department(ctx.db, ctx.actor, "华东区", parent_id=sales.id)
    departments.create_department(ctx.db, ctx.actor, "财务部", parent_id=top.id)
    widget = DepartmentsPage(ctx)
    qtbot.addWidget(widget)
    widget.show()
    settle(qtbot)
    yield widget
    settle(qtbot)


def dept_id(ctx: AppContext, name: str) -> int:
    return next(d.id for d in departments.list_departments(ctx.db, ctx.actor) if d.name == name)


@pytest.fixture
def say_yes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []

    def question(_parent: object, _title: str, text: str, *_a: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


def test_tree_shows_hierarchy_and_user_counts(page: DepartmentsPage, ctx: AppContext) -> None:
    top = page.tree.topLevelItem(0)
    assert top.text(0) == "厦门星辰科技有限公司" and top.text(1) == "1"  # the administrator
    children = [top.child(i).text(0) for i in range(top.childCount())]
    assert children == ["销售部", "财务部"]
    sales = page.item_for(dept_id(ctx, "销售部"))
    assert sales is not None and sales.child(0).text(0) == "华东区" and sales.text(1) == "0"


def test_add_sub_department(qtbot: QtBot, page: DepartmentsPage, ctx: AppContext) -> None:
    page.select(dept_id(ctx, "销售部"))
    dialog = page.add_sub_department()
    assert dialog is not None
    type_into(dialog.name_edit, "华南区")
    ok(dialog)
    settle(qtbot)
    new = next(d for d in departments.list_departments(ctx.db, ctx.actor) if d.name == "华南区")
    assert new.parent_id == dept_id(ctx, "销售部")
    assert page.selected_id() == new.id  # the new department is selected after the refresh
    assert page.item_for(new.id).parent().text(0) == "销售部"


def test_empty_name_is_shown_beside_the_field_and_cleared_on_edit(qtbot: QtBot, page: DepartmentsPage) -> None:
    dialog = page.add_sub_department()
    assert dialog is not None
    qtbot.keyClicks(dialog.name_edit, "   ")
    ok(dialog)
    settle(qtbot)
    assert dialog.isVisible()
    assert dialog.errors.field_error("name") == "Required."
    assert dialog.name_edit.text() == "   "  # nothing typed is lost
    qtbot.keyClicks(dialog.name_edit, "x")
    assert dialog.errors.field_error("name") == ""
    dialog.reject()


def test_rename(qtbot: QtBot, page: DepartmentsPage, ctx: AppContext) -> None:
    finance = dept_id(ctx, "财务部")
    page.select(finance)
    dialog = page.rename_selected()
    assert dialog is not None and dialog.name_edit.text() == "财务部"
    dialog.name_edit.clear()
    type_into(dialog.name_edit, "财务中心")
    ok(dialog)
    settle(qtbot)
    assert {d.id: d.name for d in departments.list_departments(ctx.db, ctx.actor)}[finance] == "财务中心"
    assert page.item_for(finance).text(0) == "财务中心"


def test_move_under_another_department(qtbot: QtBot, page: DepartmentsPage, ctx: AppContext) -> None:
    east, finance, sales = dept_id(ctx, "华东区"), dept_id(ctx, "财务部"), dept_id(ctx, "销售部")
    page.select(sales)
    dialog = page.move_selected()
    assert dialog is not None
    # its own subtree cannot be picked; the current parent is pre-selected and OK waits for a change
    assert not dialog.items[east].flags() & Qt.ItemFlag.ItemIsEnabled
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    dialog.choose(finance)
    ok(dialog)
    settle(qtbot)
    moved = {d.id: d for d in departments.list_departments(ctx.db, ctx.actor)}
    assert moved[sales].parent_id == finance and moved[east].parent_id == sales
    assert page.item_for(sales).parent().text(0) == "财务部"


def test_delete_refused_while_users_remain_shows_the_reason(
    qtbot: QtBot, page: DepartmentsPage, ctx: AppContext, say_yes: list[str]
) -> None:
    finance = dept_id(ctx, "财务部")
    users.create_user(ctx.db, ctx.actor, UserInput(mobile="13900000001", name="陈静", department_id=finance),
                      password="abc12345")
    settle(qtbot)
    page.select(finance)
    page.delete_selected()
    settle(qtbot)
    assert say_yes == ["Delete the department “财务部”?"]
    assert page.message.isVisible()
    assert page.message.text() == "“财务部” still has 1 user(s). Move them to another department first."
    assert finance in {d.id for d in departments.list_departments(ctx.db, ctx.actor)}


def test_delete_refused_while_sub_departments_remain(
    qtbot: QtBot, page: DepartmentsPage, ctx: AppContext, say_yes: list[str]
) -> None:
    page.select(dept_id(ctx, "销售部"))
    page.delete_selected()
    settle(qtbot)
    assert page.message.text() == "“销售部” still has 1 sub-department(s). Delete or move them first."


def test_delete_empty_department(qtbot: QtBot, page: DepartmentsPage, ctx: AppContext, say_yes: list[str]) -> None:
    east = dept_id(ctx, "华东区")
    page.select(east)
    page.delete_selected()
    settle(qtbot)
    assert east not in {d.id for d in departments.list_departments(ctx.db, ctx.actor)}
    assert page.item_for(east) is None and not page.message.isVisible()


def test_declining_the_confirmation_deletes_nothing(
    qtbot: QtBot, page: DepartmentsPage, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *_a: QMessageBox.StandardButton.No))
    east = dept_id(ctx, "华东区")
    page.select(east)
    page.delete_selected()
    settle(qtbot)
    assert east in {d.id for d in departments.list_departments(ctx.db, ctx.actor)}


def test_top_department_can_be_renamed_but_not_moved_or_deleted(page: DepartmentsPage, ctx: AppContext) -> None:
    page.select(departments.list_departments(ctx.db, ctx.actor)[0].id)
    assert page.add_action.isEnabled() and page.rename_action.isEnabled()
    assert not page.move_action.isEnabled() and not page.delete_action.isEnabled()


def test_commands_follow_the_actors_permissions(qtbot: QtBot, ctx: AppContext) -> None:
    clerk = limited_context(ctx.db, ctx, {("department", "view"), ("department", "edit")})
    widget = DepartmentsPage(clerk)
    qtbot.addWidget(widget)
    settle(qtbot)
    top = departments.list_departments(ctx.db, ctx.actor)[0]
    sub = departments.create_department(ctx.db, ctx.actor, "市场部", parent_id=top.id)
    widget.reload()
    settle(qtbot)
    widget.select(sub.id)
    assert widget.rename_action.isEnabled() and widget.move_action.isEnabled()
    assert not widget.add_action.isEnabled() and not widget.delete_action.isEnabled()


def test_refreshes_when_another_view_changes_departments(qtbot: QtBot, page: DepartmentsPage, ctx: AppContext) -> None:
    top = departments.list_departments(ctx.db, ctx.actor)[0]
    made = departments.create_department(ctx.db, ctx.actor, "客服部", parent_id=top.id)
    ctx.signals.notify("department", made.id)
    settle(qtbot)
    assert page.item_for(made.id) is not None


def test_admin_area_navigation(qtbot: QtBot, ctx: AppContext) -> None:
    area = AdminArea(ctx)
    qtbot.addWidget(area)
    settle(qtbot)
    assert area.page_keys() == [
        "department", "user", "role", "field_permission", "pool", "custom_field", "dictionary", "record_setting",
        "automation", "approval_flow", "stage_group", "execution_stage", "number_rule", "print_template",
        "target"]
    assert area.stack.currentWidget() is area.departments_page
    assert area.show_page("role") is area.roles_page and area.stack.currentWidget() is area.roles_page
    area.show_page("user")
    assert area.current_key() == "user" and area.stack.currentWidget() is area.users_page


def test_admin_area_shows_only_viewable_pages(qtbot: QtBot, ctx: AppContext) -> None:
    clerk = limited_context(ctx.db, ctx, {("department", "view")})
    area = AdminArea(clerk)
    qtbot.addWidget(area)
    settle(qtbot)
    assert area.page_keys() == ["department"]
    assert area.users_page is None and area.roles_page is None
    assert [area.nav.item(i).text() for i in range(area.nav.count())] == ["Departments"]
    with pytest.raises(KeyError):
        area.show_page("role")
