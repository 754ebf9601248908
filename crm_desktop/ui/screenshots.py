"""Render the main screens to PNG, in each language, from a demo company.

Used by ``crm-admin screenshot DIR`` (documentation, release notes) and by the tests that
look at what a user sees. Works offscreen (``QT_QPA_PLATFORM=offscreen``).

Thread rule: GUI thread; it drives the op runner until all background reads are done.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from crm_desktop.config import Config, local_profile
from crm_desktop.db import Database, open_database
from crm_desktop.services.actor import Actor
from crm_desktop.ui import i18n, ops
from crm_desktop.ui.context import make_context

SIZE = (1280, 800)
BACKDROP = QColor("#dfe4ea")  # dialogs are shown centred on a plain "desktop"
SCREENS = (
    "login", "first-run", "workbench", "customers", "customer-detail", "leads", "contacts", "pool",
    "admin-users", "admin-roles", "admin-departments", "admin-pools", "admin-custom-fields",
    "admin-dictionaries", "admin-field-permissions",
)


def _app() -> QApplication:
    app = QApplication.instance()
    if app is None:
        # A command-line run has no display to spare: draw offscreen.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([])
    assert isinstance(app, QApplication)
    return app


def settle(app: QApplication, *, rounds: int = 50) -> None:
    """Let background reads finish and their results arrive, until nothing is pending."""
    quiet = 0
    for _ in range(rounds):
        ops.wait_idle()
        app.processEvents()
        quiet = quiet + 1 if ops.running_count() == 0 else 0
        if quiet >= 3:  # a result may start another read: wait for a few quiet rounds
            return


def _save_window(widget: QWidget, path: Path) -> Path:
    widget.resize(*SIZE)
    if not widget.grab().save(str(path), "PNG"):
        raise OSError(f"cannot write {path}")
    return path


def _save_dialog(dialog: QDialog, path: Path) -> Path:
    picture = QPixmap(*SIZE)
    picture.fill(BACKDROP)
    shot = dialog.grab()
    painter = QPainter(picture)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    origin = QPoint((SIZE[0] - shot.width()) // 2, (SIZE[1] - shot.height()) // 2)
    painter.setPen(QColor("#9aa3ad"))
    painter.drawRect(origin.x() - 1, origin.y() - 1, shot.width() + 1, shot.height() + 1)
    painter.drawPixmap(origin, shot)
    painter.end()
    if not picture.save(str(path), "PNG"):
        raise OSError(f"cannot write {path}")
    return path


def _default_populate(db: Database) -> Actor:
    from crm_desktop.services.demo import create_demo_company
    from crm_desktop.services.schema import CustomFieldInput, FieldType, create_custom_field

    actor = create_demo_company(db, users=12, customers=300)
    # Two custom fields, as a company adds them: the custom field page then shows some.
    create_custom_field(db, actor, "customer", CustomFieldInput(
        "年采购预算", FieldType.MONEY, help_text="客户一年内计划采购的金额（元）"))
    create_custom_field(db, actor, "customer", CustomFieldInput("合同到期日", FieldType.DATE))
    return actor


def render_screens(
    out_dir: Path,
    *,
    languages: tuple[str, ...] = ("zh_CN", "en"),
    populate: Callable[[Database], Actor] | None = None,
) -> list[Path]:
    """Write ``{lang}-{screen}.png`` (1280×800) for every language; returns the files.

    A temporary SQLite database is filled by ``populate`` (default: the demo company with
    12 users and 300 customers) and removed afterwards. A language without a translation
    file renders in English. The language in use before the call is restored.
    """
    app = _app()
    out_dir.mkdir(parents=True, exist_ok=True)
    previous = i18n.current_language()
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="crm-screens-") as tmp:
        db_file = Path(tmp) / "demo.sqlite3"
        db = open_database(f"sqlite:///{db_file}")
        try:
            actor = (populate or _default_populate)(db)
            for language in languages:
                i18n.install_language(language)
                written += _render_language(app, out_dir, language, db, db_file, actor)
        finally:
            ops.wait_idle()
            db.dispose()
            i18n.install_language(previous)
    return written


def _render_language(
    app: QApplication, out_dir: Path, language: str, db: Database, db_file: Path, actor: Actor
) -> list[Path]:
    from crm_desktop.ui.first_run import FirstRunDialog
    from crm_desktop.ui.login import LoginDialog
    from crm_desktop.ui.main_window import MainWindow

    def name(screen: str) -> Path:
        return out_dir / f"{language}-{screen}.png"

    written: list[Path] = []
    settings = Config(profiles=[local_profile(str(db_file))], last_mobile=actor.mobile, path=None)
    login = LoginDialog(settings)
    login.show()
    settle(app)
    written.append(_save_dialog(login, name("login")))
    login.reject()
    login.deleteLater()  # delete on the GUI thread now, not whenever Python drops it

    first = FirstRunDialog(db)
    first.show()
    settle(app)
    written.append(_save_dialog(first, name("first-run")))
    first.reject()
    first.deleteLater()

    window = MainWindow(make_context(db, actor), settings=Config(path=None))
    window.resize(*SIZE)
    window.show()
    settle(app)
    written.append(_save_window(window, name("workbench")))
    for tab in ("customers", "leads", "contacts", "pool"):
        if tab in window.tab_keys():
            window.show_tab(tab)
            settle(app)
            written.append(_save_window(window, name(tab)))
            if tab == "customers":
                written += _render_detail(app, window, name("customer-detail"))
    area = window.admin_area
    if area is not None:
        window.show_tab("admin")
        for key, screen in (
            ("user", "admin-users"), ("role", "admin-roles"), ("department", "admin-departments"),
            ("pool", "admin-pools"), ("custom_field", "admin-custom-fields"), ("dictionary", "admin-dictionaries"),
            ("field_permission", "admin-field-permissions"),
        ):
            if key not in area.page_keys():
                continue
            page = area.show_page(key)
            settle(app)
            if key == "role":
                _select_example_role(page)
                settle(app)
            written.append(_save_window(window, name(screen)))
    window.close_without_asking()
    window.deleteLater()
    settle(app)
    return written


def _render_detail(app: QApplication, window: QWidget, path: Path) -> list[Path]:
    """The detail window of a listed customer that has been followed up (a full header and tabs)."""
    from crm_desktop.ui.records.detail_page import open_detail

    tab = getattr(window, "customers_tab", None)
    model = getattr(tab, "model", None)
    if tab is None or model is None or model.rowCount() == 0:
        return []
    rows = [model.record(r) for r in range(model.rowCount())]
    chosen = next((r for r in rows if r.values.get("last_followup_at") and r.values.get("level")), rows[0])
    detail = open_detail(tab.ctx, "customer", chosen.id, parent=window)
    detail.resize(*SIZE)
    settle(app)
    try:
        return [_save_window(detail, path)]
    finally:
        detail.close()
        settle(app)


def _select_example_role(page: QWidget) -> None:
    """Show a sales role: its matrix has both ticked and empty boxes, and a data scope."""
    roles = [r for r in getattr(page, "roles", []) if not r.is_super]
    if roles:
        best = max(roles, key=lambda r: (sum(m == "customer" for m, _a in r.permissions), len(r.permissions)))
        page.select_role(best.id)  # type: ignore[attr-defined]
