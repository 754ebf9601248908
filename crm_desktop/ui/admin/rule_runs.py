"""Trying a rule on a record, and the run log of the automation rules.

``TryRuleDialog``: find a record (global search for customers, leads and contacts, or its
number), then ``automation.try_rule`` runs the rule on it in a transaction that is always
rolled back, and the dialog shows whether it fired, what would change (field, old → new),
which messages would go to whom, which records would be created, which rules were skipped
and any error. Nothing is saved. ``RunLogDialog``: the newest runs, local time.
Thread rule: GUI thread only; service calls run through ``ui.ops.op``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from crm_desktop.services.errors import ServiceError
from crm_desktop.services.org import users as users_service
from crm_desktop.services.records import schema as schema_service
from crm_desktop.services.records import search
from crm_desktop.services.workflow import automation
from crm_desktop.services.workflow.automation import RuleDTO, RunDTO, TrialDTO
from crm_desktop.ui.admin.custom_fields import entity_label
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.forms import MessageBar
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.shared.filter_editor import field_text

ID_ROLE = Qt.ItemDataRole.UserRole


def local_time(at: dt.datetime) -> str:
    """Stored times are UTC; a naive one (SQLite) is read as UTC too."""
    aware = at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)
    return aware.astimezone().strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class TrialReport:
    """A trial and the names to show it with: (entity, field) → label, user id → name."""

    trial: TrialDTO
    labels: dict[tuple[str, str], str]
    people: dict[int, str]


def _try(ctx: AppContext, rule: RuleDTO, record_id: int) -> TrialReport:
    """Runs off the GUI thread."""
    db, actor = ctx.db, ctx.actor
    trial = automation.try_rule(db, actor, rule.id, record_id)
    labels: dict[tuple[str, str], str] = {}
    for entity in {c[0] for c in trial.changes}:
        try:
            for spec in schema_service.get_schema(db, actor, entity).fields:
                labels[(entity, spec.name)] = field_text(spec)
        except ServiceError:
            continue  # names stay as they are stored
    people = {u.id: u.name for u in users_service.list_users(db, actor)}
    return TrialReport(trial=trial, labels=labels, people=people)


class TryRuleDialog(QDialog):
    """Try ``rule`` on a record of its entity. Public for tests: ``search_edit``,
    ``results``, ``id_box``, ``try_button``, ``outcome_label``, ``report`` (a tree),
    ``last`` (the TrialReport shown)."""

    def __init__(self, ctx: AppContext, rule: RuleDTO, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.rule = ctx, rule
        self.last: TrialReport | None = None
        self.setWindowTitle(self.tr("Try “{name}”").format(name=rule.name))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        intro = QLabel(self.tr("The rule runs on the record as if its event had happened; nothing is saved, "
                               "sent or logged."))
        intro.setWordWrap(True)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(self.tr("Search {entity} by name, phone or e-mail").format(
            entity=entity_label(rule.entity)))
        self.search_button = QPushButton(self.tr("Search"))
        self.results = QListWidget()
        self.results.setFixedHeight(110)
        self.id_box = QSpinBox()
        self.id_box.setRange(1, 2_000_000_000)
        self.try_button = QPushButton(self.tr("Try"))
        self.try_button.setDefault(True)
        searchable = rule.entity in search.ENTITIES
        for widget in (self.search_edit, self.search_button, self.results):
            widget.setVisible(searchable)
        self.search_edit.returnPressed.connect(self.run_search)
        self.search_button.clicked.connect(self.run_search)
        self.results.currentItemChanged.connect(self._result_chosen)
        self.results.itemDoubleClicked.connect(lambda *_: self.run_trial())
        self.try_button.clicked.connect(self.run_trial)
        self.message = MessageBar()
        self.outcome_label = QLabel()
        self.outcome_label.setWordWrap(True)
        self.outcome_label.setStyleSheet("font-weight: 600;")
        self.report = QTreeWidget()
        self.report.setColumnCount(3)
        self.report.setHeaderLabels([self.tr("What"), self.tr("Before"), self.tr("After")])
        self.report.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        find = QHBoxLayout()
        find.addWidget(self.search_edit, 1)
        find.addWidget(self.search_button)
        pick = QHBoxLayout()
        pick.addWidget(QLabel(self.tr("Record number:")))
        pick.addWidget(self.id_box)
        pick.addWidget(self.try_button)
        pick.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(find)
        layout.addWidget(self.results)
        layout.addLayout(pick)
        layout.addWidget(self.message)
        layout.addWidget(self.outcome_label)
        layout.addWidget(self.report, 1)
        layout.addWidget(buttons)
        self.resize(720, 620)

    def run_search(self) -> None:
        text, entity, ctx = self.search_edit.text(), self.rule.entity, self.ctx
        self.message.clear()

        def found(result: search.SearchResult) -> None:
            if not isValid(self):
                return
            self.results.clear()
            for hit in result.hits.get(entity, ()):
                extra = " · ".join(v for v in (hit.owner_name, hit.mobile or hit.phone) if v)
                item = QListWidgetItem(f"{hit.name}  (#{hit.id})" + (f"  {extra}" if extra else ""))
                item.setData(ID_ROLE, hit.id)
                self.results.addItem(item)
            if self.results.count():
                self.results.setCurrentRow(0)
            else:
                self.message.show_info(self.tr("Nothing found."))

        op(self, lambda: search.search(ctx.db, ctx.actor, text)).success(found).failure(
            self.message.show_exception).run()

    def _result_chosen(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.id_box.setValue(int(item.data(ID_ROLE)))

    def run_trial(self) -> None:
        ctx, rule, record_id = self.ctx, self.rule, self.id_box.value()
        self.message.clear()
        self.try_button.setEnabled(False)

        def done(report: TrialReport) -> None:
            if isValid(self):
                self.try_button.setEnabled(True)
                self.show_report(report)

        def failed(exc: BaseException) -> None:
            if isValid(self):
                self.try_button.setEnabled(True)
                self.message.show_exception(exc)

        op(self, lambda: _try(ctx, rule, record_id)).success(done).failure(failed).run()

    def show_report(self, report: TrialReport) -> None:
        self.last = report
        trial, tree = report.trial, self.report
        tree.clear()
        if trial.error:
            self.outcome_label.setText(self.tr("The rule would fail, and the save with it: {error}").format(
                error=trial.error))
            self.outcome_label.setStyleSheet("font-weight: 600; color: #c62828;")
        elif trial.matched:
            self.outcome_label.setText(self.tr("The condition holds: the rule would run."))
            self.outcome_label.setStyleSheet("font-weight: 600; color: #2e7d32;")
        else:
            self.outcome_label.setText(self.tr("The condition does not hold: nothing would happen."))
            self.outcome_label.setStyleSheet("font-weight: 600; color: #555;")

        def section(title: str, rows: list[tuple[str, str, str]]) -> None:
            if not rows:
                return
            top = QTreeWidgetItem([f"{title} ({len(rows)})"])
            for cells in rows:
                top.addChild(QTreeWidgetItem(list(cells)))
            tree.addTopLevelItem(top)
            top.setExpanded(True)

        people = report.people
        section(self.tr("Changes"), [(self._field(report, entity, record_id, name), _text(old, name, people),
                                      _text(new, name, people))
                                     for entity, record_id, name, old, new in trial.changes])
        section(self.tr("Messages"), [(people.get(uid, f"#{uid}"), title, body) for uid, title, body in trial.messages])
        section(self.tr("Records created"), [(f"{entity_label(entity)} #{rid}", "", "") for entity, rid in trial.created])
        section(self.tr("Rules that ran"), [(name, f"{entity_label(entity)} #{rid}", "") for name, entity, rid in trial.fired])
        section(self.tr("Rules skipped"), [(name, reason, "") for name, reason in trial.skipped])

    def _field(self, report: TrialReport, entity: str, record_id: int, name: str) -> str:
        if name.startswith("team:"):
            uid = int(name.removeprefix("team:"))
            label = self.tr("Team: {user}").format(user=report.people.get(uid, f"#{uid}"))
        else:
            label = report.labels.get((entity, name), name)
        if entity == self.rule.entity and record_id == self.id_box.value():
            return label
        return f"{entity_label(entity)} #{record_id} · {label}"

    def sections(self) -> dict[str, list[list[str]]]:
        """What the report shows (tests): section title → rows of cell texts."""
        result: dict[str, list[list[str]]] = {}
        for i in range(self.report.topLevelItemCount()):
            top = self.report.topLevelItem(i)
            result[top.text(0).rsplit(" (", 1)[0]] = [
                [top.child(j).text(c) for c in range(3)] for j in range(top.childCount())]
        return result


def _text(value: Any, name: str, people: dict[int, str]) -> str:
    if value is None or value == "":
        return "—"
    if name == "owner_id" and isinstance(value, int):
        return people.get(value, f"#{value}")
    if name.startswith("team:"):
        return {"read": "R", "write": "RW"}.get(str(value), str(value))
    return str(value)


class RunLogDialog(QDialog):
    """The newest runs of every rule (or one rule). Public for tests: ``table``, ``runs``."""

    LIMIT = 200

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, rule: RuleDTO | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.rule = ctx, rule
        self.runs: list[RunDTO] = []
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("Run log: {name}").format(name=rule.name) if rule else self.tr("Run log"))
        self.message = MessageBar()
        headers = [self.tr("Time"), self.tr("Rule"), self.tr("Records"), self.tr("Record"), self.tr("Outcome"),
                   self.tr("Details")]
        self.table = QTableWidget(0, len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.reload)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.refresh_button, QDialogButtonBox.ButtonRole.ActionRole)
        note = QLabel(self.tr("The newest {n} runs, newest first.").format(n=self.LIMIT))
        note.setStyleSheet("color: #666;")
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(980, 560)
        self.reload()

    def reload(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor
        rule_id = self.rule.id if self.rule else None
        op(self, lambda: automation.list_runs(db, actor, rule_id=rule_id, limit=self.LIMIT)).success(
            self._loaded).failure(self.message.show_exception).run()

    def _loaded(self, runs: list[RunDTO]) -> None:
        if not isValid(self):
            return
        self.runs = runs
        outcomes = {"ok": (self.tr("OK"), "#2e7d32"), "failed": (self.tr("Failed"), "#c62828"),
                    "skipped": (self.tr("Skipped"), "#8a6d00")}
        self.table.setRowCount(len(runs))
        for row, run in enumerate(runs):
            text, colour = outcomes.get(run.outcome, (run.outcome, "#333"))
            cells = [local_time(run.at), run.rule_name, entity_label(run.entity), f"#{run.record_id}", text,
                     run.message]
            for col, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if col == 4:
                    item.setForeground(QColor(colour))
                if col == 5:
                    item.setToolTip(value)
                self.table.setItem(row, col, item)


__all__ = ["RunLogDialog", "TryRuleDialog", "local_time"]
