"""Departments (部门) as a tree under one top department (the company)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Department, RoleScopeDepartment, Setting, User
from crm_desktop.services.errors import NotFound, RuleViolation, ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.records import audit
from crm_desktop.services.uow import read_only, unit_of_work

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from crm_desktop.db import Database


@dataclass(frozen=True)
class DepartmentDTO:
    id: int
    name: str
    parent_id: int | None
    sort_order: int
    user_count: int


def list_departments(db: Database, actor: Actor) -> list[DepartmentDTO]:
    """The whole tree, parents before children. Any logged-in user may read it: owner and
    department pickers everywhere need it, and names are not confidential."""
    with read_only(db, actor) as uow:
        counts = dict(
            uow.session.execute(select(User.department_id, func.count(User.id)).group_by(User.department_id)).all()
        )
        rows = uow.session.scalars(select(Department).order_by(Department.sort_order, Department.id)).all()
        by_parent: dict[int | None, list[Department]] = {}
        for d in rows:
            by_parent.setdefault(d.parent_id, []).append(d)
        ordered: list[DepartmentDTO] = []

        def walk(parent: int | None) -> None:
            for d in by_parent.get(parent, []):
                ordered.append(DepartmentDTO(d.id, d.name, d.parent_id, d.sort_order, counts.get(d.id, 0)))
                walk(d.id)

        walk(None)
        return ordered


def _get(session: Session, department_id: int) -> Department:
    dept = session.get(Department, department_id)
    if dept is None:
        raise NotFound("department", department_id)
    return dept


def _clean_name(name: str) -> str:
    if not name.strip():
        raise ValidationError({"name": QT_TRANSLATE_NOOP("errors", "Required.")})
    return name.strip()


def create_department(db: Database, actor: Actor, name: str, *, parent_id: int) -> DepartmentDTO:
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "department", "create")
        _get(uow.session, parent_id)
        siblings = uow.session.scalar(
            select(func.count(Department.id)).where(Department.parent_id == parent_id)
        ) or 0
        dept = Department(name=_clean_name(name), parent_id=parent_id, sort_order=siblings)
        uow.session.add(dept)
        uow.session.flush()
        audit.write_audit(uow.session, entity="department", record_id=dept.id, action="create",
                          actor_id=uow.actor.user_id, changes={"name": (None, dept.name), "parent_id": (None, parent_id)})
        return DepartmentDTO(dept.id, dept.name, dept.parent_id, dept.sort_order, 0)


def rename_department(db: Database, actor: Actor, department_id: int, *, name: str) -> None:
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "department", "edit")
        dept = _get(uow.session, department_id)
        old, dept.name = dept.name, _clean_name(name)
        if dept.parent_id is None:  # the top department is the company
            uow.session.merge(Setting(key="company_name", value=dept.name))
        audit.write_audit(uow.session, entity="department", record_id=dept.id, action="update",
                          actor_id=uow.actor.user_id, changes={"name": (old, dept.name)})


def move_department(db: Database, actor: Actor, department_id: int, *, new_parent_id: int) -> None:
    """Put a department under another one; refused for the top one and into its own subtree."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "department", "edit")
        dept = _get(uow.session, department_id)
        if dept.parent_id is None:
            raise RuleViolation(QT_TRANSLATE_NOOP("errors", "The top department cannot be moved."))
        node: Department | None = _get(uow.session, new_parent_id)
        while node is not None:
            if node.id == dept.id:
                raise RuleViolation(
                    QT_TRANSLATE_NOOP("errors", "A department cannot be moved under itself or its sub-departments.")
                )
            node = uow.session.get(Department, node.parent_id) if node.parent_id else None
        old, dept.parent_id = dept.parent_id, new_parent_id
        audit.write_audit(uow.session, entity="department", record_id=dept.id, action="update",
                          actor_id=uow.actor.user_id, changes={"parent_id": (old, new_parent_id)})


def delete_department(db: Database, actor: Actor, department_id: int) -> None:
    """Delete an empty department; one with users or sub-departments is refused, saying why.

    A role whose custom data scope names the department loses it (the role's audit log says
    so). That changes nobody's view: only a department without users and sub-departments can
    be deleted, and a custom scope never implies sub-departments. A custom scope left with no
    department covers its holders' own records until the administrator chooses again.
    """
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "department", "delete")
        dept = _get(uow.session, department_id)
        if dept.parent_id is None:
            raise RuleViolation(QT_TRANSLATE_NOOP("errors", "The top department cannot be deleted."))
        users = uow.session.scalar(select(func.count(User.id)).where(User.department_id == dept.id)) or 0
        if users:
            raise RuleViolation(
                QT_TRANSLATE_NOOP("errors", "“{name}” still has {count} user(s). Move them to another department first."),
                name=dept.name, count=users,
            )
        children = uow.session.scalar(select(func.count(Department.id)).where(Department.parent_id == dept.id)) or 0
        if children:
            raise RuleViolation(
                QT_TRANSLATE_NOOP("errors", "“{name}” still has {count} sub-department(s). Delete or move them first."),
                name=dept.name, count=children,
            )
        _drop_from_custom_scopes(uow.session, uow.actor, dept)
        audit.write_audit(uow.session, entity="department", record_id=dept.id, action="delete",
                          actor_id=uow.actor.user_id, changes={"name": (dept.name, None)})
        uow.session.delete(dept)


def _drop_from_custom_scopes(session: Session, actor: Actor, dept: Department) -> None:
    """Remove the department from every role's custom scope, with an audit entry per role.

    Explicit rather than left to ON DELETE CASCADE: the roles' audit log must say it happened.
    """
    department_id = dept.id
    rows = session.execute(
        select(RoleScopeDepartment.role_id, RoleScopeDepartment.module)
        .where(RoleScopeDepartment.department_id == department_id)
        .order_by(RoleScopeDepartment.role_id, RoleScopeDepartment.module)
    ).all()
    if not rows:
        return
    by_role: dict[int, list[str]] = {}
    for role_id, module in rows:
        by_role.setdefault(role_id, []).append(module)
    session.execute(delete(RoleScopeDepartment).where(RoleScopeDepartment.department_id == department_id))
    for role_id, modules in by_role.items():
        audit.write_audit(session, entity="role", record_id=role_id, action="update", actor_id=actor.user_id,
                          changes={f"scope_departments.{m}": (dept.name, None) for m in modules})
