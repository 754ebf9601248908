"""First run on an empty database: name the company and create its administrator.

Thread rule: GUI thread only; ``auth.setup_company`` runs through ``ops.op``.
"""
from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.db import Database
from crm_desktop.services.org import auth
from crm_desktop.services.org.actor import Actor
from crm_desktop.ui.account_dialogs import fit_to_contents, password_edit
from crm_desktop.ui.dirty import GuardedDialog
from crm_desktop.ui.forms import FormErrors, MessageBar
from crm_desktop.ui.ops import op


class FirstRunDialog(GuardedDialog):
    """Company name, administrator's name and mobile, password twice.

    On success ``actor`` is the new super administrator (already logged in) and the dialog
    is accepted. Errors appear beside their fields; what was typed stays.
    """

    def __init__(self, database: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.actor: Actor | None = None
        self.setWindowTitle(self.tr("Set up your company"))
        layout = QVBoxLayout(self)
        fit_to_contents(layout, 520)
        layout.setSpacing(10)
        title = QLabel(self.tr("Welcome to CRM Desktop"))
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        intro = QLabel(
            self.tr(
                "This database is empty. Enter your company's name and create the administrator "
                "account. The administrator can then add departments, roles and colleagues."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.message = MessageBar()
        layout.addWidget(self.message)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        layout.addLayout(form)
        self.errors = FormErrors(form, self.message)
        self.company = QLineEdit()
        self.company.setPlaceholderText(self.tr("e.g. Xiamen Star Technology Co., Ltd."))
        self.admin_name = QLineEdit()
        self.admin_mobile = QLineEdit()
        self.admin_mobile.setPlaceholderText(self.tr("Used to log in"))
        self.password = password_edit(self.tr("At least 8 characters with letters and digits"))
        self.confirm = password_edit()
        self.errors.add_row("company", self.tr("Company name:"), self.company)
        self.errors.add_row("admin_name", self.tr("Your name:"), self.admin_name)
        self.errors.add_row("admin_mobile", self.tr("Your mobile number:"), self.admin_mobile)
        self.errors.add_row("password", self.tr("Password:"), self.password)
        self.errors.add_row("confirm", self.tr("Repeat password:"), self.confirm)
        layout.addStretch(1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Create company"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._fields = {
            "company": self.company, "admin_name": self.admin_name, "admin_mobile": self.admin_mobile,
            "password": self.password, "confirm": self.confirm,
        }

    def submit(self) -> None:
        """Check the passwords match here; everything else is the service's to judge."""
        self.errors.clear()
        if self.password.text() != self.confirm.text():
            self.errors.set_field_error("confirm", self.tr("The two passwords are not the same."))
            self.confirm.setFocus()
            return
        self.buttons.setEnabled(False)
        db = self.database
        values = dict(
            company=self.company.text(), admin_name=self.admin_name.text(),
            admin_mobile=self.admin_mobile.text(), password=self.password.text(),
        )
        super_role = self.tr("Super administrator")
        op(self, lambda: auth.setup_company(db, super_role_name=super_role, **values), write=True).success(
            self._created
        ).failure(self._failed).run()

    def _created(self, actor: Actor) -> None:
        self.buttons.setEnabled(True)
        self.actor = actor
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.errors.show(exc)
        for name, widget in self._fields.items():
            if self.errors.field_error(name):
                widget.setFocus()
                break
