"""Product lines (产品明细) of an opportunity or a contract: pick on-shelf products, edit price,
quantity and discount, see each subtotal and the total as the service will compute them.

``LinesEditor(ctx)``: ``set_lines(Sequence[LineDTO])`` shows stored lines (their products may be
off shelf by now: they stay), ``lines()`` gives ``LineInput``s for the service (numbers as typed,
so a bad one is reported by the service against its line, nothing is lost), ``total()`` is the
Decimal sum of the subtotals, ``changed`` fires on every edit. ``add_product(option)`` adds a line
(what the picker does). GUI thread only; the picker reads products in the background.
"""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.sales import products as product_service
from crm_desktop.services.sales.product_lines import LineDTO, LineInput, subtotal
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import alive
from crm_desktop.ui.ops import op

PRODUCT, CODE, UNIT, STANDARD, PRICE, QUANTITY, DISCOUNT, SUBTOTAL, REMARK = range(9)
EDITABLE = (PRICE, QUANTITY, DISCOUNT, REMARK)
_PRODUCT_ID = Qt.ItemDataRole.UserRole
_BAD = QBrush(QColor("#fde2e2"))


def money_text(value: Decimal) -> str:
    """Cents with thousands separators, as Chinese invoices print them: 12,345.60."""
    return f"{value:,.2f}"


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "").strip() or "0")
    except InvalidOperation:
        return None


class LinesEditor(QWidget):
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, read_only: bool = False) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.read_only = read_only
        self.picker: ProductPicker | None = None
        self.table = QTableWidget(0, 9)
        self.table.setHorizontalHeaderLabels([
            self.tr("Product"), self.tr("Code"), self.tr("Unit"), self.tr("Standard price"), self.tr("Price"),
            self.tr("Quantity"), self.tr("Discount %"), self.tr("Subtotal"), self.tr("Remark")])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(PRODUCT, QHeaderView.ResizeMode.Stretch)
        for column, width in ((CODE, 90), (UNIT, 50), (STANDARD, 95), (PRICE, 95), (QUANTITY, 70), (DISCOUNT, 75),
                              (SUBTOTAL, 105), (REMARK, 120)):
            self.table.setColumnWidth(column, width)
        if read_only:
            self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.itemChanged.connect(self._item_changed)
        self.add_button = QPushButton(self.tr("Add product…"))
        self.add_button.clicked.connect(self.pick_product)
        self.remove_button = QPushButton(self.tr("Remove line"))
        self.remove_button.clicked.connect(self.remove_selected)
        self.total_label = QLabel()
        self.total_label.setStyleSheet("font-weight: 600;")
        buttons = QHBoxLayout()
        if not read_only:
            buttons.addWidget(self.add_button)
            buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.total_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self._filling = False
        self._update_total()

    # --- content ----------------------------------------------------------------------

    def set_lines(self, lines: Sequence[LineDTO]) -> None:
        self._filling = True
        self.table.setRowCount(0)
        for line in lines:
            self._append(line.product_id, line.product_name, line.product_code, line.unit, line.standard_price,
                         line.price, line.quantity, line.discount, line.remark)
        self._filling = False
        self._recompute_all()

    def add_product(self, option: product_service.ProductOption) -> None:
        """A new line for an on-shelf product at its standard price, quantity 1."""
        self._filling = True
        self._append(option.id, option.name, option.code, option.unit, option.price, option.price, Decimal("1"),
                     Decimal("0"), "")
        self._filling = False
        self._recompute_all()
        self.changed.emit()

    def _append(self, product_id: int | None, name: str, code: str, unit: str, standard: Decimal, price: Decimal,
                quantity: Decimal, discount: Decimal, remark: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        cells = {PRODUCT: name, CODE: code, UNIT: unit, STANDARD: money_text(standard), PRICE: money_text(price),
                 QUANTITY: _plain(quantity), DISCOUNT: _plain(discount), SUBTOTAL: "", REMARK: remark}
        for column, text in cells.items():
            item = QTableWidgetItem(text)
            if column not in EDITABLE or self.read_only:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if column in (STANDARD, PRICE, QUANTITY, DISCOUNT, SUBTOTAL):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, column, item)
        self.table.item(row, PRODUCT).setData(_PRODUCT_ID, product_id)

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.table.removeRow(row)
        if rows:
            self._update_total()
            self.changed.emit()

    def lines(self) -> list[LineInput]:
        out = []
        for row in range(self.table.rowCount()):
            text = {c: self.table.item(row, c).text() for c in (PRODUCT, PRICE, QUANTITY, DISCOUNT, REMARK)}
            product_id = self.table.item(row, PRODUCT).data(_PRODUCT_ID)
            out.append(LineInput(product_id=product_id, price=text[PRICE].replace(",", "").strip(),
                                 quantity=text[QUANTITY].replace(",", "").strip(),
                                 discount=text[DISCOUNT].replace(",", "").strip(), remark=text[REMARK],
                                 product_name="" if product_id is not None else text[PRODUCT]))
        return out

    def total(self) -> Decimal:
        total = Decimal("0.00")
        for row in range(self.table.rowCount()):
            value = self._subtotal(row)
            if value is not None:
                total += value
        return total

    # --- arithmetic, as the service does it -----------------------------------------------

    def _subtotal(self, row: int) -> Decimal | None:
        price, quantity, discount = (_number(self.table.item(row, c).text()) for c in (PRICE, QUANTITY, DISCOUNT))
        if price is None or quantity is None or discount is None:
            return None
        return subtotal(price.quantize(Decimal("0.01")), quantity, discount)

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() not in EDITABLE:
            return
        self._recompute_row(item.row())
        self._update_total()
        self.changed.emit()

    def _recompute_all(self) -> None:
        for row in range(self.table.rowCount()):
            self._recompute_row(row)
        self._update_total()

    def _recompute_row(self, row: int) -> None:
        value = self._subtotal(row)
        self._filling = True
        cell = self.table.item(row, SUBTOTAL)
        cell.setText(money_text(value) if value is not None else "—")
        for column in (PRICE, QUANTITY, DISCOUNT):
            bad = _number(self.table.item(row, column).text()) is None
            self.table.item(row, column).setBackground(_BAD if bad else QBrush())
        self._filling = False

    def _update_total(self) -> None:
        self.total_label.setText(self.tr("Total: {amount}").format(amount=money_text(self.total())))

    # --- picking a product ------------------------------------------------------------------

    def pick_product(self) -> ProductPicker:
        self.picker = ProductPicker(self.ctx, self)
        self.picker.chosen.connect(self.add_product)
        self.picker.open()
        return self.picker


def _plain(value: Decimal) -> str:
    """1.000 → "1", 2.500 → "2.5": quantities and discounts as people type them."""
    text = format(value.normalize(), "f")
    return text


class ProductPicker(QDialog):
    """Search the on-shelf products; double-click or OK adds the chosen one."""

    chosen = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("Add product"))
        self.resize(520, 420)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Product name or code"))
        self.search.textChanged.connect(self.reload)
        self.results = QListWidget()
        self.results.itemDoubleClicked.connect(lambda _item: self.accept())
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        layout.addWidget(self.buttons)
        self.reload()

    def reload(self) -> None:
        db, actor, text = self.ctx.db, self.ctx.actor, self.search.text().strip() or None
        op(self, lambda: product_service.on_shelf_products(db, actor, text=text)).success(self._show).run()

    def _show(self, options: list[product_service.ProductOption]) -> None:
        if not alive(self):
            return
        self.results.clear()
        for option in options:
            item = QListWidgetItem(f"{option.name}  ·  {option.code}  ·  {money_text(option.price)}/{option.unit}")
            item.setData(_PRODUCT_ID, option)
            self.results.addItem(item)
        if options:
            self.results.setCurrentRow(0)

    def accept(self) -> None:
        item = self.results.currentItem()
        if item is None:
            return
        self.chosen.emit(item.data(_PRODUCT_ID))
        super().accept()
