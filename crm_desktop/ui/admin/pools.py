"""Public pool administration (公海设置): the pools, their members, limits and recycle rules.

The page lists every pool with its members and customer count; New / Edit open
``PoolDialog``, saved through ``pool.create_pool`` / ``pool.update_pool`` (permission
"pool"/"manage"; the service validates, and its errors appear beside the fields). After a
save the page announces ``ctx.signals.notify("pool", id)`` and reloads from ``changed``.
The lists of users and departments are small, so they are read whole. GUI thread only.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.customers import pool as pool_service
from crm_desktop.services.customers.pool import (
    PoolDTO,
    PoolInput,
    PoolMemberInput,
    PoolRuleDTO,
    PoolRuleInput,
)
from crm_desktop.services.org import departments, users
from crm_desktop.services.org.departments import DepartmentDTO
from crm_desktop.services.org.users import UserDTO
from crm_desktop.services.records import schema
from crm_desktop.services.records.schema import DictionaryItemDTO
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import FormDialog, MessageBar, alive, page_layout
from crm_desktop.ui.i18n import register_field_labels, service_text, tr
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.shared.list_model import REFRESH_DELAY_MS

KEY_ROLE = Qt.ItemDataRole.UserRole
_WATCHED = {"pool", "user", "department", "customer", "*"}
#: Rows of the members tree and rules table the service may name in "members.N" / "rules.N.x".
_MAX_ROWS = 500
_SEP = "\x1f"
register_field_labels({
    "name": QT_TRANSLATE_NOOP("fields", "Name"),
    "members": QT_TRANSLATE_NOOP("fields", "Members"),
    "rules": QT_TRANSLATE_NOOP("fields", "Recycle rules"),
    "daily_claim_limit": QT_TRANSLATE_NOOP("fields", "Daily claim limit"),
    "owned_cap": QT_TRANSLATE_NOOP("fields", "Owned customers cap"),
    "reclaim_cooldown_days": QT_TRANSLATE_NOOP("fields", "Reclaim cooldown"),
    "remind_days": QT_TRANSLATE_NOOP("fields", "Remind before recycling"),
})


def rule_text(rule: PoolRuleDTO) -> str:
    """"No follow-up for 30 days (A, B)" in the user's language."""
    kind = service_text("pool", pool_service.RULE_LABELS.get(rule.kind, rule.kind))
    text = tr("{kind} for {days} days").format(kind=kind, days=rule.days)
    if rule.levels:
        text += f" ({', '.join(rule.levels)})"
    return text


class MembersTree(QTreeWidget):
    """Departments (as a tree) and users, each with a "member" and an "administrator" box."""

    def __init__(self, people: Sequence[UserDTO], depts: Sequence[DepartmentDTO]) -> None:
        super().__init__()
        self.setHeaderLabels([self.tr("Member"), self.tr("Administrator")])
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.setMinimumHeight(220)
        self.items: dict[tuple[str, int], QTreeWidgetItem] = {}
        bold = QFont()
        bold.setBold(True)
        dept_root = QTreeWidgetItem(self, [self.tr("Departments (with their sub-departments)")])
        user_root = QTreeWidgetItem(self, [self.tr("Users")])
        for root in (dept_root, user_root):
            root.setFont(0, bold)
            root.setFlags(Qt.ItemFlag.ItemIsEnabled)
        parents: dict[int, QTreeWidgetItem] = {}
        for d in depts:  # parents come first
            item = self._add(parents.get(d.parent_id, dept_root) if d.parent_id else dept_root, d.name, ("d", d.id))
            parents[d.id] = item
        for person in people:
            label = f"{person.name} · {person.department_name}" if person.department_name else person.name
            self._add(user_root, label, ("u", person.id))
        self.expandAll()
        self.itemChanged.connect(self._changed)

    def _add(self, parent: QTreeWidgetItem, label: str, key: tuple[str, int]) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [label])
        item.setData(0, KEY_ROLE, key)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(0, Qt.CheckState.Unchecked)
        item.setCheckState(1, Qt.CheckState.Unchecked)
        self.items[key] = item
        return item

    def _changed(self, item: QTreeWidgetItem, column: int) -> None:
        # An administrator is a member; a non-member cannot administer.
        checked = item.checkState(column) == Qt.CheckState.Checked
        if column == 1 and checked:
            item.setCheckState(0, Qt.CheckState.Checked)
        elif column == 0 and not checked:
            item.setCheckState(1, Qt.CheckState.Unchecked)

    def set_member(self, *, user_id: int | None = None, department_id: int | None = None,
                   member: bool = True, admin: bool = False) -> None:
        item = self.items[("u", user_id) if user_id is not None else ("d", department_id or 0)]
        item.setCheckState(0, Qt.CheckState.Checked if member or admin else Qt.CheckState.Unchecked)
        item.setCheckState(1, Qt.CheckState.Checked if admin else Qt.CheckState.Unchecked)

    def members(self) -> tuple[PoolMemberInput, ...]:
        chosen = []
        for (kind, ident), item in self.items.items():
            if item.checkState(0) == Qt.CheckState.Checked:
                admin = item.checkState(1) == Qt.CheckState.Checked
                chosen.append(PoolMemberInput(user_id=ident, is_admin=admin) if kind == "u"
                              else PoolMemberInput(department_id=ident, is_admin=admin))
        return tuple(chosen)


class RulesTable(QWidget):
    """Recycle rules: kind, days, customer level (or all) and enabled, with add/remove."""

    def __init__(self, levels: Sequence[DictionaryItemDTO]) -> None:
        super().__init__()
        self.levels = list(levels)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([self.tr("When a customer has"), self.tr("For days"),
                                              self.tr("Customer level"), self.tr("On")])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 80), (2, 150), (3, 44)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(32)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(140)
        self.add_button = QPushButton(self.tr("Add rule"))
        self.remove_button = QPushButton(self.tr("Remove rule"))
        self.add_button.clicked.connect(lambda: self.add_rule())
        self.remove_button.clicked.connect(self.remove_current)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def add_rule(self, kind: str = "no_followup", days: int = 30, levels: tuple[str, ...] = (),
                 enabled: bool = True) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        kinds = QComboBox()
        for value in pool_service.RULE_KINDS:
            kinds.addItem(service_text("pool", pool_service.RULE_LABELS[value]), value)
        kinds.setCurrentIndex(max(0, kinds.findData(kind)))
        spin = QSpinBox()
        spin.setRange(1, pool_service.MAX_DAYS)
        spin.setValue(days)
        level = QComboBox()
        # Item data is the levels joined by _SEP (a Python tuple would not compare in findData).
        level.addItem(self.tr("All levels"), "")
        for item in self.levels:
            level.addItem(item.label, item.value)
        key = _SEP.join(levels)
        if levels and level.findData(key) < 0:  # several levels set elsewhere: keep them
            level.addItem(", ".join(levels), key)
        level.setCurrentIndex(max(0, level.findData(key)))
        on = QCheckBox()
        on.setChecked(enabled)
        cell = QWidget()
        box = QHBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(on, 0, Qt.AlignmentFlag.AlignCenter)
        for column, widget in enumerate((kinds, spin, level, cell)):
            self.table.setCellWidget(row, column, widget)
        return row

    def remove_current(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def rules(self) -> tuple[PoolRuleInput, ...]:
        found = []
        for row in range(self.table.rowCount()):
            kinds, spin, level, cell = (self.table.cellWidget(row, c) for c in range(4))
            assert isinstance(kinds, QComboBox) and isinstance(spin, QSpinBox) and isinstance(level, QComboBox)
            on = cell.findChild(QCheckBox)
            levels = str(level.currentData() or "")
            found.append(PoolRuleInput(str(kinds.currentData()), spin.value(), tuple(levels.split(_SEP)) if levels else (),
                                       enabled=on is not None and on.isChecked()))
        return tuple(found)


def _count_spin(maximum: int, zero_text: str, suffix: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, maximum)
    spin.setSpecialValueText(zero_text)
    spin.setSuffix(suffix)
    spin.setFixedWidth(160)  # a number, not a paragraph: do not stretch across the dialog
    return spin


class PoolDialog(FormDialog):
    """Create a pool or edit ``pool``: name, members, limits and recycle rules."""

    def __init__(self, ctx: AppContext, parent: QWidget, *, pool: PoolDTO | None, people: Sequence[UserDTO],
                 depts: Sequence[DepartmentDTO], levels: Sequence[DictionaryItemDTO]) -> None:
        super().__init__(parent, title=self.tr("Edit public pool") if pool else self.tr("New public pool"))
        self.ctx = ctx
        self.pool = pool
        self.name_edit = QLineEdit(pool.name if pool else "")
        self.name_edit.setMaxLength(100)
        self.enabled_box = QCheckBox(self.tr("Enabled: takes in customers and lets members claim them"))
        self.enabled_box.setChecked(pool.enabled if pool else True)
        listed = {m.user_id for m in pool.members if m.user_id} if pool else set()
        shown = [p for p in people if p.enabled or p.id in listed]
        self.members = MembersTree(shown, depts)
        days = self.tr(" days")
        self.limit_spin = _count_spin(pool_service.MAX_LIMIT, self.tr("No limit"))
        self.cap_spin = _count_spin(pool_service.MAX_LIMIT, self.tr("No cap"))
        self.cooldown_spin = _count_spin(pool_service.MAX_DAYS, self.tr("None"), days)
        self.remind_spin = _count_spin(pool_service.MAX_DAYS, self.tr("No reminder"), days)
        self.exempt_box = QCheckBox(self.tr("Never recycle customers who have made a deal"))
        self.rules = RulesTable(levels)
        if pool is not None:
            for m in pool.members:
                key = ("u", m.user_id) if m.user_id else ("d", m.department_id)
                if key in self.members.items:
                    self.members.set_member(user_id=m.user_id, department_id=m.department_id, admin=m.is_admin)
            for r in pool.rules:
                self.rules.add_rule(r.kind, r.days, r.levels, r.enabled)
        self.limit_spin.setValue(pool.daily_claim_limit if pool else 0)
        self.cap_spin.setValue(pool.owned_cap if pool else 0)
        self.cooldown_spin.setValue(pool.reclaim_cooldown_days if pool else 0)
        self.remind_spin.setValue(pool.remind_days if pool else 0)
        self.exempt_box.setChecked(pool.exempt_deals if pool else True)

        self.add_row("name", self.tr("Name:"), self.name_edit)
        self.form.addRow("", self.enabled_box)
        self.add_row("members", self.tr("Members:"), self.members,
                     aliases=tuple(f"members.{i}" for i in range(_MAX_ROWS)))
        self.add_row("daily_claim_limit", self.tr("Daily claim limit:"), self.limit_spin)
        self.add_row("owned_cap", self.tr("Owned customers cap:"), self.cap_spin)
        self.add_row("reclaim_cooldown_days", self.tr("Reclaim cooldown:"), self.cooldown_spin)
        self.limit_spin.setToolTip(self.tr("How many customers a member may claim from this pool per day."))
        self.cap_spin.setToolTip(self.tr("A member who owns this many customers cannot claim more."))
        self.cooldown_spin.setToolTip(self.tr("How long before someone may claim back a customer they gave up."))
        self.add_row("rules", self.tr("Recycle rules:"), self.rules,
                     aliases=tuple(f"rules.{i}.{f}" for i in range(_MAX_ROWS) for f in ("kind", "days", "levels")))
        self.form.addRow("", self.exempt_box)
        self.add_row("remind_days", self.tr("Remind owners:"), self.remind_spin)
        self.remind_spin.setToolTip(self.tr("Tell owners this many days before a rule recycles their customer."))
        self.setMinimumWidth(620)

    def build_call(self) -> Callable[[], object] | None:
        data = PoolInput(
            name=self.name_edit.text(), enabled=self.enabled_box.isChecked(),
            daily_claim_limit=self.limit_spin.value(), owned_cap=self.cap_spin.value(),
            reclaim_cooldown_days=self.cooldown_spin.value(), exempt_deals=self.exempt_box.isChecked(),
            remind_days=self.remind_spin.value(), members=self.members.members(), rules=self.rules.rules(),
        )
        db, actor = self.ctx.db, self.ctx.actor
        if self.pool is None:
            return lambda: pool_service.create_pool(db, actor, data)
        pool_id = self.pool.id
        return lambda: pool_service.update_pool(db, actor, pool_id, data)


class PoolsPage(QWidget):
    """Every public pool with its members, limits, rules and customer count; New / Edit."""

    COLUMNS = ("name", "status", "members", "customers", "limit", "cap", "rules")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.pools: list[PoolDTO] = []
        self.people: list[UserDTO] = []
        self.departments: list[DepartmentDTO] = []
        self.levels: list[DictionaryItemDTO] = []
        self._generation = self._shown_generation = 0
        self._select_after_load: int | None = None
        self.message = MessageBar()
        self.new_action = QAction(self.tr("New pool"), self)
        self.edit_action = QAction(self.tr("Edit"), self)
        self.new_action.triggered.connect(self.new_pool)
        self.edit_action.triggered.connect(self.edit_selected)
        bar = QHBoxLayout()
        for action in (self.new_action, self.edit_action):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            bar.addWidget(button)
        bar.addStretch(1)

        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels([
            self.tr("Name"), self.tr("Status"), self.tr("Members"), self.tr("Customers"),
            self.tr("Daily claim limit"), self.tr("Owned cap"), self.tr("Recycle rules")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, width in enumerate((160, 70, 220, 80, 110, 90)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda *_: self.edit_action.trigger())
        self.table.itemSelectionChanged.connect(self._update_actions)

        page_layout(self, self.tr("Public pools"), self.message, bar, body=self.table)
        # Customer changes come in bursts (a bulk put-in emits one per customer): reload once.
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(REFRESH_DELAY_MS)
        self._reload_timer.timeout.connect(self.reload)
        ctx.signals.changed.connect(self._on_changed)
        self._update_actions()
        self.reload()

    # -- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Read pools, users, departments and customer levels in the background; newest wins."""
        self._reload_timer.stop()
        self._generation += 1
        generation = self._generation
        db, actor = self.ctx.db, self.ctx.actor

        def fetch() -> tuple[list[PoolDTO], list[UserDTO], list[DepartmentDTO], list[DictionaryItemDTO]]:
            return (pool_service.list_pools(db, actor), users.list_users(db, actor),
                    departments.list_departments(db, actor), schema.get_dictionary(db, actor, "customer_level"))

        def failed(exc: BaseException) -> None:
            if alive(self) and generation == self._generation:
                self._shown_generation = generation
                self.message.show_exception(exc)

        op(self, fetch).success(lambda result: self._loaded(generation, *result)).failure(failed).run()

    def _loaded(self, generation: int, pools: list[PoolDTO], people: list[UserDTO], depts: list[DepartmentDTO],
                levels: list[DictionaryItemDTO]) -> None:
        if generation != self._generation or not alive(self):
            return
        self._shown_generation = generation
        keep = self._select_after_load or self.selected_id()
        self._select_after_load = None
        self.pools, self.people, self.departments, self.levels = pools, people, depts, levels
        self.table.setRowCount(len(pools))
        for row, p in enumerate(pools):
            admins = [m.name for m in p.members if m.is_admin]
            members = ", ".join(m.name for m in p.members)
            texts = (
                p.name, self.tr("Enabled") if p.enabled else self.tr("Disabled"), members, str(p.customer_count),
                str(p.daily_claim_limit) if p.daily_claim_limit else self.tr("No limit"),
                str(p.owned_cap) if p.owned_cap else self.tr("No cap"),
                "; ".join(rule_text(r) for r in p.rules if r.enabled) or self.tr("No recycling"),
            )
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setData(KEY_ROLE, p.id)
                if column in (3, 4, 5):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if column == 2:
                    item.setToolTip(members + ("\n" + self.tr("Administrators: {names}").format(
                        names=", ".join(admins)) if admins else ""))
                self.table.setItem(row, column, item)
        if keep is not None:
            self.select(keep)
        self._update_actions()

    def is_loading(self) -> bool:
        """True while a reload is pending or under way (tests wait for it)."""
        return self._reload_timer.isActive() or self._shown_generation != self._generation

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if entity in _WATCHED:
            self._reload_timer.start()

    # -- selection and commands ------------------------------------------------------------

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return int(self.table.item(rows[0].row(), 0).data(KEY_ROLE)) if rows else None

    def select(self, pool_id: int) -> bool:
        row = next((i for i, p in enumerate(self.pools) if p.id == pool_id), -1)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def _update_actions(self) -> None:
        can = self.ctx.actor.can("pool", "manage")
        self.new_action.setEnabled(can)
        self.edit_action.setEnabled(can and self.selected_id() is not None)

    def _open(self, pool: PoolDTO | None) -> PoolDialog:
        self.message.clear()
        dialog = PoolDialog(self.ctx, self, pool=pool, people=self.people, depts=self.departments,
                            levels=self.levels)
        dialog.saved.connect(self._written)
        dialog.open()
        return dialog

    def _written(self, result: object) -> None:
        pool_id = result.id if isinstance(result, PoolDTO) else 0
        if isinstance(result, PoolDTO):
            self.message.show_info(self.tr("Saved the pool “{name}”.").format(name=result.name))
        if pool_id:
            self._select_after_load = pool_id
        self.ctx.signals.notify("pool", pool_id)

    def new_pool(self) -> PoolDialog:
        """Open the dialog for a new pool (returned so tests can fill it)."""
        return self._open(None)

    def edit_selected(self) -> PoolDialog | None:
        pool_id = self.selected_id()
        pool = next((p for p in self.pools if p.id == pool_id), None)
        return self._open(pool) if pool is not None else None
