"""What the record detail page and its tabs share: the record they show and how values read.

``DetailTarget`` names the record a detail window shows (entity, service, id) and carries the
context; ``DetailData`` is one background read of that record with everything needed to show
it (schema, dictionary labels, user names). ``DetailTab`` is the base of every tab: a
``reload()`` that re-reads through ``ui.ops.op``, an ``is_loading()`` for tests, a message line,
and ``changed()`` which tells every open view (this window included) that the record changed.
Thread rule: GUI thread only; the loaders run on the op worker and touch no widget.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QMessageBox, QTreeWidget, QWidget
from shiboken6 import isValid

from crm_desktop.services.customers import customers as customer_ops
from crm_desktop.services.org import users
from crm_desktop.services.records import schema as schema_ops
from crm_desktop.services.records.records import RecordDTO, RecordService
from crm_desktop.services.records.registry import record_service
from crm_desktop.services.records.schema import EntitySchema, FieldSpec, FieldType
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import ask
from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.records.forms.payment_form import plan_text
from crm_desktop.ui.records.shared.list_model import format_value
from crm_desktop.ui.records.shared.record_names import reference_names
from crm_desktop.ui.records.specs.base import ViewSpec
from crm_desktop.ui.records.specs.registry import view_spec

ERROR_STYLE = "color: #c0392b;"
INFO_STYLE = "color: #2e7d32;"
#: Fields that are not in ``RecordDTO.values`` but on the DTO itself.
BASE_FIELDS = ("owner_id", "created_at", "updated_at")


@dataclasses.dataclass(frozen=True)
class DetailTarget:
    """The record a detail window shows, with the context every tab calls services through."""

    ctx: AppContext
    entity: str
    record_id: int

    @property
    def service(self) -> RecordService[Any]:
        return record_service(self.entity)

    @property
    def spec(self) -> ViewSpec:
        return view_spec(self.entity)

    def changed(self) -> None:
        """After a write of our own: tell every open view (the window too) to re-read."""
        self.ctx.signals.notify(self.entity, self.record_id)


@dataclasses.dataclass(frozen=True)
class DetailData:
    """One read of the record for the header and the basic-info tab."""

    record: RecordDTO
    schema: EntitySchema
    #: dictionary name → value → label (labels as the administrator typed them)
    dictionaries: Mapping[str, Mapping[str, str]]
    user_names: Mapping[int, str]
    starred: bool = False
    #: The name of the customer the record belongs to ("" when none, or not visible).
    customer_name: str = ""
    #: How reference fields stored as numbers read (``record_names.reference_names``): a customer,
    #: an opportunity, a contract, a payment plan, a stage, a category; "" when not visible.
    references: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @property
    def title(self) -> str:
        values = self.record.values
        return str(values.get("name") or values.get("number") or f"#{self.record.id}")


def load_detail(target: DetailTarget) -> DetailData:
    """Read everything the header and the basic-info tab show. Runs on the op worker."""
    db, actor = target.ctx.db, target.ctx.actor
    record = target.service.get(db, actor, target.record_id)
    schema = schema_ops.get_schema(db, actor, target.entity)
    dictionaries: dict[str, dict[str, str]] = {}
    for spec in schema.fields:
        if spec.dictionary and spec.dictionary not in dictionaries:
            items = schema_ops.get_dictionary(db, actor, spec.dictionary, include_disabled=True)
            dictionaries[spec.dictionary] = {i.value: i.label for i in items}
    names = {u.id: u.name for u in users.list_users(db, actor)}
    starred = False
    spec = target.spec
    if spec.offers("star"):
        starred = record.id in customer_ops.starred_ids(db, actor, [record.id])
    # Every reference reads as a name (a customer, an opportunity, a contract, a plan …).
    references = reference_names(db, actor, record, plan_text=plan_text)
    return DetailData(record, schema, dictionaries, names, starred=starred,
                      customer_name=references.get("customer_id", ""), references=references)


# --- how values read ------------------------------------------------------------------

_MISSING = object()


def raw_value(record: RecordDTO, name: str) -> Any:
    """The stored value of a schema field, or ``_MISSING`` when the actor may not see it."""
    if name == "owner_id":
        return record.owner_id
    if name in ("created_at", "updated_at"):
        return getattr(record, name)
    if name in record.values:
        return record.values[name]
    if name in record.custom:
        return record.custom[name]
    return _MISSING


def is_visible(record: RecordDTO, name: str) -> bool:
    return raw_value(record, name) is not _MISSING


def display_value(spec: FieldSpec, data: DetailData) -> str:
    """How one field of the record reads on the detail page ("" when empty or hidden)."""
    value = raw_value(data.record, spec.name)
    if value is _MISSING or value is None or value == "" or value == []:
        return ""
    if spec.name == "owner_id":
        return data.record.owner_name
    if spec.name in data.references:
        # A record outside the actor's scope is not named, and not numbered either.
        return data.references[spec.name] or QCoreApplication.translate("DetailData", "(not in your data scope)")
    if spec.choices:
        labels = dict(spec.choices)
        return QCoreApplication.translate("fields", labels[value]) if value in labels else str(value)
    if spec.dictionary:
        labels = data.dictionaries.get(spec.dictionary, {})
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in values)
    if spec.type is FieldType.USER and isinstance(value, int):
        return data.user_names.get(value, str(value))
    if spec.type is FieldType.PERCENT and value is not None:
        return f"{format_value(value)} %"
    return format_value(value)


def field_title(spec: FieldSpec) -> str:
    """A field's label in the UI language (built-in labels are translated; custom ones as typed)."""
    return QCoreApplication.translate("fields", spec.label)


# --- widgets ----------------------------------------------------------------------------


def make_tree(headers: Sequence[str], widths: Sequence[int], *, stretch: int | None = None) -> QTreeWidget:
    """A flat list used by the tabs (a handful to hundreds of rows). ``stretch`` names the
    column that takes the spare width (default: the last one)."""
    tree = QTreeWidget()
    tree.setColumnCount(len(headers))
    tree.setHeaderLabels(list(headers))
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setAlternatingRowColors(True)
    tree.setAllColumnsShowFocus(True)
    header = tree.header()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for column, width in enumerate(widths):
        header.resizeSection(column, width)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setStretchLastSection(False)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return tree


class DetailTab(QWidget):
    """Base of a detail tab. Subclasses implement ``reload()`` (and ``show_record`` if they
    show header data); ``message_label`` tells the user what happened last."""

    def __init__(self, target: DetailTarget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.target = target
        self.ctx = target.ctx
        self._loading = False
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()
        #: The open "are you sure?" question, if any (tests answer it).
        self.pending_question: QMessageBox | None = None

    def ask(self, text: str, on_yes: Callable[[], None]) -> QMessageBox:
        """Ask before something that cannot be undone here; non-modal (``open()``)."""
        title = self.window().windowTitle() or self.tr("Confirm")
        self.pending_question = ask(self, title, text, on_yes, lambda: setattr(self, "pending_question", None))
        return self.pending_question

    def is_loading(self) -> bool:
        return self._loading

    def reload(self) -> None:
        """Re-read what the tab shows (through ``op``)."""

    def show_record(self, data: DetailData) -> None:
        """The window read the record again; tabs that show its fields update here."""

    def can(self, module: str, action: str) -> bool:
        return self.ctx.actor.can(module, action)

    def show_message(self, text: str, *, error: bool = False) -> None:
        if not isValid(self):
            return
        self.message_label.setStyleSheet(ERROR_STYLE if error else INFO_STYLE)
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def failed(self, exc: BaseException) -> None:
        if isValid(self):
            self._loading = False
            self.show_message(error_text(exc), error=True)
