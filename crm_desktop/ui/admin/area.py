"""The administration area: departments, users and roles behind one navigation list.

A page exists only when the actor may view its module (the services check again on every
call). Pages load their data in the background as soon as they are created and refresh
themselves from ``ctx.signals.changed``. GUI thread only.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QWidget,
)

from crm_desktop.ui.admin.departments import DepartmentsPage
from crm_desktop.ui.admin.roles import RolesPage
from crm_desktop.ui.admin.users import UsersPage
from crm_desktop.ui.context import AppContext

KEY_ROLE = Qt.ItemDataRole.UserRole
PAGE_KEYS = ("department", "user", "role")


class AdminArea(QWidget):
    """Navigation on the left, the chosen page on the right.

    ``departments_page`` / ``users_page`` / ``roles_page`` are None when the actor may not
    view that module; ``show_page("department" | "user" | "role")`` switches pages.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.nav = QListWidget()
        self.nav.setFixedWidth(170)
        self.nav.setSpacing(2)
        self.nav.setStyleSheet("QListWidget { font-size: 14px; } QListWidget::item { padding: 6px 8px; }")
        self.stack = QStackedWidget()
        self._pages: dict[str, QWidget] = {}

        can = ctx.actor.can
        self.departments_page: DepartmentsPage | None = DepartmentsPage(ctx) if can("department", "view") else None
        self.users_page: UsersPage | None = UsersPage(ctx) if can("user", "view") else None
        self.roles_page: RolesPage | None = RolesPage(ctx) if can("role", "view") else None
        titles = {"department": self.tr("Departments"), "user": self.tr("Users"), "role": self.tr("Roles")}
        pages: dict[str, QWidget | None] = {
            "department": self.departments_page, "user": self.users_page, "role": self.roles_page,
        }
        for key in PAGE_KEYS:
            page = pages[key]
            if page is None:
                continue
            item = QListWidgetItem(titles[key])
            item.setData(KEY_ROLE, key)
            self.nav.addItem(item)
            self.stack.addWidget(page)
            self._pages[key] = page
        if not self._pages:
            empty = QLabel(self.tr("Your roles do not include any administration permission."))
            empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.stack.addWidget(empty)
            self.nav.hide()

        self.nav.currentRowChanged.connect(self._row_changed)
        layout = QHBoxLayout(self)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        if self._pages:
            self.nav.setCurrentRow(0)

    def page_keys(self) -> list[str]:
        """Keys of the pages this actor can open, in navigation order."""
        return list(self._pages)

    def show_page(self, key: str) -> QWidget:
        """Switch to the page ``key``; KeyError when the actor cannot view it."""
        if key not in self._pages:
            raise KeyError(key)
        self.nav.setCurrentRow(list(self._pages).index(key))
        return self._pages[key]

    def current_key(self) -> str | None:
        item = self.nav.currentItem()
        return str(item.data(KEY_ROLE)) if item is not None else None

    def _row_changed(self, row: int) -> None:
        if row >= 0:
            self.stack.setCurrentWidget(self._pages[list(self._pages)[row]])
