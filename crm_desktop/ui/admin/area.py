"""The administration area: departments, users, roles, field permissions, public pools,
custom fields, dictionaries, record settings, automation rules, approval flows and opportunity stage groups
behind one navigation list.

A page exists only when the actor may use it (the services check again on every call):
the organisation pages need their module's "view"; field permissions are part of a role and
need role/view (saving needs role/edit); public pools need pool/manage; custom fields, dictionaries, record settings,
automation rules, approval flows, stage groups, execution stages and number rules need setting/manage; sales targets need target/view (editing them target/set). Pages load their data in the background as soon as they are created and refresh
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

from crm_desktop.ui.admin.approval_flows import ApprovalFlowsPage
from crm_desktop.ui.admin.automation_rules import AutomationRulesPage
from crm_desktop.ui.admin.custom_fields import CustomFieldsPage
from crm_desktop.ui.admin.departments import DepartmentsPage
from crm_desktop.ui.admin.dictionaries import DictionariesPage
from crm_desktop.ui.admin.execution_stages import ExecutionStagesPage
from crm_desktop.ui.admin.field_permissions import FieldPermissionsPage
from crm_desktop.ui.admin.number_rules import NumberRulesPage
from crm_desktop.ui.admin.pools import PoolsPage
from crm_desktop.ui.admin.print_templates import PrintTemplatesPage
from crm_desktop.ui.admin.record_settings import RecordSettingsPage
from crm_desktop.ui.admin.roles import RolesPage
from crm_desktop.ui.admin.stage_groups import StageGroupsPage
from crm_desktop.ui.admin.targets import TargetsPage
from crm_desktop.ui.admin.users import UsersPage
from crm_desktop.ui.context import AppContext

KEY_ROLE = Qt.ItemDataRole.UserRole
PAGE_KEYS = (
    "department", "user", "role", "field_permission", "pool", "custom_field", "dictionary", "record_setting",
    "automation", "approval_flow", "stage_group", "execution_stage", "number_rule", "print_template", "target",
)


class AdminArea(QWidget):
    """Navigation on the left, the chosen page on the right.

    Each ``*_page`` attribute is None when the actor may not use that page;
    ``show_page(key)`` switches pages (keys: ``PAGE_KEYS``).
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
        self.field_permissions_page: FieldPermissionsPage | None = (
            FieldPermissionsPage(ctx) if can("role", "view") else None)
        self.pools_page: PoolsPage | None = PoolsPage(ctx) if can("pool", "manage") else None
        settings = can("setting", "manage")
        self.custom_fields_page: CustomFieldsPage | None = CustomFieldsPage(ctx) if settings else None
        self.dictionaries_page: DictionariesPage | None = DictionariesPage(ctx) if settings else None
        self.record_settings_page: RecordSettingsPage | None = RecordSettingsPage(ctx) if settings else None
        self.automation_page: AutomationRulesPage | None = AutomationRulesPage(ctx) if settings else None
        self.approval_flows_page: ApprovalFlowsPage | None = ApprovalFlowsPage(ctx) if settings else None
        self.stage_groups_page: StageGroupsPage | None = StageGroupsPage(ctx) if settings else None
        self.execution_stages_page: ExecutionStagesPage | None = ExecutionStagesPage(ctx) if settings else None
        self.number_rules_page: NumberRulesPage | None = NumberRulesPage(ctx) if settings else None
        self.print_templates_page: PrintTemplatesPage | None = PrintTemplatesPage(ctx) if settings else None
        self.targets_page: TargetsPage | None = TargetsPage(ctx) if can("target", "view") else None
        titles = {"department": self.tr("Departments"), "user": self.tr("Users"), "role": self.tr("Roles"),
                  "field_permission": self.tr("Field permissions"), "pool": self.tr("Public pools"),
                  "custom_field": self.tr("Custom fields"),
                  "dictionary": self.tr("Dictionaries"), "record_setting": self.tr("Record settings"),
                  "automation": self.tr("Automation"), "approval_flow": self.tr("Approval flows"),
                  "stage_group": self.tr("Stage groups"), "execution_stage": self.tr("Execution stages"),
                  "number_rule": self.tr("Number rules"), "print_template": self.tr("Print templates"),
                  "target": self.tr("Sales targets")}
        pages: dict[str, QWidget | None] = {
            "department": self.departments_page, "user": self.users_page, "role": self.roles_page,
            "field_permission": self.field_permissions_page, "pool": self.pools_page,
            "custom_field": self.custom_fields_page,
            "dictionary": self.dictionaries_page, "record_setting": self.record_settings_page,
            "automation": self.automation_page, "approval_flow": self.approval_flows_page,
            "stage_group": self.stage_groups_page, "execution_stage": self.execution_stages_page,
            "number_rule": self.number_rules_page, "print_template": self.print_templates_page,
            "target": self.targets_page,
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
