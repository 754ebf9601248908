"""The opportunity board on the Opportunities tab (issue 13): the list/board switch, columns with
counts, dragging a card moves the stage through the stage bar's service calls (a drop event, the
board's public drop, and a real mouse drag), refused moves leave the card, "Show more" pages."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org.roles import DataScope, RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.services.sales import opportunities as opportunity_ops
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.services.sales.stages import StageGroupInput, StageInput, create_group
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext, make_context
from crm_desktop.ui.records.lists.opportunities import OpportunitiesTab
from crm_desktop.ui.records.lists.opportunity_board import MIME, OpportunityBoard
from tests.ui_helpers import admin_context


def idle(qtbot: QtBot, board: OpportunityBoard | None = None) -> None:
    qtbot.waitUntil(lambda: ops.running_count() == 0 and not (board is not None and board.is_loading()),
                    timeout=15_000)


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def tab(qtbot: QtBot, ctx: AppContext) -> Iterator[OpportunitiesTab]:
    widget = OpportunitiesTab(ctx)
    qtbot.addWidget(widget)
    widget.resize(1280, 760)
    widget.show()
    idle(qtbot)
    yield widget
    ops.wait_idle()


def make(ctx: AppContext, *names: str) -> list[int]:
    cust = customers.create(ctx.db, ctx.actor, {"name": "厦门海晟物流有限公司"})
    return [opportunities.create(ctx.db, ctx.actor, {"name": name, "customer_id": cust.id,
                                                    "amount": str(1000 * (n + 1)),
                                                    "expected_close_date": "2026-09-30"}).id
            for n, name in enumerate(names)]


def open_board(qtbot: QtBot, tab: OpportunitiesTab) -> OpportunityBoard:
    tab.board_button.click()
    board = tab.board
    assert board is not None and board.isVisible() and not tab.view.isVisible()
    idle(qtbot, board)
    return board


def stage_keys(board: OpportunityBoard) -> list[str]:
    assert board.board is not None
    return [c.key for c in board.board.columns if c.status == "open"]


def test_the_switch_columns_and_cards(qtbot: QtBot, tab: OpportunitiesTab, ctx: AppContext) -> None:
    first, second, third = make(ctx, "仓储系统升级", "冷链监控", "园区安防")
    assert tab.list_button.isChecked() and tab.board is None  # the board is made when first shown
    board = open_board(qtbot, tab)
    assert tab.board_button.isChecked() and not tab.view_bar.isVisible()
    keys = stage_keys(board)
    assert len(keys) == 4 and list(board.columns) == keys + ["won", "lost"]
    assert sorted(board.card_ids(keys[0])) == sorted([first, second, third])
    column = board.columns[keys[0]]
    assert column.title_label.full_text == "初步接洽 · 10%"
    assert column.summary_label.full_text == "3 · ¥6,000.00"
    assert column.summary_label.toolTip() == "3 opportunities, together ¥6,000.00"
    card = next(c for c in column.cards if c.record.id == first)
    assert card.texts() == ["仓储系统升级", "厦门海晟物流有限公司", "¥1,000.00", "管理员", "Close 2026-09-30"]

    # Dropped on another stage: moved through set_stage; the counts follow.
    board.drop_card(first, keys[2])
    idle(qtbot, board)
    assert board.column_of(first) == keys[2] and board.card_ids(keys[2]) == [first]
    assert opportunity_ops.stage_bar(ctx.db, ctx.actor, first).current_stage_id == int(keys[2].split(":")[1])
    assert board.columns[keys[0]].summary_label.full_text == "2 · ¥5,000.00"
    assert board.columns[keys[2]].summary_label.toolTip() == "1 opportunity, together ¥1,000.00"
    assert "moved" in board.message_label.text()
    assert [c.to_stage_name for c in opportunity_ops.stage_history(ctx.db, ctx.actor, first)][-1] == "方案报价"

    # Won asks first (No leaves it); Yes closes it through win().
    board.drop_card(second, "won")
    box = board.pending_question
    assert box is not None and box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    box.button(QMessageBox.StandardButton.No).click()
    idle(qtbot, board)
    assert board.column_of(second) == keys[0]
    board.drop_card(second, "won")
    board.pending_question.button(QMessageBox.StandardButton.Yes).click()  # type: ignore[union-attr]
    idle(qtbot, board)
    assert board.column_of(second) == "won" and opportunities.get(ctx.db, ctx.actor, second).values["status"] == "won"

    # Lost needs the reason: the dialog stays open until the service accepts one.
    board.drop_card(third, "lost")
    dialog = board.reason_dialog
    assert dialog is not None
    dialog.submit()
    idle(qtbot, board)
    assert dialog.isVisible() and board.column_of(third) == keys[0]
    dialog.reason_edit.setPlainText("客户预算取消")
    dialog.submit()
    idle(qtbot, board)
    assert board.column_of(third) == "lost"
    assert opportunities.get(ctx.db, ctx.actor, third).values["lost_reason"] == "客户预算取消"

    # A refused move (a won opportunity cannot change stage): the message, and the card stays.
    board.drop_card(second, keys[1])
    idle(qtbot, board)
    assert board.column_of(second) == "won" and "closed" in board.message_label.text()
    assert opportunities.get(ctx.db, ctx.actor, second).values["status"] == "won"
    assert board.columns["won"].summary_label.full_text == "1 · ¥2,000.00"

    # "Show won and lost" off: the stages only. Back to the list.
    board.closed_check.setChecked(False)
    idle(qtbot, board)
    assert list(board.columns) == keys
    tab.list_button.click()
    assert tab.view.isVisible() and not board.isVisible()


def drop_event(target: QPoint, mime: QMimeData) -> QDropEvent:
    # The event does not own ``mime``: the caller keeps it alive while the event is handled.
    return QDropEvent(QPointF(target), Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)


def test_drag_and_drop(qtbot: QtBot, tab: OpportunitiesTab, ctx: AppContext) -> None:
    first, second = make(ctx, "仓储系统升级", "冷链监控")
    board = open_board(qtbot, tab)
    keys = stage_keys(board)
    card = next(c for c in board.columns[keys[0]].cards if c.record.id == first)

    # A drop event on a column, as Qt's drag manager hands it over at the end of a drag
    # (QApplication.sendEvent does not deliver drop events that come from no drag).
    target = board.columns[keys[1]]
    mime = card.mime_data()
    assert target.event(drop_event(target.rect().center(), mime))
    idle(qtbot, board)
    assert board.column_of(first) == keys[1]
    # Dropped back on its own column: nothing happens.
    card = next(c for c in board.columns[keys[1]].cards if c.record.id == first)
    mime = card.mime_data()
    board.columns[keys[1]].event(drop_event(QPoint(20, 20), mime))
    idle(qtbot, board)
    assert board.column_of(first) == keys[1]

    # The mouse: a press and a move shorter than the drag distance start nothing; past it, the
    # card starts Qt's drag carrying its id. (The offscreen platform has no drag and drop: the
    # drag ends at once there, so the drop half is the event above.)
    card = next(c for c in board.columns[keys[0]].cards if c.record.id == second)
    QTest.mousePress(card, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(10, 10))
    QTest.mouseMove(card, QPoint(11, 10))
    assert card.last_drag is None
    QTest.mouseMove(card, QPoint(10 + 3 * QApplication.startDragDistance(), 30))
    QTest.mouseRelease(card, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(40, 30))
    assert card.last_drag is not None
    assert bytes(card.mime_data().data(MIME).data()) == f"{second}:{keys[0]}".encode()
    idle(qtbot, board)
    assert board.column_of(second) == keys[0]  # dropped nowhere: it stays


def test_show_more_and_scope(qtbot: QtBot, tab: OpportunitiesTab, ctx: AppContext) -> None:
    made = make(ctx, *(f"商机{n:02d}" for n in range(24)))
    board = open_board(qtbot, tab)
    key = stage_keys(board)[0]
    assert len(board.card_ids(key)) == 20 and board.columns[key].more_button.isVisible()
    assert board.columns[key].summary_label.full_text.startswith("24 · ¥")
    board.columns[key].more_button.click()
    idle(qtbot, board)
    assert sorted(board.card_ids(key)) == sorted(made) and not board.columns[key].more_button.isVisible()
    # After a move the column keeps what it showed (it reads as many again).
    board.drop_card(made[0], stage_keys(board)[1])
    idle(qtbot, board)
    assert len(board.card_ids(key)) == 23

    # A representative with "self" scope and no edit permission: only theirs, nothing to drag.
    role = roles.create_role(ctx.db, ctx.actor, RoleInput(
        name="只读销售", permissions=frozenset({("opportunity", "view"), ("customer", "view")}),
        scopes={"opportunity": DataScope.SELF, "customer": DataScope.SELF}))
    users.create_user(ctx.db, ctx.actor, UserInput(mobile="13700000001", name="李娜", department_id=ctx.actor.department_id,
                                                   role_ids=(role.id,)), password="abc12345")
    rep = auth.login(ctx.db, "13700000001", "abc12345")
    opportunities.transfer(ctx.db, ctx.actor, [made[1]], new_owner_id=rep.user_id)
    theirs = OpportunityBoard(make_context(ctx.db, rep))
    qtbot.addWidget(theirs)
    theirs.show()
    idle(qtbot, theirs)
    assert [i for k in theirs.columns for i in theirs.card_ids(k)] == [made[1]]
    assert not theirs.may_move and not any(c.acceptDrops() for c in theirs.columns.values())
    card = theirs.columns[stage_keys(theirs)[0]].cards[0]
    # The customer is not theirs: its name is not on the card (as in the list).
    assert card.texts()[0] == "商机01" and "厦门海晟物流有限公司" not in card.texts()


def test_choosing_the_stage_group(qtbot: QtBot, tab: OpportunitiesTab, ctx: AppContext) -> None:
    make(ctx, "仓储系统升级")
    east = create_group(ctx.db, ctx.actor, StageGroupInput(
        name="华东项目", stages=(StageInput("立项", 20), StageInput("招投标", 50)), department_ids=(ctx.actor.department_id,)))
    board = open_board(qtbot, tab)
    # The actor's own group first (the department's); the default one can be chosen.
    assert board.group_combo.currentData() == east.id and board.group_combo.count() == 2
    assert [board.columns[k].title_label.full_text for k in stage_keys(board)] == ["立项 · 20%", "招投标 · 50%"]
    assert not any(board.card_ids(k) for k in board.columns)  # the opportunity is in the default group
    other = next(i for i in range(board.group_combo.count()) if board.group_combo.itemData(i) != east.id)
    board.group_combo.setCurrentIndex(other)
    board.group_combo.activated.emit(other)
    idle(qtbot, board)
    assert len(stage_keys(board)) == 4 and sum(len(board.card_ids(k)) for k in board.columns) == 1
