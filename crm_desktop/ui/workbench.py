"""The workbench (工作台): the home page a user sees after logging in.

A greeting, then the dashboard (仪表盘, ``ui.dashboard.page``: brief, targets, funnel, trend,
rankings, forgotten customers for whoever the filter bar names, within the user's scope),
then the company, the user's department and roles, and how many customers they can see
(through the one data-scope function, via ``customers.count``), with shortcuts to the
modules. It reloads itself when ``ctx.signals.changed`` reports customers, people or the
organisation changed; bursts of changes (an import) cause one reload.

Thread rule: GUI thread only; the data is read through ``ops.op``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QDate, QLocale, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import PermissionDenied
from crm_desktop.services.org import auth, departments, users
from crm_desktop.services.org.actor import Actor
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.dashboard.page import DashboardPage
from crm_desktop.ui.forms import MessageBar
from crm_desktop.ui.i18n import current_language
from crm_desktop.ui.ops import op

#: Entities whose change can alter what the workbench shows ("*" = everything).
WATCHED = frozenset({"*", "customer", "user", "role", "department"})
RELOAD_DELAY_MS = 250


@dataclass(frozen=True)
class WorkbenchData:
    company: str
    department: str
    position: str
    roles: tuple[str, ...]
    #: None when the user may not view customers at all.
    customer_count: int | None


def load_workbench(db: Database, actor: Actor) -> WorkbenchData:
    """Read everything the page shows (worker thread)."""
    company = auth.company_name(db)
    try:
        me = users.get_user(db, actor, actor.user_id)
        department, position, roles = me.department_name, me.position, me.role_names
    except PermissionDenied:  # reading user records may be restricted; the org tree is not
        names = {d.id: d.name for d in departments.list_departments(db, actor)}
        department, position, roles = names.get(actor.department_id, ""), "", actor.role_names
    count = None
    if actor.can("customer", "view"):
        count = customers.count(db, actor)
    return WorkbenchData(company, department, position, tuple(roles), count)


def _card(title: str) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("card")
    frame.setStyleSheet(
        "QFrame#card { background: palette(base); border: 1px solid palette(mid); border-radius: 8px; }"
    )
    box = QVBoxLayout(frame)
    box.setContentsMargins(18, 14, 18, 16)
    box.setSpacing(8)
    heading = QLabel(title)
    heading.setStyleSheet("font-size: 15px; font-weight: 600;")
    box.addWidget(heading)
    return frame, box


class Workbench(QWidget):
    """The home page. ``open_module("customer" | "admin")`` asks the main window to switch tabs."""

    open_module = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data: WorkbenchData | None = None
        self._generation = 0
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_DELAY_MS)
        self._reload_timer.timeout.connect(self.reload)
        self._build()
        ctx.signals.changed.connect(self._on_changed)
        self.reload()

    def _build(self) -> None:
        actor = self.ctx.actor
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(18)

        self.greeting = QLabel(self._greeting_text())
        self.greeting.setStyleSheet("font-size: 24px; font-weight: 600;")
        layout.addWidget(self.greeting)
        locale = QLocale(current_language())
        today = locale.toString(QDate.currentDate(), QLocale.FormatType.LongFormat)
        self.subtitle = QLabel(today)
        self.subtitle.setStyleSheet("color: palette(placeholder-text); font-size: 14px;")
        layout.addWidget(self.subtitle)
        self.message = MessageBar()
        layout.addWidget(self.message)
        self.dashboard = DashboardPage(self.ctx)
        layout.addWidget(self.dashboard)

        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(18)
        layout.addLayout(grid)

        card, box = _card(self.tr("Customers"))
        self.customer_count = QLabel("…")
        self.customer_count.setStyleSheet("font-size: 36px; font-weight: 600; color: #1e5fa8;")
        box.addWidget(self.customer_count)
        self.customer_hint = QLabel(self.tr("Customers you can see"))
        self.customer_hint.setWordWrap(True)
        box.addWidget(self.customer_hint)
        box.addStretch(1)
        self.open_customers = QPushButton(self.tr("Open customers"))
        self.open_customers.clicked.connect(self._open_customers)
        self.open_customers.setVisible(actor.can("customer", "view"))
        box.addWidget(self.open_customers, 0, Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(card, 0, 0)

        card, box = _card(self.tr("Your account"))
        form = QGridLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(6)
        self.company_value = QLabel("…")
        self.department_value = QLabel("…")
        self.position_value = QLabel("…")
        self.roles_value = QLabel("…")
        self.mobile_value = QLabel(actor.mobile)
        rows = (
            (self.tr("Company"), self.company_value), (self.tr("Department"), self.department_value),
            (self.tr("Position"), self.position_value), (self.tr("Roles"), self.roles_value),
            (self.tr("Mobile"), self.mobile_value),
        )
        for row, (caption, value) in enumerate(rows):
            label = QLabel(caption)
            label.setStyleSheet("color: palette(placeholder-text);")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            form.addWidget(value, row, 1, Qt.AlignmentFlag.AlignTop)
        form.setColumnStretch(1, 1)
        box.addLayout(form)
        box.addStretch(1)
        grid.addWidget(card, 0, 1)

        can_admin = any(actor.can(m, "view") for m in ("user", "role", "department"))
        if can_admin:
            card, box = _card(self.tr("Organisation"))
            text = QLabel(
                self.tr(
                    "Set up departments, roles and colleagues under Administration. Each role decides "
                    "what its users may do and whose records they see."
                )
            )
            text.setWordWrap(True)
            box.addWidget(text)
            box.addStretch(1)
            button = QPushButton(self.tr("Open administration"))
            button.clicked.connect(self._open_admin)
            box.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
            grid.addWidget(card, 0, 2)
        columns = 3 if can_admin else 2
        for column in range(columns):
            grid.setColumnStretch(column, 1)

        layout.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    # Bound methods rather than lambdas holding ``self`` (a lambda on a child's signal keeps
    # the page alive through its own child, which crashes PySide at exit).
    def _open_customers(self, *_args: object) -> None:
        self.open_module.emit("customer")

    def _open_admin(self) -> None:
        self.open_module.emit("admin")

    def _greeting_text(self, now: dt.datetime | None = None) -> str:
        hour = (now or dt.datetime.now()).hour
        name = self.ctx.actor.name
        if hour < 12:
            return self.tr("Good morning, {name}").format(name=name)
        if hour < 18:
            return self.tr("Good afternoon, {name}").format(name=name)
        return self.tr("Good evening, {name}").format(name=name)

    # --- data ---------------------------------------------------------------------------

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if entity in WATCHED:
            self._reload_timer.start()

    def reload(self) -> None:
        """Read the figures again in the background; an older answer never wins."""
        self._reload_timer.stop()
        self._generation += 1
        generation = self._generation
        db, actor = self.ctx.db, self.ctx.actor
        op(self, lambda: load_workbench(db, actor)).success(
            partial(self._show, generation)
        ).failure(partial(self._failed, generation)).run()

    def _current(self, generation: int) -> bool:
        return generation == self._generation  # an older read never wins

    def _show(self, generation: int, data: WorkbenchData) -> None:
        if not self._current(generation):
            return
        self.data = data
        self.message.clear()
        self.greeting.setText(self._greeting_text())
        self.company_value.setText(data.company or "—")
        self.department_value.setText(data.department or "—")
        self.position_value.setText(data.position or "—")
        self.roles_value.setText("、".join(data.roles) if current_language() == "zh_CN" else ", ".join(data.roles))
        if not data.roles:
            self.roles_value.setText(self.tr("No role yet"))
        if data.customer_count is None:
            self.customer_count.setText("—")
            self.customer_hint.setText(self.tr("Your roles do not include viewing customers."))
        else:
            locale = QLocale(current_language())
            self.customer_count.setText(locale.toString(data.customer_count))
            self.customer_hint.setText(self.tr("Customers you can see"))

    def _failed(self, generation: int, exc: BaseException) -> None:
        if self._current(generation):
            self.message.show_exception(exc)
