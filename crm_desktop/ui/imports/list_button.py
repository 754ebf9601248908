"""The "Import…" button of a record tab: opens the import wizard for the tab's module, offered
only for the modules the import engine knows and to those with the import permission (the
service checks the same)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QPushButton

from crm_desktop.services.imports.engine import IMPORTABLE
from crm_desktop.ui.imports.wizard import open_import_wizard


def add_import_button(tab: Any) -> QPushButton | None:
    """Put an "Import…" button in ``tab``'s tool row (before the log button) when it applies."""
    module = tab.service.module
    if module not in IMPORTABLE or not tab.ctx.actor.can(module, "import"):
        return None
    button = QPushButton(QCoreApplication.translate("ImportWizard", "Import…"))
    button.setToolTip(QCoreApplication.translate("ImportWizard", "Bring records in from an Excel, WPS or csv file."))
    button.clicked.connect(lambda: open_import_wizard(tab.ctx, module, tab))
    tools = tab.tool_row
    at = tools.indexOf(tab.log_button)
    tools.insertWidget(at if at >= 0 else tools.count(), button)
    return button
