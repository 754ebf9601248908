"""The user page: list and search, the user dialog, disable/enable and password reset."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from crm_desktop.db import Database
from crm_desktop.services.errors import AuthError
from crm_desktop.services.org import auth, departments, roles, users
from crm_desktop.services.org.departments import DepartmentDTO
from crm_desktop.services.org.roles import RoleDTO, RoleInput
from crm_desktop.services.org.users import UserDTO, UserInput
from crm_desktop.ui.admin.users import UsersPage, UserTableModel
from crm_desktop.ui.context import AppContext, make_context
from crm_desktop.ui.ops import running_count
from tests.ui_helpers import ADMIN_MOBILE, admin_context


def settle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: running_count() == 0, timeout=15_000)


def type_into(edit: QLineEdit, text: str) -> None:
    """Type like a user (QTest cannot synthesize key events for Chinese characters)."""
    edit.setFocus()
    edit.insert(text)


def closed(dialog: QWidget) -> bool:
    """Dialogs delete themselves once closed."""
    return not isValid(dialog) or not dialog.isVisible()


def ok(dialog: object) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()  # type: ignore[attr-defined]


@dataclass
class Org:
    sales: DepartmentDTO
    east: DepartmentDTO
    seller: RoleDTO
    boss: UserDTO
    rep: UserDTO


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def org(ctx: AppContext) -> Org:
    db, a = ctx.db, ctx.actor
    top = departments.list_departments(db, a)[0]
    sales = departments.create_department(db, a, "销售部", parent_id=top.id)
    east = departments.create_department(db, a, "华东区", parent_id=sales.id)
    seller = roles.create_role(db, a, RoleInput(name="销售员", permissions=frozenset({("customer", "view")})))
    boss = users.create_user(db, a, UserInput(mobile="13900000001", name="王经理", department_id=sales.id,
                                              position="销售总监"), password="abc12345")
    rep = users.create_user(db, a, UserInput(mobile="13900000002", name="李小明", department_id=east.id,
                                             position="销售代表", superior_id=boss.id, role_ids=(seller.id,)),
                            password="abc12345")
    return Org(sales, east, seller, boss, rep)


@pytest.fixture
def page(qtbot: QtBot, ctx: AppContext, org: Org) -> Iterator[UsersPage]:
    widget = UsersPage(ctx)
    qtbot.addWidget(widget)
    widget.show()
    settle(qtbot)
    yield widget
    settle(qtbot)


@pytest.fixture
def say_yes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []

    def question(_parent: object, _title: str, text: str, *_a: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


def row_texts(model: UserTableModel, row: int) -> dict[str, str]:
    return {col: model.data(model.index(row, i)) for i, col in enumerate(UserTableModel.COLUMNS)}


def test_table_shows_every_column(page: UsersPage, org: Org) -> None:
    model = page.model
    assert model.rowCount() == 3
    rep = row_texts(model, model.row_of(org.rep.id))
    assert rep == {"name": "李小明", "mobile": "13900000002", "department": "华东区", "position": "销售代表",
                   "superior": "王经理", "roles": "销售员", "status": "Enabled", "locked": ""}


def test_locked_and_disabled_users_are_marked(qtbot: QtBot, page: UsersPage, ctx: AppContext, org: Org) -> None:
    for _ in range(auth.MAX_FAILED_LOGINS):
        with pytest.raises(AuthError):
            auth.login(ctx.db, "13900000002", "wrong-password1")
    users.set_enabled(ctx.db, ctx.actor, org.boss.id, enabled=False)
    page.reload()
    settle(qtbot)
    model = page.model
    assert row_texts(model, model.row_of(org.rep.id))["locked"].startswith("Until ")
    boss_row = model.row_of(org.boss.id)
    assert row_texts(model, boss_row)["status"] == "Disabled"
    assert model.data(model.index(boss_row, 0), Qt.ItemDataRole.ForegroundRole) is not None


def test_search_filters_by_name_and_mobile(qtbot: QtBot, page: UsersPage) -> None:
    type_into(page.search, "李")
    assert [page.model.user_at(r).name for r in range(page.model.rowCount())] == ["李小明"]
    page.search.clear()
    qtbot.keyClicks(page.search, "0000000")
    assert {page.model.user_at(r).mobile for r in range(page.model.rowCount())} == {
        ADMIN_MOBILE, "13900000001", "13900000002"}
    page.search.clear()
    qtbot.keyClicks(page.search, "13900000001")
    assert page.model.rowCount() == 1 and page.model.user_at(0).name == "王经理"
    page.search.clear()
    assert page.model.rowCount() == 3


def test_create_user(qtbot: QtBot, page: UsersPage, ctx: AppContext, org: Org) -> None:
    dialog = page.new_user()
    qtbot.keyClicks(dialog.mobile, "13900000003")
    type_into(dialog.name, "陈静")
    dialog.gender.setCurrentIndex(dialog.gender.findData("female"))
    qtbot.keyClicks(dialog.email, "chen@example.com")
    dialog.choose_department(org.east.id)
    type_into(dialog.position, "销售代表")
    dialog.choose_superior(org.boss.id)
    dialog.set_roles({org.seller.id})
    assert dialog.password is not None
    qtbot.keyClicks(dialog.password, "chen2024pw")
    ok(dialog)
    settle(qtbot)
    made = next(u for u in users.list_users(ctx.db, ctx.actor) if u.mobile == "13900000003")
    assert (made.name, made.gender, made.email, made.department_id, made.position, made.superior_id,
            made.role_ids) == ("陈静", "female", "chen@example.com", org.east.id, "销售代表", org.boss.id,
                               (org.seller.id,))
    assert auth.login(ctx.db, "13900000003", "chen2024pw").user_id == made.id
    assert page.selected_id() == made.id


def test_bad_input_is_shown_beside_fields_and_nothing_is_lost(qtbot: QtBot, page: UsersPage, ctx: AppContext) -> None:
    dialog = page.new_user()
    qtbot.keyClicks(dialog.mobile, "13900000001")  # taken by 王经理
    qtbot.keyClicks(dialog.email, "not-an-address")
    assert dialog.password is not None
    qtbot.keyClicks(dialog.password, "good2024pw")
    ok(dialog)
    settle(qtbot)
    assert dialog.isVisible()
    assert dialog.errors.field_error("mobile") == "Another user has this mobile number."
    assert dialog.errors.field_error("name") == "Required."
    assert dialog.errors.field_error("email") == "Enter a valid e-mail address."
    assert (dialog.mobile.text(), dialog.email.text(), dialog.password.text()) == (
        "13900000001", "not-an-address", "good2024pw")
    qtbot.keyClicks(dialog.mobile, "9")
    assert dialog.errors.field_error("mobile") == "" and dialog.errors.field_error("name") == "Required."
    assert len(users.list_users(ctx.db, ctx.actor)) == 3
    dialog.reject()


def test_weak_initial_password_is_shown_beside_the_password(qtbot: QtBot, page: UsersPage) -> None:
    dialog = page.new_user()
    qtbot.keyClicks(dialog.mobile, "13900000005")
    qtbot.keyClicks(dialog.name, "Zhao")
    assert dialog.password is not None
    qtbot.keyClicks(dialog.password, "short")
    ok(dialog)
    settle(qtbot)
    assert dialog.errors.field_error("password") == "Use at least 8 characters with letters and digits."
    dialog.reject()


def test_superior_loop_is_refused_beside_the_superior_field(
    qtbot: QtBot, page: UsersPage, ctx: AppContext, org: Org
) -> None:
    page.select(org.boss.id)
    dialog = page.edit_selected()
    assert dialog is not None and dialog.mobile.text() == "13900000001"
    assert dialog.superior.findData(org.boss.id) == -1  # nobody is their own superior
    dialog.choose_superior(org.rep.id)  # 李小明 already reports to 王经理
    ok(dialog)
    settle(qtbot)
    assert dialog.isVisible()
    assert dialog.errors.field_error("superior_id") == (
        "This superior would make a loop: a user cannot be above their own superior.")
    assert dialog.errors.field_error("mobile") == "" and not dialog.message.isVisible()
    assert users.get_user(ctx.db, ctx.actor, org.boss.id).superior_id is None
    dialog.choose_superior(None)
    ok(dialog)
    settle(qtbot)
    assert closed(dialog)


def test_edit_changes_department_and_roles(qtbot: QtBot, page: UsersPage, ctx: AppContext, org: Org) -> None:
    page.select(org.rep.id)
    dialog = page.edit_selected()
    assert dialog is not None and dialog.chosen_role_ids() == (org.seller.id,)
    dialog.choose_department(org.sales.id)
    dialog.set_roles(set())
    dialog.position.clear()
    type_into(dialog.position, "大客户经理")
    ok(dialog)
    settle(qtbot)
    rep = users.get_user(ctx.db, ctx.actor, org.rep.id)
    assert (rep.department_id, rep.role_ids, rep.position) == (org.sales.id, (), "大客户经理")
    assert row_texts(page.model, page.model.row_of(org.rep.id))["position"] == "大客户经理"


def test_disable_and_enable(qtbot: QtBot, page: UsersPage, ctx: AppContext, org: Org, say_yes: list[str]) -> None:
    page.select(org.rep.id)
    assert page.toggle_action.text() == "Disable"
    page.toggle_enabled()
    settle(qtbot)
    assert say_yes[0].startswith("Disable 李小明?")
    assert users.get_user(ctx.db, ctx.actor, org.rep.id).enabled is False
    assert page.selected_id() == org.rep.id and page.toggle_action.text() == "Enable"
    assert row_texts(page.model, page.model.row_of(org.rep.id))["status"] == "Disabled"
    page.toggle_enabled()
    settle(qtbot)
    assert users.get_user(ctx.db, ctx.actor, org.rep.id).enabled is True


def test_disabling_yourself_is_refused_with_the_reason(
    qtbot: QtBot, page: UsersPage, ctx: AppContext, say_yes: list[str]
) -> None:
    page.select(ctx.actor.user_id)
    page.toggle_enabled()
    settle(qtbot)
    assert page.message.isVisible() and page.message.text() == "You cannot disable your own account."
    assert users.get_user(ctx.db, ctx.actor, ctx.actor.user_id).enabled is True


def test_reset_password(qtbot: QtBot, page: UsersPage, ctx: AppContext, org: Org) -> None:
    page.select(org.rep.id)
    dialog = page.reset_password()
    assert dialog is not None
    qtbot.keyClicks(dialog.new_password, "fresh2024pw")
    qtbot.keyClicks(dialog.repeat, "fresh2024px")
    ok(dialog)
    settle(qtbot)
    assert dialog.errors.field_error("repeat") == "The two passwords are not the same."
    dialog.repeat.clear()
    qtbot.keyClicks(dialog.repeat, "fresh2024pw")
    ok(dialog)
    settle(qtbot)
    assert closed(dialog)
    assert page.message.text() == "The password of 李小明 was reset."
    assert auth.login(ctx.db, "13900000002", "fresh2024pw").user_id == org.rep.id


def test_commands_follow_the_actors_permissions(qtbot: QtBot, ctx: AppContext, org: Org) -> None:
    viewer = roles.create_role(ctx.db, ctx.actor, RoleInput(
        name="HR", permissions=frozenset({("user", "view"), ("user", "edit")})))
    users.update_user(ctx.db, ctx.actor, org.boss.id, UserInput(
        mobile="13900000001", name="王经理", department_id=org.sales.id, role_ids=(viewer.id,)))
    hr = make_context(ctx.db, auth.login(ctx.db, "13900000001", "abc12345"))
    widget = UsersPage(hr)
    qtbot.addWidget(widget)
    settle(qtbot)
    widget.select(org.rep.id)
    assert widget.edit_action.isEnabled()
    assert not widget.new_action.isEnabled()
    assert not widget.toggle_action.isEnabled() and not widget.reset_action.isEnabled()
