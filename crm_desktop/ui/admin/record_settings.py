"""Record settings (记录设置): company-wide rules about saving records.

Today the services support one such setting: the duplicate-claim check mode (撞单检查) —
"warn" shows the matching customers and leads and lets the user save, "block" refuses the
save. Whether customers with a deal are exempt from recycling is a setting of each public
pool (its page holds it), so it is only pointed to here. GUI thread only.
"""
from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.records import duplicates
from crm_desktop.ui.admin.custom_fields import show_error
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import MessageBar, alive, page_layout
from crm_desktop.ui.ops import op

_WATCHED = {"setting", "*"}


class RecordSettingsPage(QWidget):
    """The duplicate-claim check mode, saved with one button."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.loaded_mode: str | None = None
        self.message = MessageBar()

        self.warn_radio = QRadioButton(self.tr("Warn: show the matching customers and leads, then let the user save"))
        self.block_radio = QRadioButton(self.tr("Block: refuse to save while a match exists"))
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.warn_radio)
        self.mode_group.addButton(self.block_radio)
        explain = QLabel(self.tr(
            "When a customer or lead is saved, its name, phone, mobile, e-mail and credit code are compared "
            "with every customer and lead of the company, including those the user cannot see, so two sales "
            "representatives do not register the same company."))
        explain.setWordWrap(True)
        explain.setStyleSheet("color: #555;")
        duplicate_box = QGroupBox(self.tr("Duplicate-claim check"))
        box = QVBoxLayout(duplicate_box)
        box.addWidget(explain)
        box.addWidget(self.warn_radio)
        box.addWidget(self.block_radio)

        recycling = QLabel(self.tr(
            "Whether customers with a deal are exempt from recycling into the public pool is set for "
            "each pool on the Public pools page."))
        recycling.setWordWrap(True)
        recycling.setStyleSheet("color: #555;")

        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(duplicate_box)
        layout.addWidget(recycling)
        layout.addLayout(save_row)
        layout.addStretch(1)
        body.setMaximumWidth(820)
        page_layout(self, self.tr("Record settings"), self.message, body=body)
        self.save_button.setEnabled(False)  # until the current mode is known
        ctx.signals.changed.connect(self._on_changed)
        self.reload()

    def reload(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: duplicates.get_duplicate_check_mode(db, actor)).success(self._loaded).failure(
            self.message.show_exception).run()

    def _loaded(self, mode: str) -> None:
        if not alive(self):
            return
        self.loaded_mode = mode
        (self.block_radio if mode == "block" else self.warn_radio).setChecked(True)
        self.save_button.setEnabled(True)

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if entity in _WATCHED:
            self.reload()

    def mode(self) -> str:
        return "block" if self.block_radio.isChecked() else "warn"

    def save(self) -> None:
        mode, db, actor = self.mode(), self.ctx.db, self.ctx.actor
        self.message.clear()
        self.save_button.setEnabled(False)
        op(self, lambda: duplicates.set_duplicate_check_mode(db, actor, mode), write=True).success(
            lambda _r: self._saved()).failure(self._failed).run()

    def _saved(self) -> None:
        if not alive(self):
            return
        self.save_button.setEnabled(True)
        self.message.show_info(self.tr("Record settings saved."))
        self.ctx.signals.notify("setting")

    def _failed(self, exc: BaseException) -> None:
        if alive(self):
            self.save_button.setEnabled(True)
            show_error(self.message, exc)
