"""The main window of a logged-in session: module tabs, the user menu and the status bar.

Tabs: Workbench (always), Customers (when the user may view customers), Leads, Contacts,
Products and Opportunities (each when the user may view that module), Administration
(when they may view users, roles or departments), and the sales and approval modules likewise.
Above the tabs, a top bar: on the left the to-do strip (ui/todo.py) counts follow-ups due
today, approvals waiting and customers about to be recycled; on the right the global search,
the message centre's button with the unread count (ui/messages.py; a tray notification when it
rises, where the desktop has a tray) and the user menu, which changes the password, switches
the language (the window is rebuilt so every string changes), shows "About" (version,
database, Qt/Python, licence) and logs out (``logout_requested``; the app returns to the login
dialog). The window's size and position and the tab last shown are remembered across restarts
in the user's configuration (``ui.window_memory``).

Thread rule: GUI thread only; data is read through ``ops.op``.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QStatusBar,
    QSystemTrayIcon,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from crm_desktop import config
from crm_desktop.config import Config
from crm_desktop.db import Database, sqlite_file
from crm_desktop.services.activities import schedule as schedule_ops
from crm_desktop.services.activities import tasks as task_ops
from crm_desktop.services.org import auth
from crm_desktop.services.workflow import approvals as approval_ops
from crm_desktop.ui import i18n, ops, window_memory
from crm_desktop.ui.about import AboutDialog
from crm_desktop.ui.account_dialogs import ChangePasswordDialog
from crm_desktop.ui.activities.event_dialog import EventDialog
from crm_desktop.ui.activities.page import ActivitiesTab
from crm_desktop.ui.activities.reminders import ReminderScheduler
from crm_desktop.ui.activities.task_dialog import TaskDialog
from crm_desktop.ui.admin.area import AdminArea
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.global_search import GlobalSearch
from crm_desktop.ui.job_scheduler import JobScheduler
from crm_desktop.ui.live import ConnectionStatus
from crm_desktop.ui.messages import (
    MessageButton,
    MessageCentre,
    MessageWatcher,
    make_tray,
)
from crm_desktop.ui.my_approvals import MyApprovalsPage
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.details.window import open_detail
from crm_desktop.ui.records.lists.contacts import ContactsTab
from crm_desktop.ui.records.lists.contracts import ContractsTab
from crm_desktop.ui.records.lists.customers import CustomersTab
from crm_desktop.ui.records.lists.leads import LeadsTab
from crm_desktop.ui.records.lists.opportunities import OpportunitiesTab
from crm_desktop.ui.records.lists.payments import PaymentsTab
from crm_desktop.ui.records.lists.pool import PoolTab
from crm_desktop.ui.records.lists.products import ProductsTab
from crm_desktop.ui.records.specs.registry import DETAIL_ENTITIES
from crm_desktop.ui.todo import TodoStrip, show_due_today
from crm_desktop.ui.window_memory import default_size
from crm_desktop.ui.workbench import Workbench

WORKBENCH, CUSTOMERS, LEADS, CONTACTS, POOL, ADMIN = "workbench", "customers", "leads", "contacts", "pool", "admin"
APPROVALS = "approvals"
PRODUCTS, OPPORTUNITIES = "products", "opportunities"
CONTRACTS, PAYMENTS = "contracts", "payments"
ACTIVITIES = "activities"
STATUS_MESSAGE_MS = 8000

log = logging.getLogger(__name__)


def database_location(db: Database) -> tuple[Path | None, str]:
    """(the SQLite file, "") or (None, "user@host:port/database" without the password)."""
    path = sqlite_file(db.url)
    if path is not None:
        return path, ""
    return None, re.sub(r"^[^:/]+://", "", db.url).replace(":***@", "@")


def can_administer(ctx: AppContext) -> bool:
    """Whether the Administration tab is shown at all."""
    return any(ctx.actor.can(module, "view") for module in ("user", "role", "department", "target")) or any(
        ctx.actor.can(module, "manage") for module in ("pool", "setting"))


class MainWindow(QMainWindow):
    """One window per logged-in session; ``settings`` is where the language is remembered
    (None: the user's configuration file)."""

    logout_requested = Signal()
    #: The window was closed (the app then quits).
    closed = Signal()
    #: The language was switched and the window rebuilt; carries the language code.
    language_changed = Signal(str)

    def __init__(self, ctx: AppContext, *, settings: Config | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.settings = settings
        self.company = ""
        self._leaving = False  # set once the pages agreed to close
        self.setMinimumSize(960, 600)
        # 1280×800, or what the screen has (a 1366×768 laptop): the status bar stays on screen.
        self.resize(default_size(self, QSize(1280, 800)))
        # Outlives rebuilds (a language switch): the count and the tray do not start over.
        self.messages = MessageWatcher(ctx, parent=self)
        self.message_centre: MessageCentre | None = None
        self._build()
        if settings is not None and settings.last_tab in self._tab_keys:
            self.show_tab(settings.last_tab)  # where the user left off
        ctx.signals.changed.connect(self._on_changed)
        #: Says when the server cannot be reached (live refresh's connection, issue 17).
        self.connection_status = ConnectionStatus(ctx)
        self.statusBar().addPermanentWidget(self.connection_status)
        self.tray = make_tray(self, tooltip=self.tr("CRM Desktop"))
        self.messages.arrived.connect(self._notify)
        if self.tray is not None:
            self.tray.messageClicked.connect(self.open_messages)
        # Pool recycling and reminders: at start-up and hourly while the app runs.
        self.jobs = JobScheduler(ctx, parent=self)
        # Reminders of events, tasks and next contacts at their minute (issue 16); those
        # missed while the app was closed are shown now.
        self.reminders = ReminderScheduler(ctx, notify=self._notify, parent=self)
        self.reminders.open_record.connect(self.open_activity)
        self.reminders.start()

    # --- building -----------------------------------------------------------------------

    def _build(self) -> None:
        ctx = self.ctx
        self._update_title()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        tab_font = QFont(self.tabs.font())
        tab_font.setPointSizeF(tab_font.pointSizeF() * 1.15)
        self.tabs.tabBar().setFont(tab_font)
        self.tabs.setStyleSheet("QTabBar::tab { padding: 7px 18px; }")
        self._tab_keys: list[str] = []
        self.workbench = Workbench(ctx)
        self.workbench.open_module.connect(self._open_module)
        self._add_tab(WORKBENCH, self.workbench, self.tr("Workbench"))
        self.activities_tab: ActivitiesTab | None = None
        if ctx.actor.can("task", "view") or ctx.actor.can("event", "view"):
            self.activities_tab = ActivitiesTab(ctx)
            self._add_tab(ACTIVITIES, self.activities_tab, self.tr("Activities"))
        self.customers_tab: QWidget | None = None
        if ctx.actor.can("customer", "view"):
            self.customers_tab = CustomersTab(ctx)
            self._add_tab(CUSTOMERS, self.customers_tab, self.tr("Customers"))
        self.leads_tab: QWidget | None = None
        if ctx.actor.can("lead", "view"):
            self.leads_tab = LeadsTab(ctx)
            self._add_tab(LEADS, self.leads_tab, self.tr("Leads"))
        self.contacts_tab: QWidget | None = None
        if ctx.actor.can("contact", "view"):
            self.contacts_tab = ContactsTab(ctx)
            self._add_tab(CONTACTS, self.contacts_tab, self.tr("Contacts"))
        self.products_tab: ProductsTab | None = None
        if ctx.actor.can("product", "view"):
            self.products_tab = ProductsTab(ctx)
            self._add_tab(PRODUCTS, self.products_tab, self.tr("Products"))
        self.opportunities_tab: OpportunitiesTab | None = None
        if ctx.actor.can("opportunity", "view"):
            self.opportunities_tab = OpportunitiesTab(ctx)
            self._add_tab(OPPORTUNITIES, self.opportunities_tab, self.tr("Opportunities"))
        self.contracts_tab: ContractsTab | None = None
        if ctx.actor.can("contract", "view"):
            self.contracts_tab = ContractsTab(ctx)
            self._add_tab(CONTRACTS, self.contracts_tab, self.tr("Contracts"))
        self.payments_tab: PaymentsTab | None = None
        if ctx.actor.can("payment", "view"):
            self.payments_tab = PaymentsTab(ctx)
            self._add_tab(PAYMENTS, self.payments_tab, self.tr("Payments"))
        self.pool_tab: PoolTab | None = None
        if ctx.actor.can("pool", "view"):
            self.pool_tab = PoolTab(ctx)
            self._add_tab(POOL, self.pool_tab, self.tr("Public pool"))
        self.approvals_tab: MyApprovalsPage | None = None
        if any(ctx.actor.can(entity, "view") for entity in approval_ops.ENTITIES):  # contracts, payments too
            self.approvals_tab = MyApprovalsPage(ctx)
            self._add_tab(APPROVALS, self.approvals_tab, self.tr("Approvals"))
        self.admin_area: AdminArea | None = None
        if can_administer(ctx):
            self.admin_area = AdminArea(ctx)
            self._add_tab(ADMIN, self.admin_area, self.tr("Administration"))
        corner = QWidget()
        corner_layout = QHBoxLayout(corner)
        corner_layout.setContentsMargins(0, 0, 0, 0)
        self.search = GlobalSearch(ctx)
        self.search.record_chosen.connect(self.open_record)
        corner_layout.addWidget(self.search)
        self.message_button = MessageButton(self.messages)
        self.message_button.clicked.connect(self.open_messages)
        corner_layout.addWidget(self.message_button)
        corner_layout.addWidget(self._build_user_button())
        self.todo = TodoStrip(ctx)
        self.todo.open_module.connect(self._open_module)
        self.todo.open_followups.connect(self._show_due_followups)
        self.messages.count_changed.connect(self.todo.reload_soon)  # an approval comes with a message
        # Search, messages and the account sit in a top bar beside the to-do strip rather than
        # in the tab bar's corner: eleven module tabs need the window's whole width in English
        # at 1280 px (the corner took 500 px of it and the tabs scrolled).
        top_bar = QFrame()
        top_bar.setObjectName("topBar")
        top_bar.setStyleSheet("QFrame#topBar { background: palette(alternate-base);"
                              " border-bottom: 1px solid palette(midlight); }")
        top_layout = QHBoxLayout(top_bar)
        top_layout.setContentsMargins(0, 0, 8, 0)
        top_layout.addWidget(self.todo, 1)
        top_layout.addWidget(corner)
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(top_bar)
        central_layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self._build_status_bar()
        self._load_company()

    def _add_tab(self, key: str, widget: QWidget, title: str) -> None:
        self.tabs.addTab(widget, title)
        self._tab_keys.append(key)

    def _build_user_button(self) -> QToolButton:
        button = QToolButton()
        button.setObjectName("userMenuButton")
        button.setText(f"{self.ctx.actor.name} ▾")
        button.setToolTip(self.tr("Your account"))
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setAutoRaise(True)
        # The arrow is part of the text: the style's own indicator gets clipped in the corner.
        button.setStyleSheet(
            "QToolButton { padding: 4px 12px; font-weight: 600; }"
            "QToolButton::menu-indicator { image: none; width: 0px; }"
        )
        menu = QMenu(button)
        self.change_password_action = menu.addAction(self.tr("Change password…"))
        self.change_password_action.triggered.connect(self.change_password)
        language_menu = menu.addMenu(self.tr("Language"))
        group = QActionGroup(language_menu)
        group.setExclusive(True)
        # One bound-method connection for all languages (see ``_language_chosen``).
        group.triggered.connect(self._language_chosen)
        self.language_actions: dict[str, QAction] = {}
        for code, name in i18n.LANGUAGES.items():
            # Each language is named in itself, so a user can always find their own.
            action = language_menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(code == i18n.current_language())
            action.setData(code)
            group.addAction(action)
            self.language_actions[code] = action
        self.about_action = menu.addAction(self.tr("About CRM Desktop…"))
        self.about_action.triggered.connect(self.show_about)
        menu.addSeparator()
        self.logout_action = menu.addAction(self.tr("Log out"))
        self.logout_action.triggered.connect(self.log_out)
        button.setMenu(menu)
        self.user_button = button
        return button

    def _build_status_bar(self) -> None:
        bar = QStatusBar()
        self.setStatusBar(bar)  # replaces (and deletes) the previous one on a rebuild
        self.company_label = QLabel(self.company)
        self.database_label = QLabel(self.database_text(self.ctx.db))
        self.user_label = QLabel(self.tr("User: {name}").format(name=self.ctx.actor.name))
        for label in (self.company_label, self.database_label, self.user_label):
            label.setContentsMargins(8, 0, 8, 0)
            bar.addPermanentWidget(label)

    def database_text(self, db: Database) -> str:
        """Where the data is, never with a password."""
        path, server = database_location(db)
        if path is not None:
            return self.tr("Database: {path}").format(path=path)
        return self.tr("Shared server: {server}").format(server=server)

    def _update_title(self) -> None:
        if self.company:
            self.setWindowTitle(self.tr("CRM Desktop — {company}").format(company=self.company))
        else:
            self.setWindowTitle(self.tr("CRM Desktop"))

    # --- tabs ---------------------------------------------------------------------------

    def tab_keys(self) -> list[str]:
        """The tabs this user has, in order ("workbench", "customers", "admin")."""
        return list(self._tab_keys)

    def current_tab_key(self) -> str:
        return self._tab_keys[self.tabs.currentIndex()]

    def show_tab(self, key: str) -> QWidget:
        """Switch to a tab; KeyError when this user does not have it."""
        index = self._tab_keys.index(key) if key in self._tab_keys else -1
        if index < 0:
            raise KeyError(key)
        self.tabs.setCurrentIndex(index)
        return self.tabs.widget(index)

    #: Which tab shows each kind of record the global search finds.
    RECORD_TABS = {"customer": CUSTOMERS, "lead": LEADS, "contact": CONTACTS, "opportunity": OPPORTUNITIES,
                   "product": PRODUCTS}

    def open_record(self, entity: str, record_id: int, name: str) -> None:
        """Show a record found by the global search: its module's tab, narrowed to it, and the
        record's detail window in front."""
        key = self.RECORD_TABS.get(entity)
        if key is None or key not in self._tab_keys:
            return
        tab = self.show_tab(key)
        search_edit = getattr(tab, "search_edit", None)
        if search_edit is not None:
            search_edit.setText(name)
        if entity in DETAIL_ENTITIES:
            open_detail(self.ctx, entity, record_id, parent=self)

    def open_activity(self, entity: str, record_id: int) -> None:
        """Open what a reminder is about: a task or event in its dialog, a record's detail."""
        db, actor = self.ctx.db, self.ctx.actor
        if entity == "task":
            op(self, lambda: task_ops.get_task(db, actor, record_id)).success(
                lambda task: TaskDialog(self.ctx, task=task, parent=self).open()).run()
        elif entity == "event":
            op(self, lambda: schedule_ops.get_event(db, actor, record_id)).success(
                lambda event: EventDialog(self.ctx, event=event, parent=self).open()).run()
        elif entity in DETAIL_ENTITIES:
            open_detail(self.ctx, entity, record_id, parent=self)

    def _open_module(self, module: str) -> None:
        key = {"customer": CUSTOMERS, "admin": ADMIN}.get(module, module)
        if key in self._tab_keys:
            self.show_tab(key)

    def _show_due_followups(self, entity: str) -> None:
        key = self.RECORD_TABS.get(entity)
        if key in self._tab_keys:
            show_due_today(self.show_tab(key))

    # --- messages -----------------------------------------------------------------------

    def open_messages(self) -> MessageCentre:
        """Show the message centre (non-modal, one at a time); returns it for tests."""
        centre = self.message_centre
        if centre is None or not shiboken6.isValid(centre):
            centre = MessageCentre(self.ctx, self)
            centre.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            centre.record_chosen.connect(self.open_record)
            centre.marked_read.connect(self.messages.refresh)
            self.messages.count_changed.connect(centre.reload)  # new messages appear while it is open
            self.message_centre = centre
        centre.show()
        centre.raise_()
        centre.activateWindow()
        return centre

    def _notify(self, title: str, text: str) -> None:
        if self.tray is not None:
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information)

    # --- company name -------------------------------------------------------------------

    def _load_company(self) -> None:
        db = self.ctx.db
        op(self, lambda: auth.company_name(db)).success(
            self._company_loaded
        ).failure(self._company_failed).run()

    def _company_failed(self, exc: BaseException) -> None:
        self.statusBar().showMessage(i18n.error_text(exc), STATUS_MESSAGE_MS)

    def _company_loaded(self, name: str) -> None:
        self.company = name
        self.company_label.setText(name)
        self._update_title()

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if entity in ("department", "*"):  # renaming the top department renames the company
            self._load_company()

    # --- user menu ----------------------------------------------------------------------

    def change_password(self) -> ChangePasswordDialog:
        """Open the change-password dialog (window-modal); returns it for tests."""
        dialog = ChangePasswordDialog(self.ctx, self)
        dialog.saved.connect(self._password_changed)
        dialog.open()
        return dialog

    def show_about(self) -> AboutDialog:
        """The About dialog (version, database, Qt/Python, licence); returns it for tests."""
        path, server = database_location(self.ctx.db)
        dialog = AboutDialog(str(path) if path is not None else server, shared=path is None, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _password_changed(self, _result: object) -> None:
        self.statusBar().showMessage(self.tr("Your password was changed."), STATUS_MESSAGE_MS)

    def _language_chosen(self, action: QAction) -> None:
        # A bound method, not a lambda holding ``self``: a lambda on a child's signal keeps
        # the window alive through its own child, which crashes PySide when the app exits.
        self.switch_language(str(action.data()))

    def switch_language(self, language: str) -> None:
        """Remember the language, load its translation and rebuild the window in it."""
        if not self._pages_agree_to_close():
            self.language_actions[i18n.current_language()].setChecked(True)
            return
        installed = i18n.install_language(language)
        settings = self.settings or config.load_config()
        settings.language = language
        try:
            config.save_config(settings)
        except OSError as exc:  # the switch still works for this session
            log.warning("cannot save the language preference: %s", exc)
        self.rebuild()
        if not installed:
            self.statusBar().showMessage(
                self.tr("The {language} translation is not installed; the window stays in English.").format(
                    language=i18n.LANGUAGES.get(language, language)
                ),
                STATUS_MESSAGE_MS,
            )
        self.language_changed.emit(language)

    def rebuild(self) -> None:
        """Build every tab anew (after a language switch), keeping the current tab."""
        key = self.current_tab_key()
        # Let running reads deliver to the old pages before those are deleted: a result
        # arriving for a deleted page would raise inside its callback.
        ops.wait_idle()
        QCoreApplication.processEvents()
        old = self.takeCentralWidget()
        if old is not None:
            old.deleteLater()
        self._build()
        if key in self._tab_keys:
            self.show_tab(key)

    def log_out(self) -> None:
        """Ask open pages to close (they may keep unsaved edits), then signal the app."""
        if self._pages_agree_to_close():
            self._leaving = True
            self._remember_tab()
            self.logout_requested.emit()

    # --- closing ------------------------------------------------------------------------

    def _pages_agree_to_close(self) -> bool:
        # The Qt protocol: a page with unsaved edits ignores the close event to stay open.
        # The event is sent, not close() called, so no page is hidden inside its tab stack.
        for index in range(self.tabs.count()):
            event = QCloseEvent()
            QCoreApplication.sendEvent(self.tabs.widget(index), event)
            if not event.isAccepted():
                self.tabs.setCurrentIndex(index)
                return False
        return True

    def _remember_tab(self) -> None:
        """The tab shown now opens first next time (in the user's configuration file)."""
        if self.settings is None or not self._tab_keys:
            return
        self.settings.last_tab = self.current_tab_key()
        window_memory.save(self.settings)

    def close_without_asking(self) -> None:
        """Close even if a page has unsaved edits (the pages were asked already, or it is a
        rendering run with nothing to keep)."""
        self._leaving = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self._leaving and not self._pages_agree_to_close():
            event.ignore()
            return
        self._leaving = True
        self._remember_tab()
        if self.tray is not None:
            self.tray.hide()  # not left behind in the tray until the process ends
        event.accept()
        self.closed.emit()
