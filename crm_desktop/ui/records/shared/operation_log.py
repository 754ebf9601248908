"""The operation log (操作记录) of one record: who did what when, each field old → new.

Reads ``service.operation_log`` (and the user list, to show owner and team members by
name) through ``ui.ops.op``; refreshes when that record changes. Thread rule: GUI thread.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.org import users
from crm_desktop.services.records.audit import AuditEntryDTO, FieldChangeDTO
from crm_desktop.services.records.records import RecordService
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import error_text, field_label
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.shared.list_model import format_value

#: Log fields that hold a user id; shown as the user's name.
USER_FIELDS = ("owner_id", "creator_id")
#: Log fields that hold a time (stored as ISO text in the log).
TIME_FIELDS = (
    "deleted_at", "created_at", "updated_at", "last_followup_at", "next_contact_at", "last_deal_at",
    "converted_at", "pooled_at", "followed_at",
)


class OperationLogView(QWidget):
    """A record's audit entries as a tree: one row per entry (time, by, action) with a child
    row per changed field. Used inside the detail page's "Operation log" tab and the dialog.

    ``newest_first`` puts the latest entry on top (the detail tab); otherwise entries run
    oldest first and the view scrolls to the newest (the dialog, which reads like a story).
    ``labels`` maps field names to translated labels. Public for tests: ``tree``,
    ``entries`` (the AuditEntryDTOs shown), ``status_label``, ``reload()``, ``is_loading()``.
    """

    def __init__(
        self,
        ctx: AppContext,
        service: RecordService[Any],
        record_id: int,
        labels: Mapping[str, str],
        *,
        newest_first: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._service = service
        self._record_id = record_id
        self._labels = dict(labels)
        self._newest_first = newest_first
        self._user_names: dict[int, str] = {}
        self._loading = False
        self.entries: list[AuditEntryDTO] = []

        self.tree = QTreeWidget()
        self.tree.setColumnCount(6)
        self.tree.setHeaderLabels([
            self.tr("Time"), self.tr("By"), self.tr("Action"),
            self.tr("Field"), self.tr("Old value"), self.tr("New value"),
        ])
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setRootIsDecorated(True)
        header = self.tree.header()
        header.setStretchLastSection(True)
        for column, width in enumerate((170, 100, 150, 160, 190)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.status_label)

    def set_labels(self, labels: Mapping[str, str]) -> None:
        """Field labels known only after the schema was read (the detail page's custom fields)."""
        self._labels = dict(labels)

    def is_loading(self) -> bool:
        return self._loading

    def reload(self) -> None:
        db, actor, service, record_id = self._ctx.db, self._ctx.actor, self._service, self._record_id

        def load() -> tuple[list[AuditEntryDTO], dict[int, str]]:
            entries = service.operation_log(db, actor, record_id)
            names = {u.id: u.name for u in users.list_users(db, actor)}
            return entries, names

        self._loading = True
        op(self, load).success(self._show).failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        if isValid(self):
            self._loading = False
            self.status_label.setText(error_text(exc))

    def _show(self, result: tuple[list[AuditEntryDTO], dict[int, str]]) -> None:
        if not isValid(self):
            return
        self._loading = False
        self.entries, self._user_names = result
        self.tree.clear()
        shown = reversed(self.entries) if self._newest_first else self.entries
        for entry in shown:
            top = QTreeWidgetItem([
                format_value(entry.at, seconds=True), entry.actor_name or self.tr("(system)"), self.action_text(entry.action),
            ])
            for change in entry.changes:
                if change.old in (None, "") and change.new in (None, ""):
                    continue  # e.g. a field left empty at creation: nothing to read
                field, old, new = self.change_texts(change)
                child = QTreeWidgetItem(["", "", "", field, old, new])
                child.setToolTip(4, old)
                child.setToolTip(5, new)
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        self.status_label.setText(self.tr("Entries: {n}").format(n=len(self.entries)))
        if not self._newest_first:
            last = self.tree.topLevelItem(self.tree.topLevelItemCount() - 1)
            if last is not None:
                self.tree.scrollToItem(last)  # the newest entry matters most

    # --- wording ----------------------------------------------------------------------

    def action_text(self, action: str) -> str:
        texts = {
            "create": self.tr("Created"),
            "update": self.tr("Edited"),
            "delete": self.tr("Moved to the recycle bin"),
            "restore": self.tr("Restored"),
            "owner_change": self.tr("Transferred"),
            "team": self.tr("Team changed"),
            "lock": self.tr("Locked"),
            "unlock": self.tr("Unlocked"),
            "status": self.tr("Status changed"),
            "convert": self.tr("Converted"),
            "followup": self.tr("Followed up"),
            "attachment": self.tr("Attachments changed"),
            "put_in_pool": self.tr("Put in the public pool"),
            "recycle": self.tr("Recycled into the public pool"),
            "claim": self.tr("Claimed from the public pool"),
            "assign": self.tr("Assigned from the public pool"),
        }
        return texts.get(action, action)

    def change_texts(self, change: FieldChangeDTO) -> tuple[str, str, str]:
        """(field label, old text, new text) of one logged field change."""
        name = change.field
        if name.startswith("team:"):
            user_id = int(name.split(":", 1)[1]) if name.split(":", 1)[1].isdigit() else 0
            member = self._user_names.get(user_id, name)
            return (
                self.tr("Team: {name}").format(name=member),
                self._access_text(change.old), self._access_text(change.new),
            )
        if name == "owner_id":
            label = self.tr("Owner")
        elif name == "deleted_at":
            label = self.tr("In recycle bin since")
        elif name == "attachment":
            label = self.tr("Attachment")
        else:
            label = self._labels.get(name) or field_label(name)
        return label, self._value_text(name, change.old), self._value_text(name, change.new)

    def _access_text(self, access: Any) -> str:
        if access == "read":
            return self.tr("Read")
        if access == "write":
            return self.tr("Read and write")
        return "" if access is None else str(access)

    def _value_text(self, name: str, value: Any) -> str:
        if value is None:
            return ""
        if name in USER_FIELDS and isinstance(value, int):
            return self._user_names.get(value, str(value))
        if name in TIME_FIELDS and isinstance(value, str):
            try:
                return format_value(dt.datetime.fromisoformat(value))
            except ValueError:
                return value
        return format_value(value).replace("\n", " ⏎ ")


class OperationLogDialog(QDialog):
    """The operation log of one record in its own window (oldest first), refreshed when that
    record changes. Public for tests: ``view`` and, as before, ``tree``, ``entries``,
    ``status_label``, ``reload()``, ``is_loading()``.
    """

    def __init__(
        self,
        ctx: AppContext,
        service: RecordService[Any],
        record_id: int,
        labels: Mapping[str, str],
        *,
        title: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._record_id = record_id
        self.setWindowTitle(title)
        self.view = OperationLogView(ctx, service, record_id, labels, parent=self)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(close)
        self.resize(960, 520)
        ctx.signals.changed.connect(self._on_changed)
        self.view.reload()

    @property
    def tree(self) -> QTreeWidget:
        return self.view.tree

    @property
    def entries(self) -> list[AuditEntryDTO]:
        return self.view.entries

    @property
    def status_label(self) -> QLabel:
        return self.view.status_label

    def is_loading(self) -> bool:
        return self.view.is_loading()

    def reload(self) -> None:
        self.view.reload()

    def _on_changed(self, entity: str, record_id: int) -> None:
        if isValid(self) and (entity == "*" or (entity == self._service.module and record_id == self._record_id)):
            self.view.reload()
