"""Administration → Print templates: the HTML editor with placeholders, the live preview, what
the service refuses shown while typing, save / defaults / reset, and the logo upload."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QImage, QTextCursor, QTextDocument
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.sales import print_templates
from crm_desktop.ui import ops
from crm_desktop.ui.admin.area import AdminArea
from crm_desktop.ui.admin.print_templates import PLACEHOLDER_ROLE, PrintTemplatesPage
from tests.ui.test_admin_departments import limited_context
from tests.ui_helpers import admin_context


def idle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: ops.running_count() == 0, timeout=15_000)


def test_edit_preview_save_and_reset(qtbot: QtBot, sqlite_db: Database) -> None:
    ctx = admin_context(sqlite_db)
    db, admin = ctx.db, ctx.actor
    area = AdminArea(ctx)
    qtbot.addWidget(area)
    page = area.show_page("print_template")
    assert isinstance(page, PrintTemplatesPage) and page is area.print_templates_page
    qtbot.waitUntil(lambda: page.loaded is not None, timeout=10_000)
    idle(qtbot)
    assert page.kind() == "contract" and page.loaded is not None and page.loaded.is_default
    assert "Sales Contract" in page.editor.toPlainText()  # the English default: the interface is English
    preview = page.preview_text()
    assert "玖万捌仟元整" in preview and "厦门星辰科技有限公司" in preview and "工业网关" in preview
    assert not page.problem_label.isVisibleTo(page) and not page.is_dirty()

    # A placeholder goes in at the cursor; an unknown one is pointed out before saving.
    page.editor.setPlainText("<p>{{name}}</p>")
    page.editor.moveCursor(QTextCursor.MoveOperation.End)
    items = [page.placeholders.topLevelItem(i) for i in range(page.placeholders.topLevelItemCount())]
    words = next(i for i in items if i.data(0, PLACEHOLDER_ROLE) == "{{total_in_words}}")
    assert words.text(0) == "Total in Chinese capitals (玖万捌仟元整)" and words.text(1) == "{{total_in_words}}"
    page.placeholders.itemDoubleClicked.emit(words, 0)
    assert page.editor.toPlainText() == "<p>{{name}}</p>{{total_in_words}}"
    page.update_preview()
    assert "鹭岛机电二期自动化改造玖万捌仟元整" in page.preview_text().replace("\n", "")
    page.insert_placeholder("{{customer}}")
    page.update_preview()
    assert page.problem_label.isVisibleTo(page) and "{{customer}}" in page.problem_label.text()
    page.save()
    idle(qtbot)
    assert "{{customer}}" in page.message.text() and page.message.isVisibleTo(page)
    assert print_templates.get_template(db, admin, "contract").is_default  # nothing stored

    mine = "<h2>{{company_name}}</h2><table>{{#lines}}<tr><td>{{line.product}}</td></tr>{{/lines}}</table>"
    page.editor.setPlainText(mine)
    qtbot.waitUntil(lambda: not page.problem_label.isVisibleTo(page), timeout=5_000)  # the preview follows typing
    assert page.is_dirty()
    page.save()
    idle(qtbot)
    stored = print_templates.get_template(db, admin, "contract")
    assert stored.html == mine and not stored.is_default and not page.is_dirty()

    # Switching documents with unsaved typing asks first (No keeps it).
    page.editor.setPlainText(mine + "<p>draft</p>")
    page.kind_combo.activated.emit(1)
    assert page.pending_question is not None and page.kind() == "contract"
    assert page.pending_question.defaultButton() is page.pending_question.button(QMessageBox.StandardButton.No)
    page.pending_question.button(QMessageBox.StandardButton.No).click()
    assert page.editor.toPlainText().endswith("<p>draft</p>") and page.kind() == "contract"
    page.kind_combo.activated.emit(1)
    page.pending_question.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: page.loaded is not None and page.kind() == "quotation", timeout=10_000)
    idle(qtbot)
    assert "Quotation" in page.editor.toPlainText() and page.kind_combo.currentData() == "quotation"

    # The Chinese default goes into the editor; saved only with Save.
    page.use_default("zh_CN")
    assert "报价单" in page.editor.toPlainText() and "报价单" in page.preview_text()
    assert print_templates.get_template(db, admin, "quotation").is_default

    # Reset forgets the stored contract template.
    page.kind_combo.activated.emit(0)
    page.pending_question.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: page.loaded is not None and page.kind() == "contract", timeout=10_000)
    idle(qtbot)
    assert page.editor.toPlainText() == mine
    page.ask_reset()
    page.pending_question.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: page.loaded is not None and page.loaded.is_default, timeout=10_000)
    idle(qtbot)
    assert print_templates.get_template(db, admin, "contract").is_default
    assert "Sales Contract" in page.editor.toPlainText()


def test_logo_upload(qtbot: QtBot, sqlite_db: Database, tmp_path: Path) -> None:
    ctx = admin_context(sqlite_db)
    page = PrintTemplatesPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.loaded is not None, timeout=10_000)
    idle(qtbot)
    assert page.logo is None and not page.remove_logo_button.isEnabled()
    image = QImage(80, 80, QImage.Format.Format_RGB32)
    image.fill(QColor("#1f6fb8"))
    path = tmp_path / "logo.png"
    assert image.save(str(path), "PNG")

    page.set_logo_file(path)
    idle(qtbot)
    assert page.logo == path.read_bytes() == print_templates.get_logo(ctx.db, ctx.actor)
    assert not page.logo_label.pixmap().isNull() and page.remove_logo_button.isEnabled()
    assert "<img" in page.preview.document.toHtml()  # the default template's {{logo}}
    shown = page.preview.document.resource(QTextDocument.ResourceType.ImageResource, QUrl(print_templates.LOGO_URL))
    assert shown is not None and not shown.isNull()

    bad = tmp_path / "notes.txt"
    bad.write_text("not a picture", encoding="utf-8")
    page.set_logo_file(bad)
    idle(qtbot)
    assert page.message.property("tone") == "error" and page.logo == path.read_bytes()

    page.remove_logo()
    idle(qtbot)
    assert page.logo is None and print_templates.get_logo(ctx.db, ctx.actor) is None
    assert page.logo_label.pixmap().isNull() and "<img" not in page.preview.document.toHtml()


def test_the_page_needs_the_settings_permission(qtbot: QtBot, sqlite_db: Database) -> None:
    ctx = admin_context(sqlite_db)
    clerk = limited_context(ctx.db, ctx, {("contract", "view")})
    area = AdminArea(clerk)
    qtbot.addWidget(area)
    idle(qtbot)
    assert area.print_templates_page is None and "print_template" not in area.page_keys()
