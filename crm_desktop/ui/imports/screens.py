"""The import wizard's steps for ``crm-admin screenshot`` (and its layout check): a real xlsx
with a new customer, an update of a demo customer and a bad row, taken through every step;
the import is undone afterwards so each language sees the same database."""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QDialog, QWidget

from crm_desktop.services.customers.customers import customers
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.imports.wizard import (
    DRY_RUN,
    MAPPING,
    OPTIONS,
    RESULT,
    SHEET,
    ImportWizard,
)


def render_import_wizard(ctx: AppContext, parent: QWidget, *, settle: Callable[[], None],
                         save: Callable[[QDialog, Path], Path], name: Callable[[str], Path]) -> list[Path]:
    from openpyxl import Workbook

    def idle() -> None:
        for _ in range(200):
            ops.wait_idle()
            settle()
            if ops.running_count() == 0:
                return

    existing = customers.list_page(ctx.db, ctx.actor, limit=1).rows
    old_name = str(existing[0].values["name"]) if existing else "厦门星辰科技有限公司"
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="crm-import-shot-") as folder:
        path = Path(folder) / "客户名单.xlsx"
        book = Workbook()
        ws = book.active
        for row in (["2026 年展会客户名单"], ["客户名称", "手机", "客户级别", "备注", "联系人", "职务", "注册资本"],
                    ["厦门云帆信息技术有限公司", "13906001234", "A", "展会现场留资", "陈晓", "总经理", "500万"],
                    [old_name, None, None, "年底有采购预算", None, None, None],
                    ["泉州远航贸易有限公司", "1390600x", "B", None, "林峰", None, None]):
            ws.append(row)
        book.save(path)
        wizard = ImportWizard(ctx, "customer", parent)
        wizard.resize(860, 560)
        wizard.show()
        wizard.path_edit.setText(str(path))
        settle()
        written.append(save(wizard, name("import-file")))
        for step, screen in ((SHEET, "import-sheet"), (MAPPING, "import-mapping"), (OPTIONS, "import-options")):
            wizard.forward()
            idle()
            assert wizard.pages.currentIndex() == step, wizard.message.text()
            if step == OPTIONS:
                wizard.policy_box.setCurrentIndex(wizard.policy_box.findData("update"))
            written.append(save(wizard, name(screen)))
        wizard.forward()
        idle()
        assert wizard.pages.currentIndex() == DRY_RUN, wizard.message.text()
        written.append(save(wizard, name("import-dry-run")))
        wizard.forward()
        idle()
        assert wizard.pages.currentIndex() == RESULT, wizard.message.text()
        written.append(save(wizard, name("import-result")))
        wizard.undo()
        idle()
        wizard.close()
        wizard.deleteLater()
        settle()
    return written
