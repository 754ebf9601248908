"""About CRM Desktop: the version, where the data is, the Qt / PySide / Python versions and the
licence — what a support call asks first. Opened from the account menu of the main window.

Thread rule: GUI thread only; reads nothing from the database.
"""
from __future__ import annotations

import platform
import sys

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from crm_desktop import __version__
from crm_desktop.ui.account_dialogs import fit_to_contents


class AboutDialog(QDialog):
    """Name, version, where the data is (``database``: the SQLite file, or with ``shared`` the
    server without its password), library versions, licence; "Copy" puts the facts on the
    clipboard for a support request.

    Public for tests: ``facts`` (label → text as shown), ``copy_button``, ``text()``.
    """

    def __init__(self, database: str, *, shared: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("About CRM Desktop"))
        layout = QVBoxLayout(self)
        fit_to_contents(layout, 540)
        title = QLabel(self.tr("CRM Desktop"))
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        intro = QLabel(self.tr("Customers, leads, opportunities, contracts and payments for sales teams; "
                               "on this computer or on a shared server."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.facts: dict[str, str] = {
            self.tr("Version"): __version__,
            (self.tr("Shared server") if shared else self.tr("Database")): database,
            self.tr("Qt"): f"{qVersion()} (PySide6 {PySide6.__version__})",
            self.tr("Python"): platform.python_version(),
            self.tr("System"): f"{platform.system()} {platform.release()} · {sys.platform}",
            self.tr("Licence"): self.tr("Proprietary software: licensed to your company for its own use. "
                                        "All rights reserved."),
        }
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        for label, text in self.facts.items():
            value = QLabel(text)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setMinimumWidth(320)
            form.addRow(label, value)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button: QPushButton = buttons.addButton(self.tr("Copy"), QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setToolTip(self.tr("Copy these facts, e.g. for a message to your administrator"))
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def text(self) -> str:
        """The facts as plain lines (what "Copy" copies)."""
        return "\n".join([self.tr("CRM Desktop"), *(f"{label}: {text}" for label, text in self.facts.items())])

    def copy(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(self.text())


__all__ = ["AboutDialog"]
