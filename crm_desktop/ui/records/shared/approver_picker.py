"""Choosing the approver when submitting (seed 004: a new contract must choose its approver, and
so must a new payment).

``submit_choosing_approvers`` asks the service which nodes of the flow that applies want the
submitter to choose their approvers (``approvals.approvers_to_choose``); none: it submits at
once, as before; some: ``ChooseApproversDialog`` asks for them among the enabled users (one for
a sequential node, several for countersign and or-sign) and submits with them. The service
checks the choice again (a flow edited meanwhile, a user disabled meanwhile): what it refuses
is shown in the dialog, which stays open.
Thread rule: GUI thread only; every service call runs through ``ui.ops.op``.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.org import users
from crm_desktop.services.org.users import UserDTO
from crm_desktop.services.workflow import approvals
from crm_desktop.services.workflow.approvals import PickNode
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import FormDialog
from crm_desktop.ui.ops import op

#: The submit call for a choice: {node index: [user ids]}, or None when no node asks.
CallFor = Callable[[dict[int, list[int]] | None], Callable[[], object]]


def person_text(person: UserDTO) -> str:
    return f"{person.name} · {person.department_name}" if person.department_name else person.name


class ChooseApproversDialog(FormDialog):
    """One picker per node whose approver the submitter chooses; OK ("Submit") submits with them.

    Public for tests: ``pickers`` (node index → QComboBox for one approver, QListWidget with
    check boxes for several), ``filters`` (each list's search box), ``choose(index, user_ids)``,
    ``picks()``, ``saved`` (the submit's result).
    """

    def __init__(self, nodes: Sequence[PickNode], people: Sequence[UserDTO], call_for: CallFor,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, title=self.tr("Choose the approver"))
        self._call_for = call_for
        self.nodes = list(nodes)
        intro = QLabel(self.tr("This approval flow asks you to choose who approves it."))
        intro.setWordWrap(True)
        self.form.addRow(intro)
        self.pickers: dict[int, QComboBox | QListWidget] = {}
        #: The search box above each list of several approvers.
        self.filters: dict[QListWidget, QLineEdit] = {}
        enabled = [p for p in people if p.enabled]
        for n, node in enumerate(self.nodes):
            picker: QComboBox | QListWidget
            cell: QWidget
            if node.several:
                picker = QListWidget()
                for person in enabled:
                    item = QListWidgetItem(person_text(person))
                    item.setData(Qt.ItemDataRole.UserRole, person.id)
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(Qt.CheckState.Unchecked)
                    picker.addItem(item)
                picker.setFixedHeight(140)
                picker.setToolTip(self.tr("Tick each person who approves this step."))
                cell = self._with_filter(picker)
            else:
                picker = QComboBox()
                picker.setPlaceholderText(self.tr("Choose…"))
                for person in enabled:
                    picker.addItem(person_text(person), person.id)
                picker.setCurrentIndex(-1)
                cell = picker
            self.pickers[node.index] = picker
            # The service names its refusal "approver_ids": shown beside the first picker.
            self.add_row(f"node{node.index}", node.name or self.tr("Approver"), cell,
                         aliases=("approver_ids",) if n == 0 else ())
            if node.several:
                hint = QLabel(self.tr("All of them must approve.") if node.mode == "countersign"
                              else self.tr("The first of them to decide counts."))
                hint.setWordWrap(True)
                hint.setStyleSheet("color: #666;")
                self.form.addRow("", hint)
        self._name_ok_button()
        self.setMinimumWidth(440)

    def _name_ok_button(self) -> None:
        self.buttons.button(self.buttons.StandardButton.Ok).setText(self.tr("Submit"))

    def changeEvent(self, event: QEvent) -> None:  # a Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            # The button box names its standard buttons again on its own language change, after
            # this one: "OK" would come back where the dialog says what OK does.
            QTimer.singleShot(0, self, self._name_ok_button)

    def _with_filter(self, picker: QListWidget) -> QWidget:
        """The list under a search box that hides the people whose name does not match (a
        company has more people than a list shows at once); ticks survive the filter."""
        search = QLineEdit()
        search.setPlaceholderText(self.tr("Filter by name or department"))
        search.setClearButtonEnabled(True)
        self.filters[picker] = search

        def narrow(text: str) -> None:
            wanted = text.strip().casefold()
            for row in range(picker.count()):
                item = picker.item(row)
                item.setHidden(bool(wanted) and wanted not in item.text().casefold())

        search.textChanged.connect(narrow)
        cell = QWidget()
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        box.addWidget(search)
        box.addWidget(picker)
        return cell

    def choose(self, index: int, user_ids: Sequence[int]) -> None:
        """Choose ``user_ids`` for node ``index`` (as a user would)."""
        picker = self.pickers[index]
        if isinstance(picker, QComboBox):
            picker.setCurrentIndex(picker.findData(user_ids[0]) if user_ids else -1)
            return
        for row in range(picker.count()):
            item = picker.item(row)
            wanted = item.data(Qt.ItemDataRole.UserRole) in user_ids
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)

    def picks(self) -> dict[int, list[int]]:
        """The chosen approvers per node index (empty lists for nodes with nobody chosen)."""
        chosen: dict[int, list[int]] = {}
        for index, picker in self.pickers.items():
            if isinstance(picker, QComboBox):
                data = picker.currentData()
                chosen[index] = [int(data)] if data is not None else []
            else:
                chosen[index] = [int(picker.item(r).data(Qt.ItemDataRole.UserRole)) for r in range(picker.count())
                                 if picker.item(r).checkState() == Qt.CheckState.Checked]
        return chosen

    def build_call(self) -> Callable[[], object] | None:
        chosen = self.picks()
        missing = [i for i, ids in chosen.items() if not ids]
        for index in missing:
            self.errors.set_field_error(f"node{index}", self.tr("Choose who approves this step."))
        if missing:
            return None
        return self._call_for(chosen)


def approver_candidates(ctx: AppContext) -> list[UserDTO]:
    """Whom a submitter may choose: the enabled users but themselves (nobody approves their own
    submission; the service refuses it too). Any thread: reads through the services."""
    return [p for p in users.list_users(ctx.db, ctx.actor, include_disabled=False) if p.id != ctx.actor.user_id]


def submit_choosing_approvers(
    parent: QWidget, ctx: AppContext, entity: str, record_id: int, call_for: CallFor, *,
    done: Callable[[object], None], failed: Callable[[BaseException], None],
    opened: Callable[[ChooseApproversDialog], None] | None = None, flow_id: int | None = None,
) -> None:
    """Submit the record, asking first for the approvers its flow wants the submitter to choose
    (see the module docstring). ``done`` gets the submit's result; ``opened`` the dialog, if one
    opens (tests keep it)."""
    db, actor = ctx.db, ctx.actor

    def ask() -> tuple[list[PickNode], list[UserDTO]]:
        nodes = approvals.approvers_to_choose(db, actor, entity, record_id, flow_id=flow_id)
        return nodes, (approver_candidates(ctx) if nodes else [])

    def answered(found: tuple[list[PickNode], list[UserDTO]]) -> None:
        nodes, people = found
        if not isValid(parent):
            return
        if not nodes:
            op(parent, call_for(None), write=True).success(done).failure(failed).run()
            return
        dialog = ChooseApproversDialog(nodes, people, call_for, parent=parent)
        dialog.saved.connect(done)
        if opened is not None:
            opened(dialog)
        dialog.open()

    op(parent, ask).success(answered).failure(failed).run()


__all__ = ["CallFor", "ChooseApproversDialog", "approver_candidates", "submit_choosing_approvers"]
