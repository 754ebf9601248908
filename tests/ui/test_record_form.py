"""The record form generated from the field schema, opened through ``open_record_form``."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.records.records import RecordDTO, RecordService
from crm_desktop.services.records.schema import Access, FieldType
from crm_desktop.services.records.schema_admin import (
    CustomFieldInput,
    create_custom_field,
    set_field_permissions,
)
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.forms.layout import FormField
from crm_desktop.ui.records.forms.record_dialog import RecordDialog, open_record_form
from crm_desktop.ui.records.shared.field_editors import FieldEditor
from tests.ui_helpers import admin_context

ORDER = (FormField("name", "Customer name", required=True), FormField("remark", "Remark", "multiline"),
         FormField("phone", "Phone"))


class Host(QWidget):
    """A list tab or detail page stand-in: where open_record_form leaves the dialog."""

    def __init__(self) -> None:
        super().__init__()
        self.record_dialog: RecordDialog | None = None
        self.saved: list[RecordDTO] = []


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


@pytest.fixture
def host(qtbot: QtBot) -> Iterator[Host]:
    widget = Host()
    qtbot.addWidget(widget)
    yield widget
    ops.wait_idle()


def custom(ctx: AppContext, label: str, type_: FieldType, **kw: object) -> str:
    return create_custom_field(ctx.db, ctx.actor, "customer", CustomFieldInput(label=label, type=type_, **kw)).name


def open_form(qtbot: QtBot, ctx: AppContext, host: Host, record_id: int | None = None,
              service: RecordService[object] = customers) -> RecordDialog:  # type: ignore[assignment]
    host.record_dialog = None
    open_record_form(ctx, service, ORDER, record_id=record_id, title="Customer", parent=host,
                     on_saved=host.saved.append)
    qtbot.waitUntil(lambda: host.record_dialog is not None, timeout=5_000)
    assert host.record_dialog is not None and host.record_dialog.isVisible()
    return host.record_dialog


def save_and_wait(qtbot: QtBot, dialog: RecordDialog, host: Host, count: int) -> None:
    dialog.save()
    qtbot.waitUntil(lambda: len(host.saved) == count or bool(dialog.message_label.text()), timeout=5_000)
    assert len(host.saved) == count, dialog.message_label.text()


def test_form_saves_typed_custom_values(qtbot: QtBot, ctx: AppContext, host: Host) -> None:
    budget = custom(ctx, "Budget", FieldType.MONEY, help_text="Yearly budget in yuan")
    staff = custom(ctx, "Staff", FieldType.INTEGER, default=10)
    since = custom(ctx, "Customer since", FieldType.DATE)
    sector = custom(ctx, "Sector", FieldType.SELECT, dictionary="industry")
    channels = custom(ctx, "Channels", FieldType.MULTISELECT, dictionary="customer_source")
    vip = custom(ctx, "VIP", FieldType.BOOLEAN)
    manager = custom(ctx, "Account manager", FieldType.USER)
    dialog = open_form(qtbot, ctx, host)

    names = list(dialog.editors)
    # The caller's order first, then the other built-ins, then custom fields in schema order.
    assert names[:3] == ["name", "remark", "phone"]
    assert names[-7:] == [budget, staff, since, sector, channels, vip, manager]
    for system in ("owner_id", "created_at", "deal_status", "locked", "last_followup_at"):
        assert system not in dialog.editors
    assert {"email", "credit_code", "level", "province"} <= set(names)
    assert dialog.field_labels["name"].text() == "Customer name *"
    assert dialog.help_labels[budget].text() == "Yearly budget in yuan"
    assert dialog.value(staff) == 10  # default filled on a new record
    assert isinstance(dialog.editors[budget], FieldEditor)

    dialog.set_value("name", " 厦门海湾贸易有限公司 ")
    dialog.set_value("level", "A")
    dialog.set_value(budget, "1234567.8")
    dialog.set_value(since, dt.date(2026, 3, 1))
    dialog.set_value(sector, "finance")
    dialog.set_value(channels, ["website", "referral"])
    dialog.set_value(vip, True)
    dialog.set_value(manager, ctx.actor.user_id)
    save_and_wait(qtbot, dialog, host, 1)

    record = customers.get(ctx.db, ctx.actor, host.saved[0].id)
    assert record.values["name"] == "厦门海湾贸易有限公司" and record.values["level"] == "A"
    assert record.custom[budget] == "1234567.80"
    assert record.custom[staff] == 10
    assert record.custom[since] == "2026-03-01"
    assert record.custom[sector] == "finance"
    assert record.custom[channels] == ["referral", "website"]
    assert record.custom[vip] is True
    assert record.custom[manager] == ctx.actor.user_id

    # Editing shows the stored values and saves only what changed.
    edit = open_form(qtbot, ctx, host, record.id)
    assert edit.value(budget) == "1234567.80" and edit.value(since) == dt.date(2026, 3, 1)
    assert edit._changes() == {}
    edit.set_value(staff, 12)
    assert edit._changes() == {staff: 12}
    save_and_wait(qtbot, edit, host, 2)
    after = customers.get(ctx.db, ctx.actor, record.id)
    assert after.custom[staff] == 12 and after.custom[budget] == "1234567.80"
    assert after.version == record.version + 1


def test_required_custom_field_error_beside_it(qtbot: QtBot, ctx: AppContext, host: Host) -> None:
    contract = custom(ctx, "Contract no.", FieldType.TEXT, required=True)
    dialog = open_form(qtbot, ctx, host)
    assert dialog.field_labels[contract].text() == "Contract no. *"
    dialog.set_value("name", "厦门海湾贸易有限公司")
    dialog.save()
    qtbot.waitUntil(lambda: bool(dialog.field_error(contract)), timeout=5_000)
    assert dialog.field_error(contract) == "Required."
    assert dialog.field_error("name") == ""
    assert host.saved == [] and customers.count(ctx.db, ctx.actor) == 0
    assert dialog.value("name") == "厦门海湾贸易有限公司"  # nothing typed is lost


def test_field_permissions_read_only_and_hidden(qtbot: QtBot, ctx: AppContext, host: Host, sqlite_db: Database) -> None:
    score = custom(ctx, "Score", FieldType.INTEGER)
    secret = custom(ctx, "Secret note", FieldType.TEXT)
    role = roles.create_role(sqlite_db, ctx.actor, roles.RoleInput(
        name="Sales", permissions=frozenset(("customer", a) for a in ("view", "create", "edit")),
        scopes={"customer": DataScope.SELF},
    ))
    set_field_permissions(sqlite_db, ctx.actor, role.id, "customer",
                          {"phone": Access.READ, score: Access.READ, "remark": Access.HIDDEN, secret: Access.HIDDEN})
    users.create_user(sqlite_db, ctx.actor, users.UserInput(
        mobile="13900000001", name="销售小王", department_id=ctx.actor.department_id, role_ids=(role.id,)
    ), password="sales1234")
    sales = ctx.with_actor(auth.login(sqlite_db, "13900000001", "sales1234"))

    dialog = open_form(qtbot, sales, host)
    assert not dialog.editors["phone"].isEnabled() and not dialog.editors[score].isEnabled()
    assert dialog.editors["name"].isEnabled() and dialog.editors["email"].isEnabled()
    assert "remark" not in dialog.editors and secret not in dialog.editors
    dialog.set_value("name", "厦门海湾贸易有限公司")
    save_and_wait(qtbot, dialog, host, 1)  # read-only fields are not sent, so the service accepts
    assert customers.get(sqlite_db, sales.actor, host.saved[0].id).owner_id == sales.actor.user_id

    # The administrator sees and may change everything.
    admin_form = open_form(qtbot, ctx, host)
    assert admin_form.editors["phone"].isEnabled() and "remark" in admin_form.editors


def test_legacy_form_without_schema(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = RecordDialog(ctx, customers, ORDER, title="Old")
    qtbot.addWidget(dialog)
    assert list(dialog.editors) == ["name", "remark", "phone"]
    assert not dialog.help_labels and dialog.field_labels["name"].text() == "Customer name *"


def test_failed_read_goes_to_on_failed(qtbot: QtBot, ctx: AppContext, host: Host) -> None:
    errors: list[BaseException] = []
    open_record_form(ctx, customers, ORDER, record_id=999_999, title="x", parent=host, on_failed=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5_000)
    assert host.record_dialog is None


def test_dialog_deletes_itself_on_close(qtbot: QtBot, ctx: AppContext, host: Host) -> None:
    dialog = open_form(qtbot, ctx, host)
    dialog.reject()
    qtbot.waitUntil(lambda: not isValid(dialog), timeout=5_000)


def test_contact_form_subclass_through_entry_point(qtbot: QtBot, ctx: AppContext, host: Host) -> None:
    """ContactDialog (contacts_tab) keeps its customer picker when the form comes from the schema."""
    from crm_desktop.services.customers.contacts import CREATE_ONLY_FIELDS, contacts
    from crm_desktop.ui.records.forms.contact_form import ContactDialog

    customer = customers.create(ctx.db, ctx.actor, {"name": "厦门海湾贸易有限公司"})
    fields = (FormField("name", "Contact name", required=True),
              FormField("customer_id", "Customer", "choice", options=(("", ""), (str(customer.id), "厦门海湾贸易有限公司")),
                        required=True))
    open_record_form(ctx, contacts, fields, record_id=None, title="New contact", parent=host,
                     on_saved=host.saved.append, dialog_class=ContactDialog, create_only=CREATE_ONLY_FIELDS)
    qtbot.waitUntil(lambda: host.record_dialog is not None, timeout=5_000)
    dialog = host.record_dialog
    assert isinstance(dialog, ContactDialog)
    assert list(dialog.editors)[:2] == ["name", "customer_id"]
    assert {"gender", "birthday", "decision_maker"} <= set(dialog.editors)
    dialog.select_customer(customer.id)
    dialog.set_value("name", "林小姐")
    dialog.set_value("gender", "female")
    dialog.set_value("birthday", dt.date(1990, 5, 4))
    save_and_wait(qtbot, dialog, host, 1)
    saved = contacts.get(ctx.db, ctx.actor, host.saved[0].id)
    assert saved.values["customer_id"] == customer.id and saved.values["birthday"] == dt.date(1990, 5, 4)
    assert saved.values["gender"] == "female"

    # Editing: no customer picker (the caller leaves it out) and the primary flag is create-only.
    host.record_dialog = None
    open_record_form(ctx, contacts, fields[:1], record_id=saved.id, title="Edit", parent=host,
                     on_saved=host.saved.append, dialog_class=ContactDialog, create_only=CREATE_ONLY_FIELDS)
    qtbot.waitUntil(lambda: host.record_dialog is not None, timeout=5_000)
    edit = host.record_dialog
    assert "customer_id" not in edit.editors and not edit.editors["is_primary"].isEnabled()
    edit.set_value("position", "采购经理")
    save_and_wait(qtbot, edit, host, 2)
    assert contacts.get(ctx.db, ctx.actor, saved.id).values["position"] == "采购经理"
