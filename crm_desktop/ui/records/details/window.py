"""The detail page (详情页) of one record, and its entry point ``open_detail``.

A non-modal window: a header (the record's name, key facts in one line, actions the actor
may take) over tabs (follow-ups, basic info, contacts, team, attachments, approvals,
operation log; each entity its own set). What an entity shows comes from its view spec
(``specs``): the header facts, the header part (the opportunity's stage bar), the tabs (made
by ``tab_kinds``) and the actions (star, lock). Modules add tabs later with ``add_tab``.

Refresh: the window re-reads the header and every tab when ``ctx.signals.changed`` names its
record (or "*"); after its own writes it calls ``ctx.signals.notify(entity, id)`` so every
other open view hears of it too. Re-reads are coalesced by a short timer.

Edit: the window emits ``edit_requested(record_id)``. When nobody is connected to it, it opens
the entity's form (``forms.open.open_form``, the same form as the list's Edit), or with
``edit_fields`` the schema-generated form with those fields first.
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.customers import customers as customer_ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import error_text, field_label
from crm_desktop.ui.live import PresenceLabel
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.details.base import (
    ERROR_STYLE,
    DetailData,
    DetailTab,
    DetailTarget,
    display_value,
    field_title,
    is_visible,
    load_detail,
)
from crm_desktop.ui.records.details.followups import AddFollowUpDialog
from crm_desktop.ui.records.details.related import RelatedRecordsTab
from crm_desktop.ui.records.details.tab_kinds import HEADER_PARTS, make_tab, tab_module
from crm_desktop.ui.records.forms.layout import FormField
from crm_desktop.ui.records.forms.open import open_form
from crm_desktop.ui.records.forms.record_dialog import RecordDialog, open_record_form
from crm_desktop.ui.records.shared.facts_strip import FactsStrip
from crm_desktop.ui.records.shared.list_model import format_value
from crm_desktop.ui.records.specs.registry import DETAIL_ENTITIES, view_spec
from crm_desktop.ui.window_memory import cascade_position, fit_on_screen

RELOAD_DELAY_MS = 30
FACT_SEPARATOR = "&nbsp;&nbsp;·"
VALUE_COLOR = "#222"
LOCKED_COLOR = "#c0392b"
#: The header's approval badge: pending (待审批) in orange, rejected in red, withdrawn in grey.
APPROVAL_COLORS = {"pending": "#d35400", "rejected": "#c0392b", "withdrawn": "#7f8c8d", "approved": "#1b6e2a",
                   "draft": "#7f8c8d", "voided": "#7f8c8d"}
#: Tabs other modules add to every detail window of an entity (see ``register_detail_tabs``).
_EXTRA_TABS: dict[str, list[Callable[[RecordDetailWindow], None]]] = {}


def register_detail_tabs(entity: str, add_tabs: Callable[[RecordDetailWindow], None]) -> None:
    """Have ``add_tabs(window)`` called for every new detail window of ``entity``, after the
    built-in tabs; it calls ``window.add_tab(...)`` (e.g. the sales module's opportunities,
    contracts and payments on customers) and may check ``window.ctx.actor`` first."""
    if add_tabs not in _EXTRA_TABS.setdefault(entity, []):
        _EXTRA_TABS[entity].append(add_tabs)


def unregister_detail_tabs(entity: str, add_tabs: Callable[[RecordDetailWindow], None]) -> None:
    if add_tabs in _EXTRA_TABS.get(entity, []):
        _EXTRA_TABS[entity].remove(add_tabs)


class RecordDetailWindow(QDialog):
    """The detail window of one record (see the module docstring).

    Public for tests: ``name_label``, ``facts_strip``, ``facts`` (field → shown text),
    ``data`` (the last DetailData), the header buttons, ``tabs`` (QTabWidget),
    ``tab(key)``, ``add_tab()``, ``edit_dialog``, ``followup_dialog``, ``reload()``,
    ``is_loading()``.
    """

    edit_requested = Signal(int)

    def __init__(
        self, ctx: AppContext, entity: str, record_id: int, *, edit_fields: Sequence[FormField] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if entity not in DETAIL_ENTITIES:
            raise ValueError(f"no detail page for {entity!r}")
        self.ctx = ctx
        self.entity = entity
        #: The entity's view spec: header facts, header part, tabs and actions.
        self.spec = view_spec(entity)
        self.record_id = record_id
        self.target = DetailTarget(ctx, entity, record_id)
        self.edit_fields = tuple(edit_fields) if edit_fields is not None else None
        self.data: DetailData | None = None
        self.facts: dict[str, str] = {}
        self.edit_dialog: RecordDialog | None = None
        self.followup_dialog: AddFollowUpDialog | None = None
        self._loading = False
        self._edit_connections = 0
        self._tabs: dict[str, DetailTab] = {}
        self._widgets: dict[str, QWidget] = {}
        self.setWindowFlag(Qt.WindowType.WindowMinMaxButtonsHint, True)
        self.setSizeGripEnabled(True)
        self.setWindowTitle(self._entity_title())

        self.name_label = QLabel(self.tr("Loading…"))
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.name_label.setFont(font)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.star_button = QPushButton()
        self.star_button.setFlat(True)
        self.star_button.setCursor(Qt.CursorShape.PointingHandCursor)
        #: The header facts, one label each: a narrow window wraps between facts, never inside one.
        self.facts_strip = FactsStrip()
        self.facts_strip.linkActivated.connect(self.open_link)
        self.message_label = QLabel()
        self.message_label.setStyleSheet(ERROR_STYLE)
        self.message_label.setWordWrap(True)
        self.message_label.hide()

        can = ctx.actor.can
        self.edit_button = QPushButton(self.tr("Edit"))
        self.edit_button.setVisible(can(entity, "edit"))
        self.edit_button.clicked.connect(self.edit)
        self.followup_button = QPushButton(self.tr("Add follow-up"))
        self.followup_button.setVisible(can("followup", "create") and "followups" in self.spec.detail_tabs)
        self.followup_button.clicked.connect(self.add_followup)
        self.lock_button = QPushButton(self.tr("Lock"))
        self.lock_button.setVisible(self.spec.offers("lock") and can(entity, "lock"))
        self.lock_button.clicked.connect(self.toggle_lock)
        self.star_button.setVisible(self.spec.offers("star"))
        self.star_button.clicked.connect(self.toggle_star)
        for button in (self.edit_button, self.followup_button, self.lock_button, self.star_button):
            button.setEnabled(False)  # until the record is read

        title_row = QHBoxLayout()
        title_row.setSpacing(8)
        title_row.addWidget(self.name_label)
        title_row.addWidget(self.star_button)
        title_row.addStretch(1)
        for button in (self.followup_button, self.edit_button, self.lock_button):
            title_row.addWidget(button)
        header = QFrame()
        header.setObjectName("detailHeader")
        # A card on the window's background sets the record apart from its tabs.
        header.setStyleSheet(
            "#detailHeader { background: palette(base); border: 1px solid palette(midlight); border-radius: 6px; }")
        header_layout = QVBoxLayout(header)
        header_layout.setContentsMargins(16, 12, 16, 12)
        header_layout.setSpacing(6)
        header_layout.addLayout(title_row)
        header_layout.addWidget(self.facts_strip)
        #: The entity's header part (``ViewSpec.header_part``), e.g. the opportunity's stage bar.
        self.header_part: DetailTab | None = None
        if self.spec.header_part is not None:
            self.header_part = HEADER_PARTS[self.spec.header_part](self.target)
            self._tabs["_header"] = self.header_part  # re-read with the tabs, but not a tab
            header_layout.addWidget(self.header_part)
        header_layout.addWidget(self.message_label)
        #: "张三 is editing this customer" while another PC has its form open (issue 17).
        self.presence_label = PresenceLabel(ctx, entity, record_id, noun=self._entity_title().lower())
        header_layout.addWidget(self.presence_label)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(header)
        layout.addWidget(self.tabs, 1)
        for key in self.spec.detail_tabs:
            module = tab_module(key)
            if module is not None and not ctx.actor.can(module, "view"):
                continue  # a tab that could only say "no permission" is left out
            widget, title = make_tab(key, self.target)
            if isinstance(widget, RelatedRecordsTab):  # a related record opens its own window
                widget.open_requested.connect(lambda entity, record_id: self.open_link(f"{entity}:{record_id}"))
            self.add_tab(key, widget, title)
        for add_tabs in _EXTRA_TABS.get(entity, ()):
            add_tabs(self)
        self.resize(1000, 680)

        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_DELAY_MS)
        self._reload_timer.timeout.connect(self.reload)
        ctx.signals.changed.connect(self._on_changed)
        self.reload()

    def _entity_title(self) -> str:
        return self.tr(self.spec.title)

    # --- tabs -------------------------------------------------------------------------

    def add_tab(self, key: str, widget: QWidget, title: str, *, index: int | None = None) -> None:
        """Add a tab (other modules call this too). A ``DetailTab`` is re-read and fed the
        record with the others; any other widget is shown as it is."""
        self._widgets[key] = widget
        if isinstance(widget, DetailTab):
            self._tabs[key] = widget
            if self.data is not None:
                widget.show_record(self.data)
                widget.reload()
        widget.setObjectName(f"detail_tab_{key}")
        if index is None:
            self.tabs.addTab(widget, title)
        else:
            self.tabs.insertTab(index, widget, title)

    def tab(self, key: str) -> Any:
        """The tab added under ``key`` (typed Any so tests reach each tab's own API)."""
        return self._widgets[key]

    def tab_keys(self) -> list[str]:
        return list(self._widgets)

    def tab_titles(self) -> list[str]:
        return [self.tabs.tabText(i) for i in range(self.tabs.count())]

    # --- loading ----------------------------------------------------------------------

    def _on_changed(self, entity: str, record_id: int) -> None:
        if not isValid(self):
            return
        if entity == "*" or (entity == self.entity and record_id in (self.record_id, 0)):
            self._reload_timer.start()

    def is_loading(self) -> bool:
        return (self._loading or self._reload_timer.isActive()
                or any(t.is_loading() for t in self._tabs.values()))

    def reload(self) -> None:
        """Re-read the header and every tab."""
        self._reload_timer.stop()
        self._loading = True
        target = self.target
        op(self, lambda: load_detail(target)).success(self._show).failure(self._failed).run()

    def _failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self._loading = False
        self._show_message(error_text(exc))
        if self.data is None:
            self.name_label.setText(self.tr("Not available"))
        for button in (self.edit_button, self.followup_button, self.lock_button, self.star_button):
            button.setEnabled(False)

    def _show_message(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def _show(self, data: DetailData) -> None:
        if not isValid(self):
            return
        self._loading = False
        self._show_message("")
        self.data = data
        self.name_label.setText(data.title)
        self.setWindowTitle(f"{data.title} · {self._entity_title()}")
        self._show_facts(data)
        record = data.record
        locked = bool(record.values.get("locked"))
        self.lock_button.setText(self.tr("Unlock") if locked else self.tr("Lock"))
        self.star_button.setText(self.tr("★ Starred") if data.starred else self.tr("☆ Star"))
        self.star_button.setToolTip(self.tr("Remove from my starred customers") if data.starred
                                    else self.tr("Add to my starred customers"))
        converted = self.entity == "lead" and record.values.get("status") == "converted"
        self.followup_button.setEnabled(not converted)
        self.followup_button.setToolTip(
            self.tr("This lead was converted: add follow-ups to its customer.") if converted else "")
        self.edit_button.setEnabled(not converted)
        self.lock_button.setEnabled(True)
        self.star_button.setEnabled(True)
        for tab in self._tabs.values():
            tab.show_record(data)
            tab.reload()

    def _show_facts(self, data: DetailData) -> None:
        parts: list[str] = []
        self.facts = {}
        for name in self.spec.header_facts:
            spec = data.schema.get(name)
            if spec is None and name in data.record.values:  # a value the service derives (outstanding)
                self.facts[name] = format_value(data.record.values[name]) or "—"
                parts.append(f'{escape(field_label(name))}: <span style="color:{VALUE_COLOR};">'
                             f'{escape(self.facts[name])}</span>')
                continue
            if spec is None or not is_visible(data.record, name):
                continue  # hidden from this actor by a field permission
            if name == "locked":
                if data.record.values.get("locked"):
                    self.facts[name] = self.tr("Locked")
                    parts.append(f'<span style="color:{LOCKED_COLOR}; font-weight:600;">{escape(self.facts[name])}</span>')
                continue
            if name == "approval_status":  # only a record not yet (or no longer) active says so
                status = str(data.record.values.get("approval_status") or "")
                if status:
                    self.facts[name] = display_value(spec, data)
                    color = APPROVAL_COLORS.get(status, LOCKED_COLOR)
                    parts.append(f'<span style="color:{color}; font-weight:600;">{escape(self.facts[name])}</span>')
                continue
            value = display_value(spec, data) or "—"
            self.facts[name] = value
            shown = f'<span style="color:{VALUE_COLOR};">{escape(value)}</span>'
            if name == "customer_id" and data.record.values.get("customer_id") is not None:
                shown = f'<a href="customer:{int(data.record.values["customer_id"])}">{escape(value)}</a>'
            parts.append(f"{escape(field_title(spec))}: {shown}")
        # A middle dot after each fact but the last: the strip wraps between facts.
        self.facts_strip.set_facts([part + FACT_SEPARATOR if i < len(parts) - 1 else part
                                    for i, part in enumerate(parts)], style="color: #555;")

    # --- actions ----------------------------------------------------------------------

    def open_link(self, link: str) -> RecordDetailWindow | None:
        """Open a record named in the header (``entity:id``, e.g. a contact's customer)."""
        entity, _sep, record_id = link.partition(":")
        if entity not in DETAIL_ENTITIES or not record_id.isdigit():
            return None
        return open_detail(self.ctx, entity, int(record_id), parent=self.parentWidget())

    def connectNotify(self, signal: Any) -> None:  # noqa: N802 - Qt's name
        # Counting receivers ourselves: PySide's receivers() wants an old-style signature.
        if signal.name() == b"edit_requested":
            self._edit_connections += 1
        super().connectNotify(signal)

    def disconnectNotify(self, signal: Any) -> None:  # noqa: N802 - Qt's name
        if signal.name() == b"edit_requested":
            self._edit_connections = max(0, self._edit_connections - 1)
        super().disconnectNotify(signal)

    def edit(self) -> None:
        """Ask the app to open its form; with nobody listening, open the entity's form (the
        list's; ``edit_dialog`` once it is open: it reads the record fresh first)."""
        self.edit_requested.emit(self.record_id)
        if self._edit_connections or self.data is None:
            return
        title = self.tr("Edit: {name}").format(name=self.data.title)
        on_opened: Callable[[RecordDialog], None] = lambda dialog: setattr(self, "edit_dialog", dialog)  # noqa: E731
        if self.edit_fields is not None:
            open_record_form(self.ctx, self.target.service, self.edit_fields, record_id=self.record_id, title=title,
                             parent=self, on_saved=lambda _record: self.target.changed(), on_opened=on_opened,
                             on_failed=self._failed_write)
            return
        open_form(self.ctx, self.spec, self, record_id=self.record_id, title=title,
                  on_saved=lambda _record: self.target.changed(), on_opened=on_opened, on_failed=self._failed_write)

    def add_followup(self) -> AddFollowUpDialog:
        dialog = AddFollowUpDialog(self.target, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.followup_dialog = dialog
        dialog.open()
        return dialog

    def toggle_lock(self) -> None:
        if self.data is None:
            return
        db, actor, ids = self.ctx.db, self.ctx.actor, [self.record_id]
        locked = bool(self.data.record.values.get("locked"))
        work = (lambda: customer_ops.unlock(db, actor, ids)) if locked else (lambda: customer_ops.lock(db, actor, ids))
        self.lock_button.setEnabled(False)
        op(self, work, write=True).success(lambda _n: self.target.changed()).failure(self._failed_write).run()

    def toggle_star(self) -> None:
        if self.data is None:
            return
        db, actor, record_id, starred = self.ctx.db, self.ctx.actor, self.record_id, not self.data.starred
        self.star_button.setEnabled(False)
        op(self, lambda: customer_ops.set_star(db, actor, record_id, starred=starred), write=True).success(
            lambda _none: self.target.changed()).failure(self._failed_write).run()

    def _failed_write(self, exc: BaseException) -> None:
        if isValid(self):
            self._show_message(error_text(exc))
            self.reload()


#: The open detail windows: opening a record again raises its window instead of a second one.
#: Also keeps parentless windows alive (PySide deletes a parentless widget with its wrapper).
_open_windows: dict[tuple[int, str, int], RecordDetailWindow] = {}


def open_detail(
    ctx: AppContext, entity: str, record_id: int, *, parent: QWidget | None,
    edit_fields: Sequence[FormField] | None = None,
) -> RecordDetailWindow:
    """Open the detail window of a record (non-modal, deleted on close), cascaded from the detail
    window opened last.

    If that record's window is already open in this session it is brought to the front.
    """
    key = (id(ctx.signals), entity, record_id)
    existing = _open_windows.get(key)
    # A closed window waits for deleteLater: it is hidden, and it is not reused.
    if existing is not None and isValid(existing) and existing.isVisible():
        existing.show()
        existing.raise_()
        existing.activateWindow()
        return existing
    window = RecordDetailWindow(ctx, entity, record_id, edit_fields=edit_fields, parent=parent)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    previous = [w for (signals, _e, _r), w in _open_windows.items()
                if signals == key[0] and isValid(w) and w.isVisible()]
    _open_windows[key] = window

    def forget() -> None:
        # Dropped from the registry as Qt deletes it, so that nothing (pytest-qt's teardown
        # included) reaches the deleted window through a wrapper kept alive here. The slot takes
        # no argument: the half-destroyed window is not wrapped for Python.
        if _open_windows.get(key) is window:  # not a newer window of the same record
            del _open_windows[key]

    window.destroyed.connect(forget)
    window.show()
    if previous:  # cascaded: beside the last one (in the size it came back with), not on top of it
        fit_on_screen(window, cascade_position(previous[-1], window.frameGeometry().size()))
    window.raise_()
    window.activateWindow()
    return window
