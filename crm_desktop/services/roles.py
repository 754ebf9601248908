"""Roles (角色): operation permissions and data scopes per module."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Role, RoleDataScope, RolePermission, user_roles
from crm_desktop.services import audit
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import NotFound, RuleViolation, ValidationError
from crm_desktop.services.permissions import MODULES, DataScope, require
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


@dataclass(frozen=True)
class RoleInput:
    name: str
    description: str = ""
    permissions: frozenset[tuple[str, str]] = frozenset()
    scopes: Mapping[str, DataScope] = field(default_factory=dict)


def _dto(role: Role, user_count: int) -> RoleDTO:
    return RoleDTO(
        id=role.id, name=role.name, description=role.description, is_super=role.is_super,
        user_count=user_count,
        permissions=frozenset((p.module, p.action) for p in role.permissions),
        scopes={s.module: DataScope(s.scope) for s in role.scopes},
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
    if errors:
        raise ValidationError(errors)


def _apply(role: Role, data: RoleInput) -> None:
    role.name = data.name.strip()
    role.description = data.description.strip()
    role.permissions = [RolePermission(module=m, action=a) for m, a in sorted(data.permissions)]
    role.scopes = [RoleDataScope(module=m, scope=DataScope(s).value) for m, s in sorted(data.scopes.items())]


def _snapshot(role: Role) -> dict[str, object]:
    return {
        "name": role.name, "description": role.description,
        "permissions": sorted(f"{p.module}.{p.action}" for p in role.permissions),
        "scopes": {s.module: s.scope for s in role.scopes},
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
