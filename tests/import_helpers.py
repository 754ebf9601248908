"""Shared helpers of the import tests: real xlsx files, users with roles, table counts."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import func, select

from crm_desktop.db import Database
from crm_desktop.models import (
    AuditEntry,
    Contact,
    Customer,
    ImportBatchRow,
    Lead,
    Product,
)
from crm_desktop.services.org import roles, users
from crm_desktop.services.org.actor import Actor, load_actor
from crm_desktop.services.org.permissions import MODULES as PERMISSION_MODULES
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.org.roles import RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.services.uow import read_only

MODULES = ("customer", "lead", "contact", "product")
_mobiles = iter(range(13500000001, 13599999999))


def xlsx(path: Path, rows: Sequence[Sequence[Any]], *, sheet: str = "客户", text_cells: bool = True) -> Path:
    """A real workbook; every string cell is written as text (a leading "=" stays text)."""
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if text_cells and isinstance(value, str):
                cell.data_type = "s"
    book.save(path)
    return path


def person(db: Database, admin: Actor, *, dept: int, actions: Sequence[str] = ("import",),
           scope: DataScope = DataScope.SELF, superior: int | None = None, name: str | None = None) -> Actor:
    mobile = str(next(_mobiles))
    perms = frozenset((m, a) for m in MODULES for a in ("view", "create", "edit", *actions)
                      if a in PERMISSION_MODULES[m].actions)
    role = roles.create_role(db, admin, RoleInput(name=f"r{mobile}", permissions=perms,
                                                  scopes={m: scope for m in MODULES if m != "product"}))
    u = users.create_user(db, admin, UserInput(mobile=mobile, name=name or f"员工{mobile[-4:]}", department_id=dept,
                                               role_ids=(role.id,), superior_id=superior), password="abc12345")
    with read_only(db, None) as uow:
        return load_actor(uow.session, u.id)


def counts(db: Database) -> dict[str, int]:
    with db.sessions() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0
                for m in (Customer, Contact, Lead, Product, AuditEntry, ImportBatchRow)}
