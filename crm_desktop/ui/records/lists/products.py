"""The Products tab (产品): the category tree beside the generic record list, on/off shelf.

The tree (left) lists the categories with how many products each holds itself; choosing one
shows that category's products, "All products" shows every one. Add / Rename / Move / Delete
work on the chosen category through small dialogs (the service refuses deleting a category
that still has sub-categories or products, and says why). The product form picks the category
from the tree's categories (indented by depth), preset to the chosen one for a new product.
"On shelf" / "Off shelf" act on the selected products: only on-shelf products can be added
to new opportunity and contract lines. Double-click opens the detail page (pictures and other
attachments there).
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.records.filters import Condition, Filter, Op
from crm_desktop.services.records.records import Page, RecordService
from crm_desktop.services.sales import products as product_ops
from crm_desktop.services.sales.products import CategoryNode, products
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import FormDialog
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.forms.record_dialog import RecordDialog
from crm_desktop.ui.records.lists.record_tab import RecordTab
from crm_desktop.ui.records.shared.record_names import category_choices

if TYPE_CHECKING:
    from crm_desktop.db import Database
    from crm_desktop.services.org.actor import Actor

_ID = Qt.ItemDataRole.UserRole


class CategoryFiltered:
    """The product service narrowed to one category (``category_id``; None: all) in SQL, on top
    of whatever filter the list applies. Every other call is the service's own. Any thread."""

    def __init__(self, service: RecordService[Any]) -> None:
        self._service = service
        self.category_id: int | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._service, name)

    def _narrowed(self, flt: Filter | None) -> Filter | None:
        if self.category_id is None:
            return flt
        condition = Condition("category_id", Op.EQ, self.category_id)
        if flt is None or not flt.conditions:
            return Filter((condition,))
        if flt.match == "all":
            return Filter((*flt.conditions, condition))
        # An "any of" filter cannot take one more "and" condition (filters do not nest): the
        # user's own filter wins then and the category is not applied.
        return flt

    def list_page(self, db: Database, actor: Actor, **kwargs: Any) -> Page:
        kwargs["filter"] = self._narrowed(kwargs.get("filter"))
        return cast(Page, self._service.list_page(db, actor, **kwargs))

    def count(self, db: Database, actor: Actor, **kwargs: Any) -> int:
        kwargs["filter"] = self._narrowed(kwargs.get("filter"))
        return int(self._service.count(db, actor, **kwargs))


class CategoryDialog(FormDialog):
    """Add or rename a category (a name), or move one (a new parent). Public: ``name_edit``,
    ``parent_combo`` (move only), ``submit()``."""

    def __init__(self, ctx: AppContext, *, mode: str, node: CategoryNode | None,
                 tree: Sequence[CategoryNode] = (), parent: QWidget | None = None) -> None:
        titles = {"add": self.tr("New category"), "rename": self.tr("Rename category"),
                  "move": self.tr("Move category")}
        super().__init__(parent, title=titles[mode])
        self.ctx = ctx
        self.mode = mode
        self.node = node
        self.name_edit = QLineEdit(node.name if node is not None and mode == "rename" else "")
        self.parent_combo = QComboBox()
        if mode == "move":
            assert node is not None
            self.parent_combo.addItem(self.tr("(top level)"), None)
            skip = set(_subtree(node))
            for value, label in category_choices(tree):
                if int(value) not in skip:
                    self.parent_combo.addItem(label, int(value))
            self.parent_combo.setCurrentIndex(max(self.parent_combo.findData(node.parent_id), 0))
            self.add_row("new_parent_id", self.tr("Move “{name}” under").format(name=node.name), self.parent_combo)
        else:
            self.add_row("name", self.tr("Name"), self.name_edit)
            if mode == "add" and node is not None:
                self.name_edit.setPlaceholderText(self.tr("Under “{name}”").format(name=node.name))
        self.setMinimumWidth(380)

    def build_call(self) -> Callable[[], object] | None:
        db, actor, node = self.ctx.db, self.ctx.actor, self.node
        name = self.name_edit.text()
        if self.mode == "add":
            parent_id = node.id if node is not None else None
            return lambda: product_ops.create_category(db, actor, name, parent_id=parent_id)
        assert node is not None
        if self.mode == "rename":
            return lambda: product_ops.rename_category(db, actor, node.id, name=name)
        new_parent = self.parent_combo.currentData()
        return lambda: product_ops.move_category(db, actor, node.id, new_parent_id=new_parent)


def _subtree(node: CategoryNode) -> list[int]:
    return [node.id, *(i for child in node.children for i in _subtree(child))]


class ProductsTab(RecordTab):
    """产品: category tree + product list. Public for tests besides RecordTab's: ``category_tree``
    (QTreeWidget; item data = category id, None for "All products"), ``categories`` (the tree as
    read), ``select_category(id | None)``, ``current_category()``, the category buttons
    (``add_category_button`` …), ``category_dialog`` (the last one), ``on_shelf_button``,
    ``off_shelf_button``, ``set_shelf_selected(on)``, ``exporter``, ``display_text(row, field)``."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self._filtered = CategoryFiltered(products)
        self.categories: tuple[CategoryNode, ...] = ()
        super().__init__(ctx, cast(RecordService[Any], self._filtered), parent=parent)
        self.category_dialog: CategoryDialog | None = None
        may_edit = ctx.actor.can("product", "edit")
        self.category_tree = QTreeWidget()
        self.category_tree.setHeaderHidden(True)
        self.category_tree.setColumnCount(1)
        self.category_tree.currentItemChanged.connect(lambda *_: self._category_chosen())
        self.add_category_button = QPushButton(self.tr("Add"))
        self.rename_category_button = QPushButton(self.tr("Rename"))
        self.move_category_button = QPushButton(self.tr("Move"))
        self.delete_category_button = QPushButton(self.tr("Delete"))
        self.add_category_button.setToolTip(self.tr("Add a category under the chosen one."))
        self.add_category_button.clicked.connect(lambda: self.open_category_dialog("add"))
        self.rename_category_button.clicked.connect(lambda: self.open_category_dialog("rename"))
        self.move_category_button.clicked.connect(lambda: self.open_category_dialog("move"))
        self.delete_category_button.clicked.connect(self.delete_category)
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        for button in (self.add_category_button, self.rename_category_button, self.move_category_button,
                       self.delete_category_button):
            button.setVisible(may_edit)
            buttons.addWidget(button)
        panel = QWidget()
        panel_layout = QVBoxLayout(panel)
        panel_layout.setContentsMargins(0, 0, 0, 0)
        panel_layout.addWidget(self.category_tree, 1)
        panel_layout.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        layout = self.layout()
        assert layout is not None
        layout.replaceWidget(self.view, splitter)
        splitter.addWidget(panel)
        splitter.addWidget(self.view)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 900])

        self.on_shelf_button = QPushButton(self.tr("On shelf"))
        self.on_shelf_button.setToolTip(self.tr("Offer the selected products for new opportunities and contracts."))
        self.off_shelf_button = QPushButton(self.tr("Off shelf"))
        self.off_shelf_button.setToolTip(self.tr("Stop offering the selected products; existing lines keep them."))
        self.on_shelf_button.clicked.connect(lambda: self.set_shelf_selected(True))
        self.off_shelf_button.clicked.connect(lambda: self.set_shelf_selected(False))
        tools = self.tool_row
        shelf = ((self.on_shelf_button, self.spec.offers("on_shelf")),
                 (self.off_shelf_button, self.spec.offers("off_shelf")))
        for offset, (button, offered) in enumerate(shelf, start=1):
            button.setVisible(may_edit and offered)
            tools.insertWidget(tools.indexOf(self.delete_button) + offset, button)
        ctx.signals.changed.connect(self._on_changed)
        self._update_buttons()
        self.reload_categories()

    def export_options(self) -> dict[str, Any]:
        return {"service": cast(RecordService[Any], products)}  # every product, not the chosen category's

    def _update_buttons(self) -> None:
        super()._update_buttons()
        if hasattr(self, "on_shelf_button"):
            chosen = bool(self.view.selectionModel().selectedRows())
            self.on_shelf_button.setEnabled(chosen)
            self.off_shelf_button.setEnabled(chosen)
        if hasattr(self, "category_tree"):
            node = self.current_category()
            for button in (self.rename_category_button, self.move_category_button, self.delete_category_button):
                button.setEnabled(node is not None)

    # --- categories -------------------------------------------------------------------

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if isValid(self) and entity in ("product_category", "product", "*"):
            self.reload_categories()

    def reload_categories(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: product_ops.category_tree(db, actor)).success(self._show_categories).failure(
            self._failed).run()

    def _show_categories(self, tree: tuple[CategoryNode, ...]) -> None:
        if not isValid(self):
            return
        keep = self._filtered.category_id
        self.categories = tree
        self.category_tree.blockSignals(True)
        self.category_tree.clear()
        everything = QTreeWidgetItem([self.tr("All products")])
        everything.setData(0, _ID, None)
        self.category_tree.addTopLevelItem(everything)

        def add(parent: QTreeWidgetItem | None, nodes: Sequence[CategoryNode]) -> None:
            for node in nodes:
                text = f"{node.name} ({node.product_count})" if node.product_count else node.name
                item = QTreeWidgetItem([text])
                item.setData(0, _ID, node.id)
                if parent is None:
                    self.category_tree.addTopLevelItem(item)
                else:
                    parent.addChild(item)
                add(item, node.children)

        add(None, tree)
        self.category_tree.expandAll()
        self.category_tree.blockSignals(False)
        if keep is not None and self._item_of(keep) is None:
            keep = None  # the category was deleted
        self.select_category(keep)

    def _item_of(self, category_id: int | None) -> QTreeWidgetItem | None:
        for item in self._items():
            if item.data(0, _ID) == category_id:
                return item
        return None

    def _items(self) -> list[QTreeWidgetItem]:
        found: list[QTreeWidgetItem] = []

        def walk(item: QTreeWidgetItem) -> None:
            found.append(item)
            for i in range(item.childCount()):
                walk(item.child(i))

        for i in range(self.category_tree.topLevelItemCount()):
            walk(self.category_tree.topLevelItem(i))
        return found

    def select_category(self, category_id: int | None) -> None:
        item = self._item_of(category_id)
        if item is not None:
            self.category_tree.setCurrentItem(item)
        self._category_chosen()

    def current_category(self) -> CategoryNode | None:
        item = self.category_tree.currentItem()
        category_id = item.data(0, _ID) if item is not None else None
        if category_id is None:
            return None

        def find(nodes: Sequence[CategoryNode]) -> CategoryNode | None:
            for node in nodes:
                if node.id == category_id:
                    return node
                found = find(node.children)
                if found is not None:
                    return found
            return None

        return find(self.categories)

    def _category_chosen(self) -> None:
        node = self.current_category()
        wanted = node.id if node is not None else None
        if wanted != self._filtered.category_id:
            self._filtered.category_id = wanted
            self.model.refresh()
        self._update_buttons()

    def open_category_dialog(self, mode: str) -> CategoryDialog | None:
        node = self.current_category()
        if mode != "add" and node is None:
            return None
        dialog = CategoryDialog(self.ctx, mode=mode, node=node, tree=self.categories, parent=self)
        dialog.saved.connect(lambda _r: self._category_saved())
        self.category_dialog = dialog
        dialog.open()
        return dialog

    def _category_saved(self) -> None:
        if isValid(self):
            self._show_message(self.tr("Categories saved."))
            self.ctx.signals.notify("product_category")

    def delete_category(self) -> None:
        node = self.current_category()
        if node is None:
            return
        db, actor, category_id = self.ctx.db, self.ctx.actor, node.id

        def delete() -> None:
            op(self, lambda: product_ops.delete_category(db, actor, category_id), write=True).success(
                lambda _r: self._category_saved()).failure(self._failed).run()

        self._ask(self.tr("Delete the category “{name}”?").format(name=node.name), delete)

    # --- products -----------------------------------------------------------------------

    def prepare_form(self, dialog: RecordDialog) -> None:
        node = self.current_category()
        if node is not None and dialog.record is None:
            dialog.set_value("category_id", node.id)  # a new product starts in the chosen category

    def set_shelf_selected(self, on: bool) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: product_ops.set_on_shelf(db, actor, ids, on_shelf=on), write=True).success(
            lambda n: self._shelf_done(n, on)).failure(self._failed).run()

    def _shelf_done(self, count: int, on: bool) -> None:
        if isValid(self):
            text = self.tr("Put on shelf: {n}") if on else self.tr("Taken off shelf: {n}")
            self._show_message(text.format(n=count))
            self.ctx.signals.notify("product")


__all__ = ["CategoryDialog", "CategoryFiltered", "ProductsTab"]
