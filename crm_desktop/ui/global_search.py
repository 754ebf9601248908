"""The one search box of the main window: leads, customers and contacts by name, phone,
e-mail or pinyin initials, as the actor may see them (services/search.py).

Typing pauses briefly before searching; results show in a list under the box; choosing one
emits ``record_chosen(entity, id, name)`` and the main window opens that module on it.
"""
from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.records.search import SearchResult, search
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.ops import op

DELAY_MS = 300
_ENTITY_ROLE = Qt.ItemDataRole.UserRole
_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_NAME_ROLE = Qt.ItemDataRole.UserRole + 2


class GlobalSearch(QWidget):
    record_chosen = Signal(str, int, str)
    #: The popup now lists the results of a search (carries how many were found).
    results_shown = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._generation = 0
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(self.tr("Search leads, customers, contacts (name, phone, pinyin)"))
        self.edit.setClearButtonEnabled(True)
        self.edit.setMinimumWidth(300)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.addWidget(self.edit)
        self.popup = QFrame(self, Qt.WindowType.Popup)
        self.popup.setFrameShape(QFrame.Shape.StyledPanel)
        self.results = QListWidget(self.popup)
        self.results.itemActivated.connect(self._choose)
        self.results.itemClicked.connect(self._choose)
        popup_layout = QVBoxLayout(self.popup)
        popup_layout.setContentsMargins(0, 0, 0, 0)
        popup_layout.addWidget(self.results)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self.edit.textEdited.connect(lambda _text: self._timer.start())
        self.edit.returnPressed.connect(self.run_search)

    def entity_label(self, entity: str) -> str:
        return {"lead": self.tr("Lead"), "customer": self.tr("Customer"), "contact": self.tr("Contact")}.get(
            entity, entity)

    def run_search(self) -> None:
        self._timer.stop()
        text = self.edit.text().strip()
        self._generation += 1
        if not text:
            self.popup.hide()
            return
        generation = self._generation
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: search(db, actor, text)).success(lambda r: self._show(generation, r)).run()

    def _show(self, generation: int, result: SearchResult) -> None:
        if generation != self._generation:  # a newer search is on its way
            return
        self.results.clear()
        for hit in result.all():
            details = " · ".join(x for x in (hit.owner_name, hit.mobile or hit.phone, hit.email) if x)
            item = QListWidgetItem(f"{self.entity_label(hit.entity)}  {hit.name}" + (f"   {details}" if details else ""))
            item.setData(_ENTITY_ROLE, hit.entity)
            item.setData(_ID_ROLE, hit.id)
            item.setData(_NAME_ROLE, hit.name)
            self.results.addItem(item)
        if not result.total:
            item = QListWidgetItem(self.tr("Nothing found for “{text}”.").format(text=result.text))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(item)
        rows = min(max(self.results.count(), 1), 12)
        width = max(self.edit.width(), 460)
        self.popup.resize(width, rows * self.results.sizeHintForRow(0) + 8)
        self.popup.move(self.edit.mapToGlobal(QPoint(self.edit.width() - width, self.edit.height())))
        self.popup.show()
        self.edit.setFocus()
        self.results_shown.emit(result.total)

    def _choose(self, item: QListWidgetItem) -> None:
        entity = item.data(_ENTITY_ROLE)
        if not entity:
            return
        self.popup.hide()
        self.record_chosen.emit(entity, int(item.data(_ID_ROLE)), item.data(_NAME_ROLE))
