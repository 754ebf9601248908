"""The opportunity board (商机看板): a stage group's opportunities as cards in one column per stage,
then Won and Lost; dragging a card to another column moves the opportunity there.

A drop calls the stage bar's own operations (``opportunities.set_stage``; Won asks first and
calls ``win``; Lost asks for the reason and calls ``lose``), with the same rules: a refused move
(a closed opportunity, no edit permission, a rule that fails) says why, and the card stays
where it was — cards move only when the service has moved the opportunity. Each column shows
its count and amount (``opportunity_board.board_summary``) and reads its cards a page at a time
("Show more"): the board never loads every opportunity. Double-click opens the detail window.
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QMimeData, QPoint, Qt, QTimer
from PySide6.QtGui import (
    QDrag,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QMouseEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.records.records import Page, RecordDTO
from crm_desktop.services.sales import opportunities as opportunity_ops
from crm_desktop.services.sales import opportunity_board as board_ops
from crm_desktop.services.sales.opportunity_board import (
    BoardColumnDTO,
    BoardDTO,
    BoardGroupDTO,
)
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import ask
from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.details.base import DetailTarget
from crm_desktop.ui.records.details.opportunity import ReasonDialog
from crm_desktop.ui.records.details.window import open_detail
from crm_desktop.ui.records.shared.list_model import format_value
from crm_desktop.ui.records.shared.record_names import with_customer_names

MIME = "application/x-crm-opportunity"
COLUMN_WIDTH = 196
RELOAD_DELAY_MS = 60
#: Header colours of the closed columns.
CLOSED_COLORS = {"won": "#2e8b57", "lost": "#c0392b"}
_CARD_STYLE = ("#boardCard { background: palette(base); border: 1px solid #c9d1da; border-radius: 5px; }"
               "#boardCard:hover { border-color: #1f6fb8; }")
_COLUMN_STYLE = "#boardColumn { background: #eef1f4; border-radius: 6px; }"
_DROP_STYLE = "#boardColumn { background: #dbe9f7; border: 2px dashed #1f6fb8; border-radius: 6px; }"


@dataclass
class ColumnState:
    """What one column shows: its summary, the cards read so far, the cursor of the next page."""

    column: BoardColumnDTO
    rows: list[RecordDTO] = field(default_factory=list)
    cursor: tuple[Any, int] | None = None


class ElidedLabel(QLabel):
    """One line of text cut with "…" to the width it gets (a long customer name on a narrow
    column); the whole text is its tooltip and ``full_text``."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("layoutElides", True)  # cut on purpose: the layout check knows
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.set_full_text(text)

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self.setToolTip(text)  # callers may say more in the tooltip
        self._elide()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width()
        shown = self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, width) if width > 0 \
            else self.full_text
        if shown != self.text():
            super().setText(shown)


class BoardCard(QFrame):
    """One opportunity: name, customer, amount, owner, expected close date. Dragged by the
    mouse when the actor may edit opportunities. Public: ``record``, ``column_key``,
    ``texts()``, ``mime_data()``, ``start_drag()``, ``last_drag``."""

    def __init__(self, board: OpportunityBoard, record: RecordDTO, column_key: str) -> None:
        super().__init__()
        self.board = board
        self.record = record
        self.column_key = column_key
        self._press: QPoint | None = None
        #: What the last drag of this card ended in (None: never dragged).
        self.last_drag: Qt.DropAction | None = None
        self.setObjectName("boardCard")
        self.setStyleSheet(_CARD_STYLE)
        self.setCursor(Qt.CursorShape.OpenHandCursor if board.may_move else Qt.CursorShape.PointingHandCursor)
        values = record.values
        self.name_label = ElidedLabel(str(values.get("name") or ""))
        font = self.name_label.font()
        font.setBold(True)
        self.name_label.setFont(font)
        self.customer_label = ElidedLabel(str(values.get("customer_name") or ""))
        self.customer_label.setStyleSheet("color: #555;")
        amount = values.get("amount")
        self.amount_label = QLabel(f"¥{format_value(amount)}" if amount is not None else "")
        self.amount_label.setStyleSheet("color: #17406d; font-weight: 600;")
        self.owner_label = ElidedLabel(record.owner_name)
        self.owner_label.setStyleSheet("color: #555;")
        self.owner_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        when = values.get("expected_close_date")
        self.date_label = QLabel(self.tr("Close {date}").format(date=format_value(when)) if when else "")
        self.date_label.setStyleSheet("color: #6b7782;")
        money_row = QHBoxLayout()
        money_row.setContentsMargins(0, 0, 0, 0)
        money_row.addWidget(self.amount_label)
        money_row.addWidget(self.owner_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(2)
        layout.addWidget(self.name_label)
        layout.addWidget(self.customer_label)
        layout.addLayout(money_row)
        layout.addWidget(self.date_label)
        self.date_label.setVisible(bool(when))
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def texts(self) -> list[str]:
        """What the card says (the whole texts, not the elided ones)."""
        return [t for t in (self.name_label.full_text, self.customer_label.full_text, self.amount_label.text(),
                            self.owner_label.full_text, self.date_label.text()) if t]

    def mime_data(self) -> QMimeData:
        data = QMimeData()
        data.setData(MIME, f"{self.record.id}:{self.column_key}".encode("ascii"))
        return data

    def start_drag(self) -> Qt.DropAction:
        """Drag this card (blocks in Qt's drag loop until it is dropped or cancelled); the
        result is kept in ``last_drag`` (a platform without drag and drop ignores it at once)."""
        drag = QDrag(self)
        drag.setMimeData(self.mime_data())
        drag.setPixmap(self.grab())
        drag.setHotSpot(self._press or QPoint(10, 10))
        self.last_drag = drag.exec(Qt.DropAction.MoveAction)
        return self.last_drag

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if (self._press is not None and self.board.may_move and event.buttons() & Qt.MouseButton.LeftButton
                and (event.position().toPoint() - self._press).manhattanLength()
                >= QApplication.startDragDistance()):
            self.start_drag()
            self._press = None
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        self._press = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        self.board.open_record(self.record.id)
        super().mouseDoubleClickEvent(event)


def _dragged(mime: QMimeData) -> tuple[int, str] | None:
    """(opportunity id, the column it comes from) of a dragged card; None for anything else."""
    if not mime.hasFormat(MIME):
        return None
    text = bytes(mime.data(MIME).data()).decode("ascii", "replace")
    record_id, _sep, column = text.partition(":")
    return (int(record_id), column) if record_id.isdigit() else None


class BoardColumn(QFrame):
    """A stage (or Won / Lost): header with count and amount, the cards, "Show more", a drop
    target. Public: ``key``, ``title_label``, ``summary_label``, ``cards``, ``more_button``."""

    def __init__(self, board: OpportunityBoard, state: ColumnState) -> None:
        super().__init__()
        self.board = board
        self.key = state.column.key
        self.setObjectName("boardColumn")
        self.setStyleSheet(_COLUMN_STYLE)
        self.setAcceptDrops(board.may_move)
        self.setMinimumWidth(COLUMN_WIDTH)
        column = state.column
        self.title_label = ElidedLabel(board.column_title(column))
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        # One height for every header: a Chinese stage name's line is taller than "Won".
        self.title_label.setFixedHeight(self.title_label.fontMetrics().height() + 8)
        if column.status in CLOSED_COLORS:
            self.title_label.setStyleSheet(f"color: {CLOSED_COLORS[column.status]};")
        self.summary_label = ElidedLabel(board.summary_text(column))
        self.summary_label.setToolTip(board.summary_tip(column))
        self.summary_label.setStyleSheet("color: #555;")
        self.cards: list[BoardCard] = []
        holder = QWidget()
        holder.setObjectName("boardCards")
        holder.setStyleSheet("#boardCards { background: transparent; }")
        self._cards_layout = QVBoxLayout(holder)
        self._cards_layout.setContentsMargins(0, 0, 0, 0)
        self._cards_layout.setSpacing(6)
        for record in state.rows:
            card = BoardCard(board, record, self.key)
            self.cards.append(card)
            self._cards_layout.addWidget(card)
        self.more_button = QPushButton(self.tr("Show more"))
        self.more_button.setFlat(True)
        self.more_button.setVisible(state.cursor is not None)
        self.more_button.clicked.connect(lambda: board.show_more(self.key))
        self._cards_layout.addWidget(self.more_button)
        self._cards_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(holder)
        scroll.setStyleSheet("QScrollArea { background: transparent; }")
        scroll.viewport().setStyleSheet("background: transparent;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(4)
        layout.addWidget(self.title_label)
        layout.addWidget(self.summary_label)
        layout.addWidget(scroll, 1)

    def _highlight(self, on: bool) -> None:
        self.setStyleSheet(_DROP_STYLE if on else _COLUMN_STYLE)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        dragged = _dragged(event.mimeData())
        if dragged is not None and dragged[1] != self.key:
            event.acceptProposedAction()
            self._highlight(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt's name
        dragged = _dragged(event.mimeData())
        if dragged is not None and dragged[1] != self.key:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self._highlight(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        self._highlight(False)
        dragged = _dragged(event.mimeData())
        if dragged is None or dragged[1] == self.key:
            event.ignore()
            return
        # The card stays in its column: the board reads again once the service moved it.
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.board.drop_card(dragged[0], self.key)


class OpportunityBoard(QWidget):
    """The board (see the module docstring). Public for tests: ``group_combo``, ``closed_check``,
    ``message_label``, ``board`` (the BoardDTO shown), ``columns`` (key → BoardColumn),
    ``states`` (key → ColumnState), ``may_move``, ``reason_dialog``, ``pending_question``,
    ``reload()``, ``is_loading()``, ``show_more(key)``, ``drop_card(id, key)``,
    ``column_of(id)``, ``card_ids(key)``, ``detail_window``."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.may_move = ctx.actor.can("opportunity", "edit")
        self.board: BoardDTO | None = None
        self.groups: list[BoardGroupDTO] = []
        self.states: dict[str, ColumnState] = {}
        self.columns: dict[str, BoardColumn] = {}
        self.reason_dialog: ReasonDialog | None = None
        self.pending_question: QMessageBox | None = None
        self.detail_window: Any = None
        self._loading = 0
        self._stale = True
        self._group_id: int | None = None

        self.group_combo = QComboBox()
        self.group_combo.setMinimumWidth(160)
        self.group_combo.activated.connect(self._group_chosen)
        self.closed_check = QCheckBox(self.tr("Show won and lost"))
        self.closed_check.setChecked(True)
        self.closed_check.toggled.connect(lambda _on: self.reload())
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.reload)
        hint = QLabel(self.tr("Drag a card to another column to move the opportunity.") if self.may_move else "")
        hint.setStyleSheet("color: #6b7782;")
        tools = QHBoxLayout()
        tools.setContentsMargins(0, 0, 0, 0)
        tools.addWidget(QLabel(self.tr("Stage group")))
        tools.addWidget(self.group_combo)
        tools.addSpacing(12)
        tools.addWidget(self.closed_check)
        tools.addSpacing(12)
        tools.addWidget(hint, 1)
        tools.addWidget(self.refresh_button)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self._row = QHBoxLayout()
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(8)
        strip = QWidget()
        strip.setLayout(self._row)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(strip)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(tools)
        layout.addWidget(self.message_label)
        layout.addWidget(self.scroll, 1)

        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_DELAY_MS)
        self._reload_timer.timeout.connect(self.reload)
        ctx.signals.changed.connect(self._on_changed)

    # --- words -------------------------------------------------------------------------------

    def column_title(self, column: BoardColumnDTO) -> str:
        if column.status == "won":
            return self.tr("Won")
        if column.status == "lost":
            return self.tr("Lost")
        return f"{column.name} · {column.win_rate}%" if column.win_rate is not None else column.name

    def summary_text(self, column: BoardColumnDTO) -> str:
        """"3 · ¥6,000.00": the count and the amount, short enough for a narrow column."""
        return f"{column.count} · ¥{format_value(column.amount)}" if column.amount is not None else str(column.count)

    def summary_tip(self, column: BoardColumnDTO) -> str:
        count = self.tr("{n} opportunity").format(n=column.count) if column.count == 1 else self.tr(
            "{n} opportunities").format(n=column.count)
        if column.amount is None:
            return count
        return self.tr("{count}, together ¥{amount}").format(count=count, amount=format_value(column.amount))

    def show_message(self, text: str, *, error: bool = False) -> None:
        if isValid(self):
            self.message_label.setStyleSheet("color: #c0392b;" if error else "color: #17406d;")
            self.message_label.setText(text)
            self.message_label.setVisible(bool(text))

    # --- reading -----------------------------------------------------------------------------

    def is_loading(self) -> bool:
        return self._loading > 0 or self._reload_timer.isActive()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.reload()

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if not isValid(self) or entity not in ("opportunity", "stage_group", "setting", "*"):
            return
        if self.isVisible():
            self._reload_timer.start()
        else:
            self._stale = True

    def _group_chosen(self, _index: int) -> None:
        data = self.group_combo.currentData()
        if data is not None and int(data) != self._group_id:
            self._group_id = int(data)
            self.reload()

    def reload(self) -> None:
        """Read the groups (first time), the chosen group's columns and each column's first
        cards (as many as it showed, at least a page)."""
        self._reload_timer.stop()
        self._stale = False
        db, actor, group_id, closed = self.ctx.db, self.ctx.actor, self._group_id, self.closed_check.isChecked()
        shown = {key: max(board_ops.COLUMN_PAGE, len(state.rows)) for key, state in self.states.items()}

        def read() -> tuple[list[BoardGroupDTO], int, BoardDTO, dict[str, Page]]:
            groups, mine = board_ops.board_groups(db, actor)
            chosen = group_id if group_id in {g.id for g in groups} else mine
            board = board_ops.board_summary(db, actor, chosen, closed=closed)
            pages = {c.key: self._named(board_ops.column_page(
                db, actor, chosen, c.key, limit=shown.get(c.key, board_ops.COLUMN_PAGE))) for c in board.columns}
            return groups, chosen, board, pages

        self._loading += 1
        op(self, read).success(self._show).failure(self._failed).run()

    def _named(self, page: Page) -> Page:
        """The page with each card's customer name (worker thread)."""
        return Page(rows=with_customer_names(self.ctx.db, self.ctx.actor, page.rows), next_cursor=page.next_cursor)

    def _failed(self, exc: BaseException) -> None:
        if isValid(self):
            self._loading = max(0, self._loading - 1)
            self.show_message(error_text(exc), error=True)

    def _show(self, loaded: tuple[list[BoardGroupDTO], int, BoardDTO, dict[str, Page]]) -> None:
        if not isValid(self):
            return
        self._loading = max(0, self._loading - 1)
        self.groups, self._group_id, self.board, pages = loaded
        self.group_combo.clear()
        for group in self.groups:
            self.group_combo.addItem(group.name, group.id)
        self.group_combo.setCurrentIndex(self.group_combo.findData(self._group_id))
        self.states = {c.key: ColumnState(c, list(pages[c.key].rows), pages[c.key].next_cursor)
                       for c in self.board.columns}
        self._build_columns()

    def _build_columns(self) -> None:
        while self._row.count():
            item = self._row.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.columns = {}
        for key, state in self.states.items():
            column = BoardColumn(self, state)
            self.columns[key] = column
            self._row.addWidget(column, 1)
            column.setVisible(True)  # now, not when the event loop next runs (readers look at once)

    def show_more(self, key: str) -> None:
        """Read the column's next page of cards."""
        state = self.states.get(key)
        if state is None or state.cursor is None or self._group_id is None:
            return
        db, actor, group_id, cursor = self.ctx.db, self.ctx.actor, self._group_id, state.cursor
        self._loading += 1

        def more(page: Page) -> None:
            if not isValid(self):
                return
            self._loading = max(0, self._loading - 1)
            if self.states.get(key) is state:  # not replaced by a reload meanwhile
                state.rows += page.rows
                state.cursor = page.next_cursor
                self._build_columns()

        op(self, lambda: self._named(board_ops.column_page(db, actor, group_id, key, after=cursor))).success(
            more).failure(self._failed).run()

    def card_ids(self, key: str) -> list[int]:
        column = self.columns.get(key)
        return [card.record.id for card in column.cards] if column is not None else []

    def column_of(self, opportunity_id: int) -> str | None:
        return next((key for key, state in self.states.items() if any(r.id == opportunity_id for r in state.rows)),
                    None)

    def _record(self, opportunity_id: int) -> RecordDTO | None:
        return next((r for state in self.states.values() for r in state.rows if r.id == opportunity_id), None)

    def open_record(self, opportunity_id: int) -> None:
        self.detail_window = open_detail(self.ctx, "opportunity", opportunity_id, parent=self.window())

    # --- moving ------------------------------------------------------------------------------

    def drop_card(self, opportunity_id: int, key: str) -> None:
        """What a drop of the card ``opportunity_id`` on the column ``key`` does: a stage moves
        it there at once; Won asks first; Lost asks for the reason. The card moves only once the
        service has moved the opportunity (then the board reads again and the counts follow)."""
        record = self._record(opportunity_id)
        state = self.states.get(key)
        if state is None or self.column_of(opportunity_id) == key:
            return
        self.show_message("")
        db, actor = self.ctx.db, self.ctx.actor
        name = str(record.values.get("name") or "") if record is not None else ""
        column = state.column
        if column.status == "won":
            self.pending_question = ask(
                self, self.tr("Opportunity board"), self.tr("Close “{name}” as won?").format(name=name),
                lambda: self._move(lambda: opportunity_ops.win(db, actor, opportunity_id),
                                   self.tr("“{name}” is won.").format(name=name)),
                lambda: setattr(self, "pending_question", None))
            return
        if column.status == "lost":
            dialog = ReasonDialog(DetailTarget(self.ctx, "opportunity", opportunity_id), status="lost", parent=self)
            dialog.saved.connect(lambda _r: self._moved(self.tr("“{name}” is lost.").format(name=name)))
            self.reason_dialog = dialog
            dialog.open()
            return
        stage_id = column.stage_id
        assert stage_id is not None
        self._move(lambda: opportunity_ops.set_stage(db, actor, opportunity_id, stage_id=stage_id),
                   self.tr("“{name}” moved to “{stage}”.").format(name=name, stage=column.name))

    def _move(self, call: Any, done: str) -> None:
        self._loading += 1

        def failed(exc: BaseException) -> None:
            if isValid(self):
                self._loading = max(0, self._loading - 1)
                self.show_message(error_text(exc), error=True)  # the card never left its column

        def ok(_record: object) -> None:
            if isValid(self):
                self._loading = max(0, self._loading - 1)
                self._moved(done)

        op(self, call, write=True).success(ok).failure(failed).run()

    def _moved(self, text: str) -> None:
        if not isValid(self):
            return
        self.reload()  # the list and open windows hear of the move from its committed events
        self.show_message(text)


__all__ = ["MIME", "BoardCard", "BoardColumn", "ColumnState", "OpportunityBoard"]
