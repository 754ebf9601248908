"""The branch and node editors of the approval flow designer (审批流设计器).

A branch (``BranchEditor``) is a name, a condition on the record's fields (the list filter's
condition rows, through the rule editor's ``ConditionEditor``; a contract's or opportunity's
"Product category" too, picked from the category tree: the same
``{"match", "groups": [Filter JSON]}``), a submitter test (users · departments · roles; empty
= anyone) and its ordered nodes (``NodeCard``: name, mode, approver). ``FlowChain`` draws a
branch's nodes as "Submit → node → … → End". Keys of a branch or node this editor does not
know are kept and saved back unchanged.

``DesignerData`` is what the editors offer (the entity's fields, users, departments, roles);
``load_designer_data`` reads it off the GUI thread. Everything else: GUI thread only.
"""
from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.errors import PermissionDenied
from crm_desktop.services.org import departments as departments_service
from crm_desktop.services.org import roles as roles_service
from crm_desktop.services.org import users as users_service
from crm_desktop.services.org.users import UserDTO
from crm_desktop.ui.admin.condition_editor import ConditionEditor
from crm_desktop.ui.admin.editor_parts import (
    CardColumn,
    card_buttons,
    choose_data,
    muted,
)
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.shared.filter_editor import (
    FilterFields,
    load_filter_fields,
    with_derived_fields,
)

ID_ROLE = Qt.ItemDataRole.UserRole
_CTX = "FlowDesigner"

MODE_LABELS = {
    "sequential": QT_TRANSLATE_NOOP("FlowDesigner", "One after another"),
    "countersign": QT_TRANSLATE_NOOP("FlowDesigner", "Countersign"),
    "orsign": QT_TRANSLATE_NOOP("FlowDesigner", "Or-sign"),
}
MODE_HELP = {
    "sequential": QT_TRANSLATE_NOOP("FlowDesigner", "The approvers decide one after another, in the order shown."),
    "countersign": QT_TRANSLATE_NOOP("FlowDesigner", "All approvers get the task at once; every one must approve."),
    "orsign": QT_TRANSLATE_NOOP("FlowDesigner", "All approvers get the task at once; the first decision counts."),
}
KIND_LABELS = {
    "users": QT_TRANSLATE_NOOP("FlowDesigner", "Chosen users"),
    "superior": QT_TRANSLATE_NOOP("FlowDesigner", "The submitter's superior"),
    "role": QT_TRANSLATE_NOOP("FlowDesigner", "Everyone with a role"),
    "submitter_picks": QT_TRANSLATE_NOOP("FlowDesigner", "Chosen by the submitter"),
}


def _t(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


@dataclass(frozen=True)
class DesignerData:
    """The entity's fields (with option lists) and the people, departments and roles to choose."""

    entity: str
    fields: FilterFields
    people: tuple[UserDTO, ...]
    departments: tuple[tuple[int, str], ...]
    roles: tuple[tuple[int, str], ...]
    #: What a branch condition may name: ``fields`` plus the derived ones (a contract's product
    #: category); None: just ``fields``. Form fields and the status field stay ``fields``.
    condition_fields: FilterFields | None = None

    @property
    def users(self) -> list[tuple[int, str]]:
        return [(u.id, u.name if u.enabled else _t(QT_TRANSLATE_NOOP("FlowDesigner", "{name} (disabled)")).format(name=u.name)) for u in self.people]

    def user_name(self, user_id: Any) -> str:
        return next((u.name for u in self.people if str(u.id) == str(user_id)), f"#{user_id}")

    def role_name(self, role_id: Any) -> str:
        return next((name for rid, name in self.roles if str(rid) == str(role_id)), f"#{role_id}")


def load_designer_data(ctx: AppContext, entity: str) -> DesignerData:
    """Read what the designer offers for ``entity``. Runs off the GUI thread."""
    db, actor = ctx.db, ctx.actor
    fields = load_filter_fields(ctx, entity)
    people = tuple(users_service.list_users(db, actor))
    depts = tuple((d.id, d.name) for d in departments_service.list_departments(db, actor))
    try:  # a settings administrator without user/role rights sees role ids only
        roles = tuple((r.id, r.name) for r in roles_service.list_roles(db, actor))
    except PermissionDenied:
        roles = ()
    return DesignerData(entity=entity, fields=fields, people=people, departments=depts, roles=roles,
                        condition_fields=with_derived_fields(ctx, fields))


# --- small parts ---------------------------------------------------------------------------

class CheckList(QListWidget):
    """A checkable list of (id, label). ``checked()`` keeps the order in which ids were ticked
    (a stored order first), because a sequential node asks its users in that order. Ids the
    list does not offer (a deleted role …) are shown as "#id" and kept."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, height: int = 96) -> None:
        super().__init__(parent)
        self.setFixedHeight(height)
        self._order: list[Any] = []
        self._filling = False
        self.itemChanged.connect(self._item_changed)

    def set_items(self, pairs: Sequence[tuple[Any, str]]) -> None:
        keep = list(self._order)
        self._filling = True
        self.clear()
        for value, label in pairs:
            self._add(value, label)
        self._filling = False
        self.set_checked(keep)

    def _add(self, value: Any, label: str) -> QListWidgetItem:
        item = QListWidgetItem(label)
        item.setData(ID_ROLE, value)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        self.addItem(item)
        return item

    def _find(self, value: Any) -> QListWidgetItem | None:
        return next((self.item(i) for i in range(self.count()) if str(self.item(i).data(ID_ROLE)) == str(value)), None)

    def set_checked(self, values: Sequence[Any]) -> None:
        self._filling = True
        self._order = []
        for i in range(self.count()):
            self.item(i).setCheckState(Qt.CheckState.Unchecked)
        for value in values:
            item = self._find(value) or self._add(value, f"#{value}")
            item.setCheckState(Qt.CheckState.Checked)
            self._order.append(item.data(ID_ROLE))
        self._filling = False
        self.changed.emit()

    def check(self, value: Any, on: bool = True) -> None:
        """Tick or untick ``value`` as a click would."""
        item = self._find(value)
        if item is not None:
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def checked(self) -> list[Any]:
        return list(self._order)

    def _item_changed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        value = item.data(ID_ROLE)
        on = item.checkState() == Qt.CheckState.Checked
        if on and value not in self._order:
            self._order.append(value)
        elif not on and value in self._order:
            self._order.remove(value)
        self.changed.emit()


class FlowChain(QScrollArea):
    """A branch's nodes drawn left to right: Submit → node → node → End."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFixedHeight(74)
        self._holder = QWidget()
        self._row = QHBoxLayout(self._holder)
        self._row.setContentsMargins(0, 4, 0, 4)
        self.setWidget(self._holder)
        self.texts: list[str] = []

    def set_nodes(self, nodes: Sequence[tuple[str, str]]) -> None:
        """``nodes``: (name, what it does) per node, in order."""
        while self._row.count():
            item = self._row.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        boxes = [(self.tr("Submit"), "", "#e6f4ea", "#8bc34a")]
        boxes += [(name, detail, "#e8f1fb", "#7aa7d9") for name, detail in nodes]
        boxes.append((self.tr("End"), "", "#eeeeee", "#aaaaaa"))
        self.texts = [b[0] for b in boxes]
        for number, (name, detail, fill, line) in enumerate(boxes):
            if number:
                arrow = QLabel("→")
                arrow.setStyleSheet("font-size: 18px; color: #777;")
                self._row.addWidget(arrow)
            text = f"<b>{html.escape(name)}</b>"
            if detail:
                text += f"<br><span style='color:#555'>{html.escape(detail)}</span>"
            box = QLabel(text)
            box.setTextFormat(Qt.TextFormat.RichText)
            box.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.setStyleSheet(f"QLabel {{ background: {fill}; border: 1px solid {line}; border-radius: 6px;"
                              " padding: 4px 10px; }")
            self._row.addWidget(box)
        self._row.addStretch(1)


# --- a node --------------------------------------------------------------------------------

class NodeCard(QFrame):
    """One node: name, mode (with what it means), approver kind and its parameter.

    Public for tests: ``name_edit``, ``mode_combo``, ``mode_help``, ``kind_combo``,
    ``users_list``, ``levels_box``, ``role_combo``, ``up_button``/``down_button``/``remove_button``.
    """

    changed = Signal()

    def __init__(self, data: DesignerData, node: Mapping[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._data = data
        self._original = dict(node)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: 600;")
        self.up_button, self.down_button, self.remove_button = card_buttons(
            self.tr("Earlier"), self.tr("Later"), self.tr("Remove"), arrows=("←", "→"))
        self.name_edit = QLineEdit(str(node.get("name") or ""))
        self.name_edit.setMaxLength(100)
        self.name_edit.setPlaceholderText(self.tr("e.g. Sales director's approval"))
        self.mode_combo = QComboBox()
        for mode, label in MODE_LABELS.items():
            self.mode_combo.addItem(_t(label), mode)
        self.mode_help = muted()
        self.kind_combo = QComboBox()
        for kind, label in KIND_LABELS.items():
            self.kind_combo.addItem(_t(label), kind)
        self.users_list = CheckList(height=84)
        self.users_list.set_items(data.users)
        self.order_label = muted()
        self.levels_box = QSpinBox()
        self.levels_box.setRange(1, 10)
        self.levels_box.setPrefix(self.tr("Levels up: "))
        self.levels_help = muted(self.tr("1 = the direct superior. Where the chain ends sooner, the highest "
                                          "superior found approves."))
        self.role_combo = QComboBox()
        for role_id, name in data.roles:
            self.role_combo.addItem(name, role_id)
        self.picks_label = muted(self.tr("The submitter chooses the approvers of this node when submitting."))
        self.param_stack = QStackedWidget()
        users_page = QWidget()
        users_box = QVBoxLayout(users_page)
        users_box.setContentsMargins(0, 0, 0, 0)
        users_box.addWidget(self.users_list)
        users_box.addWidget(self.order_label)
        levels_page = QWidget()
        levels_box = QVBoxLayout(levels_page)
        levels_box.setContentsMargins(0, 0, 0, 0)
        levels_box.addWidget(self.levels_box)
        levels_box.addWidget(self.levels_help)
        levels_box.addStretch(1)
        role_page = QWidget()
        role_box = QVBoxLayout(role_page)
        role_box.setContentsMargins(0, 0, 0, 0)
        role_box.addWidget(self.role_combo)
        role_box.addWidget(muted(self.tr("Everyone who has the role gets the task.")))
        role_box.addStretch(1)
        for page in (users_page, levels_page, role_page, self.picks_label):
            self.param_stack.addWidget(page)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.name_edit, 1)
        for button in (self.up_button, self.down_button, self.remove_button):
            top.addWidget(button)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        mode_cell = QWidget()
        mode_box = QHBoxLayout(mode_cell)
        mode_box.setContentsMargins(0, 0, 0, 0)
        mode_box.addWidget(self.mode_combo)
        mode_box.addWidget(self.mode_help, 1)
        form.addRow(self.tr("Mode:"), mode_cell)
        form.addRow(self.tr("Approvers:"), self.kind_combo)
        form.addRow("", self.param_stack)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.addLayout(top)
        layout.addLayout(form)

        self._set_node(node)
        self.name_edit.textChanged.connect(lambda *_: self.changed.emit())
        self.mode_combo.currentIndexChanged.connect(self._sync)
        self.kind_combo.currentIndexChanged.connect(self._sync)
        self.users_list.changed.connect(self._sync)
        self.levels_box.valueChanged.connect(lambda *_: self.changed.emit())
        self.role_combo.currentIndexChanged.connect(lambda *_: self.changed.emit())
        self._sync()

    def _set_node(self, node: Mapping[str, Any]) -> None:
        choose_data(self.mode_combo, str(node.get("mode") or "sequential"))
        approver = node.get("approver") or {}
        kind = str(approver.get("kind") or "users")
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(kind)))
        self.users_list.set_checked(list(approver.get("users") or []))
        self.levels_box.setValue(int(approver.get("levels") or 1))
        role_id = approver.get("role_id")
        if role_id is not None:  # a deleted role stays chosen, shown as "#id"
            choose_data(self.role_combo, role_id, text=f"#{role_id}")

    def set_number(self, number: int, count: int) -> None:
        self.title.setText(self.tr("Node {n}").format(n=number))
        self.up_button.setEnabled(number > 1)
        self.down_button.setEnabled(number < count)

    def mode(self) -> str:
        return str(self.mode_combo.currentData())

    def kind(self) -> str:
        return str(self.kind_combo.currentData())

    def _sync(self) -> None:
        mode = self.mode()
        self.mode_help.setText(_t(MODE_HELP[mode]) if mode in MODE_HELP else "")
        self.param_stack.setCurrentIndex(max(0, list(KIND_LABELS).index(self.kind()) if self.kind() in KIND_LABELS else 0))
        chosen = self.users_list.checked()
        self.order_label.setVisible(mode == "sequential" and len(chosen) > 1)
        self.order_label.setText(self.tr("Order: {names}").format(
            names=" → ".join(self._data.user_name(u) for u in chosen)))
        self.changed.emit()

    def approver(self) -> dict[str, Any]:
        kind = self.kind()
        if kind == "users":
            return {"kind": "users", "users": self.users_list.checked()}
        if kind == "superior":
            return {"kind": "superior", "levels": self.levels_box.value()}
        if kind == "role":
            return {"kind": "role", "role_id": self.role_combo.currentData()}
        return {"kind": kind}

    def node(self) -> dict[str, Any]:
        return {**self._original, "name": self.name_edit.text().strip(), "mode": self.mode(),
                "approver": self.approver()}

    def summary(self) -> str:
        """What the node does, for the chain: "Or-sign · 销售总监"."""
        mode = {"sequential": self.tr("In turn"), "countersign": self.tr("Countersign"),
                "orsign": self.tr("Or-sign")}.get(self.mode(), self.mode())
        kind = self.kind()
        if kind == "users":
            joiner = " → " if self.mode() == "sequential" else "、"
            who = joiner.join(self._data.user_name(u) for u in self.users_list.checked()) or self.tr("nobody yet")
        elif kind == "superior":
            who = self.tr("superior, {n} level(s) up").format(n=self.levels_box.value())
        elif kind == "role":
            who = self.tr("role {name}").format(name=self.role_combo.currentText() or "?")
        else:
            who = self.tr("chosen by the submitter")
        return f"{mode} · {who}"


# --- a branch ------------------------------------------------------------------------------

class BranchEditor(QWidget):
    """One branch: name, condition, submitter test and ordered nodes.

    Public for tests: ``name_edit``, ``conditions`` (ConditionEditor), ``submitter_users``,
    ``submitter_departments``, ``submitter_roles`` (CheckLists), ``nodes`` (NodeCards),
    ``add_node_button``, ``chain`` (FlowChain). ``changed`` fires on any edit.
    """

    changed = Signal()

    def __init__(self, data: DesignerData, branch: Mapping[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data = data
        self._original = dict(branch)
        self.name_edit = QLineEdit(str(branch.get("name") or ""))
        self.name_edit.setMaxLength(100)
        self.name_edit.setPlaceholderText(self.tr("e.g. Customers in Fujian"))
        self.name_edit.textChanged.connect(lambda *_: self.changed.emit())
        self._condition_box = QVBoxLayout()
        self._condition_box.setContentsMargins(0, 0, 0, 0)
        self.conditions = self._make_conditions(branch.get("condition") or {})
        submitters = branch.get("submitters") or {}
        self.submitter_users = CheckList(height=80)
        self.submitter_users.set_items(data.users)
        self.submitter_users.set_checked(list(submitters.get("users") or []))
        self.submitter_departments = CheckList(height=80)
        self.submitter_departments.set_items(data.departments)
        self.submitter_departments.set_checked(list(submitters.get("departments") or []))
        self.submitter_roles = CheckList(height=80)
        self.submitter_roles.set_items(data.roles)
        self.submitter_roles.set_checked(list(submitters.get("roles") or []))
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        for column, (title, widget) in enumerate(((self.tr("Users"), self.submitter_users),
                                                  (self.tr("Departments (and below)"), self.submitter_departments),
                                                  (self.tr("Roles"), self.submitter_roles))):
            grid.addWidget(QLabel(title), 0, column)
            grid.addWidget(widget, 1, column)

        self.chain = FlowChain()
        nodes_box = QVBoxLayout()
        nodes_box.setContentsMargins(0, 0, 0, 0)
        self._nodes: CardColumn[NodeCard] = CardColumn(nodes_box, after=self._refresh_chain)
        self.add_node_button = QPushButton(self.tr("Add node"))
        self.add_node_button.clicked.connect(lambda: self.add_node())
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_node_button)
        add_row.addStretch(1)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Branch name:"), self.name_edit)
        condition_cell = QWidget()
        condition_cell.setLayout(self._condition_box)
        form.addRow(self.tr("Taken when:"), condition_cell)
        submitter_cell = QWidget()
        submitter_layout = QVBoxLayout(submitter_cell)
        submitter_layout.setContentsMargins(0, 0, 0, 0)
        submitter_layout.addWidget(muted(self.tr("Only when the submitter is one of these users, in one of these "
                                                  "departments or has one of these roles. Nothing ticked: anyone.")))
        submitter_layout.addLayout(grid)
        form.addRow(self.tr("Submitted by:"), submitter_cell)
        form.addRow(self.tr("Nodes:"), self.chain)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(nodes_box)
        layout.addLayout(add_row)
        layout.addStretch(1)
        for node in branch.get("nodes") or ():
            self.add_node(node)
        self._refresh_chain()

    # -- the condition ---------------------------------------------------------------------

    def _make_conditions(self, condition: Mapping[str, Any]) -> ConditionEditor:
        editor = ConditionEditor(self._data.condition_fields or self._data.fields)
        editor.hint.setText(self.tr("No condition: every record can take this branch."))
        editor.set_condition(condition)
        self._condition_box.addWidget(editor)
        return editor

    def set_data(self, data: DesignerData) -> None:
        """Another entity's fields: the condition is rebuilt on them (conditions on fields the
        entity does not have are kept read-only, so the save names them)."""
        try:
            condition = self.conditions.condition()
        except ValueError:
            condition = dict(self._original.get("condition") or {})
        self._data = data
        old = self.conditions
        self._condition_box.removeWidget(old)
        old.setParent(None)
        old.deleteLater()
        self.conditions = self._make_conditions(condition)

    # -- nodes -------------------------------------------------------------------------------

    @property
    def nodes(self) -> list[NodeCard]:
        return self._nodes.items

    def add_node(self, node: Mapping[str, Any] | None = None) -> NodeCard:
        if node is None:
            node = {"name": self.tr("Approval {n}").format(n=len(self.nodes) + 1), "mode": "orsign",
                    "approver": {"kind": "users", "users": []}}
        card = NodeCard(self._data, node)
        card.changed.connect(self._refresh_chain)
        return self._nodes.add(card)

    def remove_node(self, card: NodeCard) -> None:
        self._nodes.remove(card)

    def move_node(self, card: NodeCard, step: int) -> None:
        self._nodes.move(card, step)

    def _refresh_chain(self) -> None:
        self.chain.set_nodes([(c.name_edit.text().strip() or c.title.text(), c.summary()) for c in self.nodes])
        self.changed.emit()

    # -- reading ---------------------------------------------------------------------------

    def name(self) -> str:
        return self.name_edit.text().strip()

    def branch(self) -> dict[str, Any]:
        """The branch JSON; raises ValueError (translated, naming the row) for a bad condition value."""
        result = {**self._original, "name": self.name(), "condition": self.conditions.condition(),
                  "nodes": [card.node() for card in self.nodes]}
        test = {"users": self.submitter_users.checked(), "departments": self.submitter_departments.checked(),
                "roles": self.submitter_roles.checked()}
        if any(test.values()):
            result["submitters"] = test
        else:
            result.pop("submitters", None)
        return result


__all__ = ["BranchEditor", "CheckList", "DesignerData", "FlowChain", "KIND_LABELS", "MODE_HELP", "MODE_LABELS",
           "NodeCard", "load_designer_data"]
