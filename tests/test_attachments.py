"""Attachments live in the database: add, list, read back byte for byte, remove; scope and
edit rights hold; large files are refused in words — both backends."""
from __future__ import annotations

import os

import pytest

from crm_desktop.db import Database
from crm_desktop.models import Customer
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import NotFound, PermissionDenied, ValidationError
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import RECORD_ACTIONS, DataScope
from crm_desktop.services.org.roles import RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.services.records import attachments


def test_attachments_round_trip_and_rules(db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    c = customers.create(db, admin, {"name": "星辰"})
    data = os.urandom(300_000)
    a = attachments.add_attachment(db, admin, Customer, c.id, filename="C:\\合同\\报价单.pdf", data=data)
    assert (a.filename, a.mime_type, a.size) == ("报价单.pdf", "application/pdf", 300_000)
    assert [x.id for x in attachments.list_attachments(db, admin, Customer, c.id)] == [a.id]
    assert attachments.read_attachment(db, admin, Customer, a.id) == ("报价单.pdf", data)

    role = roles.create_role(db, admin, RoleInput(
        name="只看", permissions=frozenset({("customer", a) for a in RECORD_ACTIONS}),
        scopes={"customer": DataScope.SELF}))
    users.create_user(db, admin, UserInput(mobile="13700000001", name="李", department_id=admin.department_id,
                                           role_ids=(role.id,)), password="abc12345")
    rep = auth.login(db, "13700000001", "abc12345")
    with pytest.raises(NotFound):
        attachments.list_attachments(db, rep, Customer, c.id)
    with pytest.raises(NotFound):
        attachments.read_attachment(db, rep, Customer, a.id)
    customers.set_team_member(db, admin, c.id, user_id=rep.user_id, access="read")
    assert attachments.read_attachment(db, rep, Customer, a.id)[1] == data  # team members can read
    with pytest.raises(PermissionDenied):
        attachments.add_attachment(db, rep, Customer, c.id, filename="x.txt", data=b"x")

    monkeypatch.setattr(attachments, "MAX_BYTES", 1000)
    with pytest.raises(ValidationError) as err:
        attachments.add_attachment(db, admin, Customer, c.id, filename="big.bin", data=b"0" * 1001)
    assert "file" in err.value.field_errors
    attachments.remove_attachment(db, admin, Customer, a.id)
    assert attachments.list_attachments(db, admin, Customer, c.id) == []
    log = [e.action for e in customers.operation_log(db, admin, c.id)]
    assert log.count("attachment") == 2
