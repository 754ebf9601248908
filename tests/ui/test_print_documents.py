"""A contract and a quotation printed from their detail windows (issue 13, acceptance 4): the
PDF written through Qt, its pages rendered to PNG (poppler's pdftoppm) and its text read back
(pdftotext): the amount in Chinese capitals and the lines are there. The print preview opens
with the same document. The PNGs are kept under the test's temporary folder to be looked at."""
from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from crm_desktop.db import Database
from crm_desktop.services.customers.contacts import contacts
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.services.sales.product_lines import LineInput
from crm_desktop.services.sales.products import products
from crm_desktop.ui import i18n, ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.details.print_buttons import PrintButtons
from crm_desktop.ui.records.details.window import RecordDetailWindow
from tests.ui_helpers import admin_context


def poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        # tools/install-system-deps.sh installs poppler-utils: CI must have it.
        if os.environ.get("CI"):
            pytest.fail(f"{tool} (poppler-utils) is missing: run tools/install-system-deps.sh")
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    return found


def pdf_text(path: Path) -> str:
    """The PDF's text in reading order without any white space (a table cell may wrap a long
    name over two lines)."""
    out = subprocess.run([poppler("pdftotext"), str(path), "-"], check=True, capture_output=True,
                         text=True, timeout=60).stdout
    # The CJK font maps some characters to their radical twins (⼈ for 人): NFKC folds most of them
    # (not ⺠ for 民: "人民币" is not looked for).
    return "".join(unicodedata.normalize("NFKC", out).split())


def pdf_pages(path: Path) -> list[Path]:
    prefix = path.with_suffix("")
    subprocess.run([poppler("pdftoppm"), "-r", "72", "-png", str(path), str(prefix)], check=True, timeout=60)
    return sorted(path.parent.glob(f"{prefix.name}-*.png"))


def settle(qtbot: QtBot, window: RecordDetailWindow) -> None:
    qtbot.waitUntil(lambda: not window.is_loading() and ops.running_count() == 0, timeout=15_000)


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def chinese() -> Iterator[None]:
    before = i18n.current_language()
    i18n.install_language("zh_CN")
    yield
    i18n.install_language(before)


def sale(ctx: AppContext) -> tuple[int, int]:
    db, admin = ctx.db, ctx.actor
    gw = products.create(db, admin, {"name": "工业网关", "code": "GW-100", "unit": "台", "price": "3280"})
    cab = products.create(db, admin, {"name": "PLC 控制柜", "code": "PLC-20", "unit": "套", "price": "18600"})
    cust = customers.create(db, admin, {"name": "厦门鹭岛机电设备有限公司", "address": "湖里区高新园 18 号"})
    wang = contacts.create(db, admin, {"customer_id": cust.id, "name": "王建国", "mobile": "13905921234"})
    lines = [LineInput(gw.id, "3280.00", "10", "5"), LineInput(cab.id, "18600.00", "3"),
             LineInput(None, "1380.00", "8", product_name="现场安装调试")]
    c = contracts.create(db, admin, {"name": "二期自动化改造", "customer_id": cust.id, "customer_signer_id": wang.id,
                                     "our_signer_id": admin.user_id, "order_date": "2026-05-18"}, lines=lines)
    o = opportunities.create(db, admin, {"name": "三期报价", "customer_id": cust.id},
                             lines=[LineInput(gw.id, "3280.00", "10", "5"), LineInput(cab.id, "18600.00", "3")],
                             contact_ids=[wang.id])
    return c.id, o.id


def open_window(qtbot: QtBot, ctx: AppContext, entity: str, record_id: int) -> tuple[RecordDetailWindow, PrintButtons]:
    window = RecordDetailWindow(ctx, entity, record_id)
    qtbot.addWidget(window)
    window.show()
    settle(qtbot, window)
    buttons = window.header_part.print_buttons  # type: ignore[union-attr]
    assert isinstance(buttons, PrintButtons)
    assert buttons.print_button.isVisibleTo(window) and buttons.pdf_button.isVisibleTo(window)
    return window, buttons


def export(qtbot: QtBot, buttons: PrintButtons, path: Path) -> Path:
    buttons.export_pdf(path)
    qtbot.waitUntil(lambda: buttons.last_pdf == path, timeout=15_000)
    assert path.read_bytes()[:5] == b"%PDF-"
    return path


def looks_printed(png: Path) -> None:
    image = QImage(str(png))
    assert image.width() > 500 and image.height() > 700  # A4 at 72 dpi: 595 × 842
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) >= 4  # text and table rules on white, not a blank page


def test_contract_prints_to_pdf_with_the_amount_in_capitals(
        qtbot: QtBot, ctx: AppContext, tmp_path: Path, chinese: None) -> None:
    contract_id, _o = sale(ctx)
    number = contracts.get(ctx.db, ctx.actor, contract_id).values["number"]
    window, buttons = open_window(qtbot, ctx, "contract", contract_id)
    assert buttons.kind == "contract"

    pdf = export(qtbot, buttons, tmp_path / "contract.pdf")
    text = pdf_text(pdf)
    for expected in ("销售合同", "厦门星辰科技有限公司", number, "甲方", "厦门鹭岛机电设备有限公司", "王建国",
                     "工业网关", "PLC控制柜", "现场安装调试", "31,160.00", "55,800.00", "11,040.00", "¥98,000.00",
                     "(大写):", "玖万捌仟元整"):
        assert expected in text, expected
    pages = pdf_pages(pdf)
    assert [p.name for p in pages] == ["contract-1.png"]
    looks_printed(pages[0])
    assert "contract.pdf" in window.header_part.message_label.text()  # type: ignore[union-attr]

    # The print preview shows the same document.
    buttons.print_button.click()
    qtbot.waitUntil(lambda: buttons.preview is not None and buttons.preview.isVisible(), timeout=15_000)
    preview = buttons.preview
    assert preview is not None
    plain = preview.document.toPlainText()
    assert "玖万捌仟元整" in plain and "工业网关" in plain
    preview.close()
    qtbot.waitUntil(lambda: buttons.preview is None, timeout=5_000)


def test_quotation_prints_to_pdf(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> None:
    _c, opportunity_id = sale(ctx)
    window, buttons = open_window(qtbot, ctx, "opportunity", opportunity_id)
    assert buttons.kind == "quotation" and buttons.print_button.text() == "Print quotation…"

    pdf = export(qtbot, buttons, tmp_path / "quotation.pdf")
    text = pdf_text(pdf)
    # The interface is in English: the English default template, the capitals all the same.
    for expected in ("Quotation", "三期报价", "厦门鹭岛机电设备有限公司", "王建国", "工业网关", "PLC控制柜",
                     "¥86,960.00", "捌万陆仟玖佰陆拾元整"):
        assert expected in text, expected
    assert "现场安装调试" not in text  # the contract's line, not the opportunity's
    pages = pdf_pages(pdf)
    assert len(pages) == 1
    looks_printed(pages[0])


def test_a_pdf_that_cannot_be_written_says_so(qtbot: QtBot, ctx: AppContext, tmp_path: Path) -> None:
    contract_id, _o = sale(ctx)
    window, buttons = open_window(qtbot, ctx, "contract", contract_id)
    target = tmp_path / "missing-folder" / "contract.pdf"
    buttons.export_pdf(target)
    label = window.header_part.message_label  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: "Not saved" in label.text(), timeout=15_000)
    assert buttons.last_pdf is None and not target.exists()
    assert isValid(window)
