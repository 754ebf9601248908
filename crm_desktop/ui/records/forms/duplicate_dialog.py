"""The duplicate-claim (撞单) list shown by the record form before a lead or customer is saved.

The form asks ``services.duplicates.check_before_save`` first. In "warn" mode the user sees
the candidates and chooses "Save anyway" (accept) or "Back to the form" (reject); in "block"
mode (``DuplicateFound``) only "Back to the form" is offered. Either way the form keeps
everything typed. A candidate outside the actor's data scope carries only what the service
tells (name, owner, matched field): it has no id, so nothing here can open it.
Thread rule: GUI thread only; the dialog makes no service calls.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.org.permissions import ENTITY_LABELS
from crm_desktop.services.records.duplicates import (
    DuplicateCandidate,
    check_before_save,
)
from crm_desktop.ui.dirty import set_enter_button
from crm_desktop.ui.i18n import field_label, service_text

if TYPE_CHECKING:
    from crm_desktop.db import Database
    from crm_desktop.services.org.actor import Actor

#: Modules the duplicate check covers (services.duplicates compares leads and customers).
CHECKED_ENTITIES = frozenset({"customer", "lead"})
#: The input fields it compares; a form re-checks when one of them is new or changed.
CHECKED_FIELDS = ("name", "phone", "mobile", "email", "credit_code")

COLUMNS = ("name", "entity", "owner", "field", "how")


def checked_save(
    db: Database, actor: Actor, *, entity: str, values: Mapping[str, Any], exclude_id: int | None,
    save: Callable[[], Any],
) -> Callable[[], Any]:
    """The work of one background write: the duplicate check of ``values`` (the new record's, or
    an edit's changed ones), then ``save()`` when nothing matched. The work returns the
    candidates (warn mode) instead of saving; in block mode it raises DuplicateFound. Modules
    the check does not cover, and values with none of the checked fields filled, just save."""
    probe = {f: values[f] for f in CHECKED_FIELDS if str(values.get(f) or "").strip()}
    if entity not in CHECKED_ENTITIES or not probe:
        return save

    def work() -> Any:
        found = check_before_save(db, actor, entity=entity, values=probe, exclude_id=exclude_id)
        return found if found else save()

    return work


class DuplicateDialog(QDialog):
    """Lists ``candidates``; accepted = "Save anyway" (warn mode only), rejected = back to the form.

    ``labels`` maps field names to translated labels (the form's). Public for tests:
    ``table``, ``candidates``, ``blocked``, ``save_anyway_button`` (None when blocked),
    ``back_button``, ``cell(row, column)``.
    """

    def __init__(
        self,
        candidates: Sequence[DuplicateCandidate],
        *,
        blocked: bool,
        labels: Mapping[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.candidates = tuple(candidates)
        self.blocked = blocked
        labels = labels or {}
        label_of: Callable[[str], str] = lambda name: labels.get(name) or field_label(name)  # noqa: E731
        self.setWindowTitle(self.tr("Possible duplicate"))

        if blocked:
            text = self.tr(
                "This may already be in the CRM. Your company does not allow saving a possible "
                "duplicate, so nothing was saved. Your entries are still in the form: change them, "
                "or talk to the owner listed below."
            )
        else:
            text = self.tr(
                "This may already be in the CRM. Check the records below before you save; if it is "
                "really a different one, save anyway."
            )
        intro = QLabel(text)
        intro.setWordWrap(True)

        self.table = QTableWidget(len(self.candidates), len(COLUMNS))
        self.table.setHorizontalHeaderLabels([
            self.tr("Name"), self.tr("Module"), self.tr("Owner"), self.tr("Matched on"), self.tr("How"),
        ])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for row, candidate in enumerate(self.candidates):
            self._fill(row, candidate, label_of)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

        buttons = QDialogButtonBox()
        self.save_anyway_button: QPushButton | None = None
        if not blocked:
            self.save_anyway_button = buttons.addButton(self.tr("Save anyway"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.back_button: QPushButton = buttons.addButton(
            self.tr("Back to the form"), QDialogButtonBox.ButtonRole.RejectRole
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        set_enter_button(self.back_button)  # the safe choice is the one Enter takes, wherever the focus is
        self.resize(680, min(200 + 30 * len(self.candidates), 520))

    def _fill(self, row: int, c: DuplicateCandidate, label_of: Callable[[str], str]) -> None:
        entity = service_text("entities", ENTITY_LABELS[c.entity]) if c.entity in ENTITY_LABELS else c.entity
        entity = entity[:1].upper() + entity[1:]
        if c.owner_name:
            owner = c.owner_name
        elif c.in_pool:
            owner = self.tr("Public pool")
        else:
            owner = "—"
        how = self.tr("Same") if c.how == "exact" else self.tr("Similar name")
        name = c.name if c.visible else self.tr("{name} (not in your data scope)").format(name=c.name)
        cells = (name, entity, owner, ", ".join(label_of(f) for f in c.fields) or label_of(c.field), how)
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if column == 0 and not c.visible:
                item.setToolTip(self.tr("Someone else's record: ask its owner or your manager."))
            item.setData(Qt.ItemDataRole.UserRole, c.record_id)
            self.table.setItem(row, column, item)

    @classmethod
    def open_for(
        cls, parent: QWidget, candidates: Sequence[DuplicateCandidate], *, blocked: bool,
        labels: Mapping[str, str], on_save_anyway: Callable[[], None], on_back: Callable[[], None],
    ) -> DuplicateDialog:
        """Build, wire and ``.open()`` the dialog (non-modal, deleted on close)."""
        dialog = cls(candidates, blocked=blocked, labels=labels, parent=parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(on_save_anyway)
        dialog.rejected.connect(on_back)
        dialog.open()
        return dialog

    def cell(self, row: int, column: str) -> str:
        item = self.table.item(row, COLUMNS.index(column))
        return item.text() if item is not None else ""
