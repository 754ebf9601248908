"""Roles (角色): operation permissions and data scopes per module.

A custom scope (自定义, ``DataScope.CUSTOM``) names its departments in ``scope_departments``:
exactly those departments' users' records (sub-departments only when named too), plus, as
every scope, the role holder's own. Unknown department ids are a ValidationError; deleting a
department drops it from every custom scope (services/org/departments.py).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    Department,
    Role,
    RoleDataScope,
    RolePermission,
    RoleScopeDepartment,
    user_roles,
)
from crm_desktop.services.errors import NotFound, RuleViolation, ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import MODULES, DataScope, require
from crm_desktop.services.records import audit
from crm_desktop.services.uow import read_only, unit_of_work

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from crm_desktop.db import Database


@dataclass(frozen=True)
class RoleDTO:
    id: int
    name: str
    description: str
    is_super: bool
    user_count: int
    permissions: frozenset[tuple[str, str]]
    scopes: Mapping[str, DataScope]
    #: module → the departments of its custom scope (only modules whose scope is CUSTOM).
    scope_departments: Mapping[str, frozenset[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class RoleInput:
    name: str
    description: str = ""
    permissions: frozenset[tuple[str, str]] = frozenset()
    scopes: Mapping[str, DataScope] = field(default_factory=dict)
    #: module → the departments its custom scope covers; required (non-empty) for every
    #: module whose scope is CUSTOM, refused for any other.
    scope_departments: Mapping[str, frozenset[int]] = field(default_factory=dict)


def _dto(role: Role, user_count: int) -> RoleDTO:
    return RoleDTO(
        id=role.id, name=role.name, description=role.description, is_super=role.is_super,
        user_count=user_count,
        permissions=frozenset((p.module, p.action) for p in role.permissions),
        scopes={s.module: DataScope(s.scope) for s in role.scopes},
        scope_departments={s.module: frozenset(d.department_id for d in s.departments)
                           for s in role.scopes if s.scope == DataScope.CUSTOM},
    )


def _counts(session: Session) -> dict[int, int]:
    return dict(session.execute(
        select(user_roles.c.role_id, func.count(user_roles.c.user_id)).group_by(user_roles.c.role_id)
    ).all())


def list_roles(db: Database, actor: Actor) -> list[RoleDTO]:
    """All roles, the super administrator first. Readable by anyone who can see users or
    roles (the user editor picks roles from this list)."""
    with read_only(db, actor) as uow:
        if not uow.actor.can("user", "view"):
            require(uow.actor, "role", "view")
        counts = _counts(uow.session)
        rows = uow.session.scalars(select(Role).order_by(Role.is_super.desc(), Role.id)).all()
        return [_dto(r, counts.get(r.id, 0)) for r in rows]


def _validate(session: Session, data: RoleInput, *, role_id: int | None) -> None:
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = QT_TRANSLATE_NOOP("errors", "Required.")
    else:
        clash = session.scalar(select(Role.id).where(Role.name == data.name.strip()))
        if clash is not None and clash != role_id:
            errors["name"] = QT_TRANSLATE_NOOP("errors", "Another role has this name.")
    for module, action in data.permissions:
        if module not in MODULES or action not in MODULES[module].actions:
            errors["permissions"] = QT_TRANSLATE_NOOP("errors", "Unknown permission.")
    for module in data.scopes:
        if module not in MODULES or not MODULES[module].scoped:
            errors["scopes"] = QT_TRANSLATE_NOOP("errors", "Unknown module.")
    _validate_departments(session, data, errors)
    if errors:
        raise ValidationError(errors)


def _validate_departments(session: Session, data: RoleInput, errors: dict[str, str]) -> None:
    """Custom scopes name at least one department, all of which exist; no other scope names any."""
    custom = {m for m, s in data.scopes.items() if DataScope(s) is DataScope.CUSTOM}
    if any(m not in custom for m in data.scope_departments):
        errors["scope_departments"] = QT_TRANSLATE_NOOP(
            "errors", "Departments can only be chosen for the custom data scope.")
    elif any(not data.scope_departments.get(m) for m in custom):
        errors["scope_departments"] = QT_TRANSLATE_NOOP(
            "errors", "Choose at least one department for each custom data scope.")
    else:
        wanted = set().union(*data.scope_departments.values()) if data.scope_departments else set()
        if wanted:
            found = set(session.scalars(select(Department.id).where(Department.id.in_(sorted(wanted)))))
            if wanted - found:
                errors["scope_departments"] = QT_TRANSLATE_NOOP("errors", "Unknown department.")


def _apply(role: Role, data: RoleInput) -> None:
    role.name = data.name.strip()
    role.description = data.description.strip()
    role.permissions = [RolePermission(module=m, action=a) for m, a in sorted(data.permissions)]
    # Scope rows are changed in place (not replaced): a replaced row with the same key would
    # be deleted and inserted in one flush, its departments' foreign key in between.
    existing = {s.module: s for s in role.scopes}
    kept: list[RoleDataScope] = []
    for module, scope in sorted(data.scopes.items()):
        row = existing.get(module) or RoleDataScope(module=module)
        row.scope = DataScope(scope).value
        custom = DataScope(scope) is DataScope.CUSTOM
        wanted = sorted(data.scope_departments.get(module, ())) if custom else []
        have = {d.department_id: d for d in row.departments}
        row.departments = [have.get(d) or RoleScopeDepartment(department_id=d) for d in wanted]
        kept.append(row)
    role.scopes = kept


def _snapshot(role: Role) -> dict[str, object]:
    return {
        "name": role.name, "description": role.description,
        "permissions": sorted(f"{p.module}.{p.action}" for p in role.permissions),
        "scopes": {s.module: s.scope for s in role.scopes},
        "scope_departments": {s.module: sorted(d.department_id for d in s.departments)
                              for s in role.scopes if s.departments},
    }


def create_role(db: Database, actor: Actor, data: RoleInput) -> RoleDTO:
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "role", "create")
        _validate(uow.session, data, role_id=None)
        role = Role(is_super=False)
        _apply(role, data)
        uow.session.add(role)
        try:
            uow.session.flush()
        except IntegrityError:  # two administrators typing the same name at once
            raise ValidationError({"name": QT_TRANSLATE_NOOP("errors", "Another role has this name.")}) from None
        audit.write_audit(uow.session, entity="role", record_id=role.id, action="create",
                          actor_id=uow.actor.user_id, changes={k: (None, v) for k, v in _snapshot(role).items()})
        return _dto(role, 0)


def _editable(session: Session, role_id: int) -> Role:
    role = session.get(Role, role_id)
    if role is None:
        raise NotFound("role", role_id)
    if role.is_super:
        raise RuleViolation(QT_TRANSLATE_NOOP("errors", "The super administrator role cannot be changed or deleted."))
    return role


def update_role(db: Database, actor: Actor, role_id: int, data: RoleInput) -> RoleDTO:
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "role", "edit")
        role = _editable(uow.session, role_id)
        _validate(uow.session, data, role_id=role_id)
        before = _snapshot(role)
        _apply(role, data)
        uow.session.flush()
        after = _snapshot(role)
        changes = {k: (before[k], after[k]) for k in after if before[k] != after[k]}
        if changes:
            audit.write_audit(uow.session, entity="role", record_id=role.id, action="update",
                              actor_id=uow.actor.user_id, changes=changes)
        return _dto(role, _counts(uow.session).get(role.id, 0))


def delete_role(db: Database, actor: Actor, role_id: int) -> None:
    """Delete a role nobody holds; a role still held is refused with the count."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "role", "delete")
        role = _editable(uow.session, role_id)
        holders = _counts(uow.session).get(role.id, 0)
        if holders:
            raise RuleViolation(
                QT_TRANSLATE_NOOP("errors", "{count} user(s) still hold the role “{name}”. Give them another role first."),
                count=holders, name=role.name,
            )
        audit.write_audit(uow.session, entity="role", record_id=role.id, action="delete",
                          actor_id=uow.actor.user_id, changes={"name": (role.name, None)})
        uow.session.delete(role)
