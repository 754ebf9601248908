"""The detail page's follow-up tab (跟进记录) and the "Add follow-up" dialog.

The tab lists the record's follow-ups newest first, a page at a time ("Show more").
The dialog records one follow-up through ``followups.add_followup`` — the service updates the
record's last follow-up fields and turns the next contact time into a reminder — and then
stores any chosen files as attachments of the record. Those are two units of work: if a file
is refused after the follow-up was saved, the dialog says so and keeps the follow-up.
Thread rule: GUI thread only; service calls run through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDateTime, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.activities import schedule as schedule_ops
from crm_desktop.services.customers import followups as followup_ops
from crm_desktop.services.errors import CONTEXT as ERRORS_CONTEXT
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.records import attachments as attachment_ops
from crm_desktop.services.records.records import Page, RecordDTO
from crm_desktop.ui.dirty import GuardedDialog
from crm_desktop.ui.i18n import error_text, service_text
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.details.base import (
    ERROR_STYLE,
    DetailTab,
    DetailTarget,
    make_tree,
)
from crm_desktop.ui.records.shared.list_model import format_value

DATETIME_FORMAT = "yyyy-MM-dd HH:mm"


def kind_label(label: str) -> str:
    """Built-in kind labels are English sources (context "fields"); dictionary ones as typed."""
    return QCoreApplication.translate("fields", label)


def file_too_large(path: str) -> bool:
    return Path(path).stat().st_size > attachment_ops.MAX_BYTES


class FollowUpsTab(DetailTab):
    """The record's follow-ups: time, kind, content, next contact, by whom; newest first.

    Public for tests: ``tree``, ``rows`` (the FollowUp RecordDTOs shown), ``add_button``,
    ``more_button``, ``dialog`` (the last "Add follow-up" dialog), ``add_followup()``.
    """

    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(target, parent)
        self.rows: list[RecordDTO] = []
        self._kinds: dict[str, str] = {}
        self._cursor: tuple[Any, int] | None = None
        self.dialog: AddFollowUpDialog | None = None
        self.tree = make_tree(
            [self.tr("Time"), self.tr("Kind"), self.tr("Content"), self.tr("Next contact"), self.tr("By")],
            (140, 90, 420, 140, 110), stretch=2,
        )
        self.tree.setUniformRowHeights(False)  # content may run over several lines
        self.tree.setWordWrap(True)
        self.add_button = QPushButton(self.tr("Add follow-up"))
        self.add_button.setVisible(self.can("followup", "create"))
        self.add_button.clicked.connect(self.add_followup)
        self.more_button = QPushButton(self.tr("Show more"))
        self.more_button.hide()
        self.more_button.clicked.connect(self._load_more)
        self.count_label = QLabel()
        tools = QHBoxLayout()
        tools.addWidget(self.add_button)
        tools.addStretch(1)
        tools.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.message_label)

    def reload(self) -> None:
        db, actor, entity, record_id = self.ctx.db, self.ctx.actor, self.target.entity, self.target.record_id

        def load() -> tuple[Page, dict[str, str]]:
            page = followup_ops.list_followups(db, actor, target_entity=entity, target_id=record_id)
            return page, dict(followup_ops.followup_kinds(db, actor))

        self._loading = True
        op(self, load).success(self._show_first).failure(self.failed).run()

    def _show_first(self, result: tuple[Page, dict[str, str]]) -> None:
        if not isValid(self):
            return
        page, self._kinds = result
        self.rows = []
        self.tree.clear()
        self._append(page)

    def _load_more(self) -> None:
        if self._cursor is None:
            return
        db, actor, entity, record_id, after = (
            self.ctx.db, self.ctx.actor, self.target.entity, self.target.record_id, self._cursor
        )
        self._loading = True
        op(self, lambda: followup_ops.list_followups(
            db, actor, target_entity=entity, target_id=record_id, after=after,
        )).success(lambda page: self._append(page) if isValid(self) else None).failure(self.failed).run()

    def _append(self, page: Page) -> None:
        self._loading = False
        for row in page.rows:
            values = row.values
            kind = str(values.get("kind") or "")
            content = str(values.get("content") or "")
            item = QTreeWidgetItem([
                format_value(values.get("followed_at")),
                kind_label(self._kinds[kind]) if kind in self._kinds else kind,
                content,
                format_value(values.get("next_contact_at")),
                row.owner_name,
            ])
            item.setToolTip(2, content)
            for column in range(self.tree.columnCount()):  # rows of several lines read from the top
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            self.tree.addTopLevelItem(item)
        self.rows.extend(page.rows)
        self._cursor = page.next_cursor
        self.more_button.setVisible(page.next_cursor is not None)
        self.count_label.setText(self.tr("Follow-ups: {n}").format(n=len(self.rows)) + (
            "+" if page.next_cursor is not None else ""))

    def add_followup(self) -> AddFollowUpDialog:
        """Open the "Add follow-up" dialog (non-modal); the tab refreshes when it saved."""
        dialog = AddFollowUpDialog(self.target, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()
        return dialog


class AddFollowUpDialog(GuardedDialog):
    """Kind, content (required), time (default now), next contact (optional), files (optional).

    Emits ``saved(RecordDTO)`` (the follow-up) and closes when everything was stored.
    Public for tests: ``kind_combo``, ``content_edit``, ``time_edit``, ``next_check``,
    ``next_edit``, ``schedule_check``, ``files_list``, ``set_files(paths)``, ``save_button``, ``message_label``,
    ``content_error``, ``next_error``, ``save()``.
    """

    saved = Signal(object)

    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target = target
        self._files: list[str] = []
        self._saving = False
        self._saved_followup: RecordDTO | None = None
        self.setWindowTitle(self.tr("Add follow-up"))

        self.kind_combo = QComboBox()
        self.content_edit = QPlainTextEdit()
        self.content_edit.setTabChangesFocus(True)
        self.content_edit.setPlaceholderText(self.tr("What was discussed, what was agreed, what comes next"))
        self.content_edit.setMinimumHeight(self.content_edit.fontMetrics().lineSpacing() * 6 + 14)
        self.content_error = self._error_label()
        now = QDateTime.currentDateTime()
        now = now.addSecs(-now.time().second())  # minutes are what people type and read
        self.time_edit = QDateTimeEdit(now)
        self.time_edit.setDisplayFormat(DATETIME_FORMAT)
        self.time_edit.setCalendarPopup(True)
        self.next_check = QCheckBox(self.tr("Remind me to contact again"))
        tomorrow = QDateTime(now.date().addDays(1), QTime(9, 0))
        self.next_edit = QDateTimeEdit(tomorrow)
        self.next_edit.setDisplayFormat(DATETIME_FORMAT)
        self.next_edit.setCalendarPopup(True)
        self.next_edit.setEnabled(False)
        self.next_check.toggled.connect(self.next_edit.setEnabled)
        # "Add the next contact to my schedule": an event with a reminder (issue 16).
        self.schedule_check = QCheckBox(self.tr("Add to my schedule"))
        self.schedule_check.setEnabled(False)
        self.schedule_check.setVisible(target.ctx.actor.can("event", "create"))
        self.next_check.toggled.connect(self.schedule_check.setEnabled)
        self.next_error = self._error_label()

        self.files_list = QListWidget()
        self.files_list.setMaximumHeight(self.files_list.fontMetrics().lineSpacing() * 4 + 10)
        self.files_button = QPushButton(self.tr("Attach files…"))
        self.files_button.clicked.connect(self.choose_files)
        self._file_dialog: QFileDialog | None = None
        may_attach = target.ctx.actor.can(target.entity, "edit")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.addRow(self.tr("Kind"), self.kind_combo)
        form.addRow(self.tr("Content *"), self._stack(self.content_edit, self.content_error))
        form.addRow(self.tr("Time"), self.time_edit)
        next_row = QHBoxLayout()
        next_row.addWidget(self.next_check)
        next_row.addWidget(self.next_edit, 1)
        next_row.addWidget(self.schedule_check)
        next_cell = QWidget()
        next_box = QVBoxLayout(next_cell)
        next_box.setContentsMargins(0, 0, 0, 0)
        next_box.addLayout(next_row)
        next_box.addWidget(self.next_error)
        form.addRow(self.tr("Next contact"), next_cell)
        # The reminder lives in the record's follow-up summary (the to-do list reads it): an
        # opportunity or a contract has none, so the dialog does not promise one.
        form.setRowVisible(next_cell, target.entity in followup_ops.SUMMARY_TARGETS)
        if may_attach:
            files_cell = QWidget()
            files_box = QVBoxLayout(files_cell)
            files_box.setContentsMargins(0, 0, 0, 0)
            files_box.addWidget(self.files_list)
            files_box.addWidget(self.files_button, 0, Qt.AlignmentFlag.AlignLeft)
            form.addRow(self.tr("Files"), files_cell)
        else:
            self.files_list.hide()
            self.files_button.hide()

        self.message_label = self._error_label()
        buttons = QDialogButtonBox()
        self.save_button: QPushButton = buttons.addButton(QDialogButtonBox.StandardButton.Save)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self._load_kinds()

    @staticmethod
    def _error_label() -> QLabel:
        label = QLabel()
        label.setStyleSheet(ERROR_STYLE)
        label.setWordWrap(True)
        label.hide()
        return label

    @staticmethod
    def _stack(*widgets: QWidget) -> QWidget:
        cell = QWidget()
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        for widget in widgets:
            box.addWidget(widget)
        return cell

    def _load_kinds(self) -> None:
        db, actor = self.target.ctx.db, self.target.ctx.actor
        self.save_button.setEnabled(False)
        op(self, lambda: followup_ops.followup_kinds(db, actor)).success(self._show_kinds).failure(
            lambda exc: self._show_message(error_text(exc)) if isValid(self) else None
        ).run()

    def _show_kinds(self, kinds: list[tuple[str, str]]) -> None:
        if not isValid(self):
            return
        for value, label in kinds:
            self.kind_combo.addItem(kind_label(label), value)
        self.mark_clean(self.kind_combo)  # read, not typed
        self.save_button.setEnabled(not self._saving)

    def kinds_loaded(self) -> bool:
        return self.kind_combo.count() > 0

    # --- files ------------------------------------------------------------------------

    def choose_files(self) -> QFileDialog:
        dialog = QFileDialog(self, self.tr("Attach files"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filesSelected.connect(lambda paths: self.set_files([*self._files, *paths]))
        self._file_dialog = dialog
        dialog.open()
        return dialog

    def set_files(self, paths: Sequence[str]) -> None:
        """The files to attach with the follow-up (the test hook as well)."""
        self._files = list(dict.fromkeys(str(p) for p in paths))
        self.files_list.clear()
        self.files_list.addItems([Path(p).name for p in self._files])

    def files(self) -> list[str]:
        return list(self._files)

    # --- saving -----------------------------------------------------------------------

    def _show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def _clear_errors(self) -> None:
        for label in (self.content_error, self.next_error, self.message_label):
            label.clear()
            label.hide()

    def save(self) -> None:
        """Check what the user can fix here, then save through the service (write worker)."""
        if self._saving or not self.kinds_loaded():
            return
        self._clear_errors()
        content = self.content_edit.toPlainText().strip()
        if not content:
            self.content_error.setText(self.tr("Write what happened."))
            self.content_error.show()
            self.content_edit.setFocus()
            return
        too_large = [p for p in self._files if file_too_large(p)]
        if too_large:
            self._show_message(self.tr("“{name}” is larger than {limit} MB and cannot be attached.").format(
                name=Path(too_large[0]).name, limit=attachment_ops.MAX_BYTES // (1024 * 1024)))
            return
        target, files = self.target, list(self._files)
        db, actor = target.ctx.db, target.ctx.actor
        kind = str(self.kind_combo.currentData())
        followed_at = self.time_edit.dateTime().toPython().astimezone()
        next_at = self.next_edit.dateTime().toPython().astimezone() if self.next_check.isChecked() else None
        already = self._saved_followup
        to_schedule = next_at is not None and self.schedule_check.isChecked() and self.schedule_check.isVisible()

        def work() -> tuple[RecordDTO, str]:
            followup = already or followup_ops.add_followup(
                db, actor, target_entity=target.entity, target_id=target.record_id, content=content, kind=kind,
                followed_at=followed_at, next_contact_at=next_at,
            )
            if to_schedule and already is None:
                try:
                    schedule_ops.schedule_next_contact(db, actor, target.entity, target.record_id, at=next_at)
                except Exception as exc:  # the follow-up stays; say why the schedule did not take it
                    return followup, error_text(exc)
            try:
                for path in files:
                    attachment_ops.add_attachment(
                        db, actor, target.service.model, target.record_id,
                        filename=Path(path).name, data=Path(path).read_bytes(),
                    )
            except Exception as exc:  # the follow-up stays; say what happened to the files
                return followup, error_text(exc)
            return followup, ""

        self._saving = True
        self.save_button.setEnabled(False)
        op(self, work, write=True).success(self._saved).failure(self._failed).run()

    def _saved(self, result: tuple[RecordDTO, str]) -> None:
        followup, file_problem = result
        self.target.changed()  # the record's summary and attachments changed
        if not isValid(self):
            return
        self._saving = False
        self.save_button.setEnabled(True)
        self._saved_followup = followup
        self.saved.emit(followup)
        if file_problem:
            self.set_files([])
            self._show_message(self.tr("The follow-up was saved, but the files were not attached: {error}")
                               .format(error=file_problem))
            return
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self._saving = False
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            others: list[str] = []
            for name, template in exc.field_errors.items():
                text = service_text(ERRORS_CONTEXT, template)
                label = {"content": self.content_error, "next_contact_at": self.next_error}.get(name)
                if label is not None:
                    label.setText(text)
                    label.show()
                else:
                    others.append(text)
            self._show_message("\n".join(others))
        else:
            self._show_message(error_text(exc))
