"""Users (员工): created, edited, enabled and disabled — never deleted, so records keep owners."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Department, Role, User
from crm_desktop.services.errors import NotFound, RuleViolation, ValidationError
from crm_desktop.services.org import login_roles
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.passwords import check_policy, hash_password
from crm_desktop.services.org.permissions import require
from crm_desktop.services.records import audit
from crm_desktop.services.records.validation import (
    check_email,
    check_mobile,
    check_required,
)
from crm_desktop.services.uow import read_only, unit_of_work

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from crm_desktop.db import Database

GENDERS = ("", "male", "female")


@dataclass(frozen=True)
class UserDTO:
    id: int
    mobile: str
    name: str
    gender: str
    email: str
    department_id: int
    department_name: str
    position: str
    superior_id: int | None
    superior_name: str
    role_ids: tuple[int, ...]
    role_names: tuple[str, ...]
    enabled: bool
    locked_until: dt.datetime | None
    last_login_at: dt.datetime | None


@dataclass(frozen=True)
class UserInput:
    mobile: str
    name: str
    department_id: int
    gender: str = ""
    email: str = ""
    position: str = ""
    superior_id: int | None = None
    role_ids: tuple[int, ...] = ()


def _dto(user: User, dept_name: str, superior_name: str) -> UserDTO:
    return UserDTO(
        id=user.id, mobile=user.mobile, name=user.name, gender=user.gender, email=user.email,
        department_id=user.department_id, department_name=dept_name, position=user.position,
        superior_id=user.superior_id, superior_name=superior_name,
        role_ids=tuple(r.id for r in user.roles), role_names=tuple(r.name for r in user.roles),
        enabled=user.enabled, locked_until=user.locked_until, last_login_at=user.last_login_at,
    )


def list_users(db: Database, actor: Actor, *, include_disabled: bool = True) -> list[UserDTO]:
    """Everyone in the company (owner pickers need the enabled ones; admins see all)."""
    with read_only(db, actor) as uow:
        s = uow.session
        names = dict(s.execute(select(User.id, User.name)).all())
        depts = dict(s.execute(select(Department.id, Department.name)).all())
        query = select(User).order_by(User.enabled.desc(), User.id)
        if not include_disabled:
            query = query.where(User.enabled.is_(True))
        return [
            _dto(u, depts.get(u.department_id, ""), names.get(u.superior_id, "") if u.superior_id else "")
            for u in s.scalars(query)
        ]


def get_user(db: Database, actor: Actor, user_id: int) -> UserDTO:
    with read_only(db, actor) as uow:
        user = uow.session.get(User, user_id)
        if user is None:
            raise NotFound("user", user_id)
        dept = uow.session.get_one(Department, user.department_id)
        sup = uow.session.get(User, user.superior_id) if user.superior_id else None
        return _dto(user, dept.name, sup.name if sup else "")


def _validate(session: Session, data: UserInput, *, user_id: int | None, password: str | None = None) -> list[Role]:
    errors: dict[str, str] = {}
    if password is not None:  # checked with the rest so the form shows every problem at once
        try:
            check_policy(password)
        except ValidationError as exc:
            errors |= exc.field_errors
    errors |= check_mobile(data.mobile)
    errors |= check_required(data.name, field="name")
    errors |= check_email(data.email)
    if data.gender not in GENDERS:
        errors["gender"] = QT_TRANSLATE_NOOP("errors", "Choose a listed value.")
    if session.get(Department, data.department_id) is None:
        errors["department_id"] = QT_TRANSLATE_NOOP("errors", "Choose a department.")
    if "mobile" not in errors:
        clash = session.scalar(select(User.id).where(User.mobile == data.mobile.strip()))
        if clash is not None and clash != user_id:
            errors["mobile"] = QT_TRANSLATE_NOOP("errors", "Another user has this mobile number.")
    if data.superior_id is not None:
        errors |= _check_superior(session, user_id, data.superior_id)
    roles = list(session.scalars(select(Role).where(Role.id.in_(data.role_ids))))
    if len(roles) != len(set(data.role_ids)):
        errors["role_ids"] = QT_TRANSLATE_NOOP("errors", "Unknown role.")
    if errors:
        raise ValidationError(errors)
    return roles


def _check_superior(session: Session, user_id: int | None, superior_id: int) -> dict[str, str]:
    """The direct superior must exist and must not be the user or anyone below them."""
    seen: set[int] = set()
    current: int | None = superior_id
    while current is not None and current not in seen:
        if current == user_id:
            return {"superior_id": QT_TRANSLATE_NOOP(
                "errors", "This superior would make a loop: a user cannot be above their own superior.")}
        seen.add(current)
        current = session.scalar(select(User.superior_id).where(User.id == current))
    if session.get(User, superior_id) is None:
        return {"superior_id": QT_TRANSLATE_NOOP("errors", "No such user.")}
    return {}


def _snapshot(user: User) -> dict[str, object]:
    return {
        "mobile": user.mobile, "name": user.name, "gender": user.gender, "email": user.email,
        "department_id": user.department_id, "position": user.position, "superior_id": user.superior_id,
        "roles": sorted(r.id for r in user.roles), "enabled": user.enabled,
    }


def _apply(user: User, data: UserInput, roles: list[Role]) -> None:
    user.mobile, user.name = data.mobile.strip(), data.name.strip()
    user.gender, user.email, user.position = data.gender, data.email.strip(), data.position.strip()
    user.department_id, user.superior_id = data.department_id, data.superior_id
    user.roles = roles


def _enabled_supers(session: Session) -> int:
    return session.scalar(
        select(func.count(User.id)).join(User.roles).where(Role.is_super.is_(True), User.enabled.is_(True))
    ) or 0


def create_user(db: Database, actor: Actor, data: UserInput, *, password: str) -> UserDTO:
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "user", "create")
        roles = _validate(uow.session, data, user_id=None, password=password)
        user = User(password_hash=hash_password(password))
        _apply(user, data, roles)
        uow.session.add(user)
        try:
            uow.session.flush()
        except IntegrityError:
            raise ValidationError({"mobile": QT_TRANSLATE_NOOP("errors", "Another user has this mobile number.")}) from None
        audit.write_audit(uow.session, entity="user", record_id=user.id, action="create",
                          actor_id=uow.actor.user_id, changes={k: (None, v) for k, v in _snapshot(user).items()})
        login_roles.sync(uow.session, user.id, password=password)
    return get_user(db, actor, user.id)


def update_user(db: Database, actor: Actor, user_id: int, data: UserInput) -> UserDTO:
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "user", "edit")
        user = uow.session.get(User, user_id)
        if user is None:
            raise NotFound("user", user_id)
        roles = _validate(uow.session, data, user_id=user_id)
        before = _snapshot(user)
        _apply(user, data, roles)
        uow.session.flush()
        if user.enabled and before["roles"] != sorted(r.id for r in roles) and _enabled_supers(uow.session) == 0:
            raise RuleViolation(QT_TRANSLATE_NOOP("errors", "At least one enabled user must stay super administrator."))
        after = _snapshot(user)
        changes = {k: (before[k], after[k]) for k in after if before[k] != after[k]}
        if changes:
            audit.write_audit(uow.session, entity="user", record_id=user.id, action="update",
                              actor_id=uow.actor.user_id, changes=changes)
    return get_user(db, actor, user_id)


def set_enabled(db: Database, actor: Actor, user_id: int, *, enabled: bool) -> None:
    """Disable (or re-enable) a user. Their records stay, owned by them."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "user", "disable")
        user = uow.session.get(User, user_id)
        if user is None:
            raise NotFound("user", user_id)
        if not enabled and user.id == uow.actor.user_id:
            raise RuleViolation(QT_TRANSLATE_NOOP("errors", "You cannot disable your own account."))
        if user.enabled == enabled:
            return
        user.enabled = enabled
        uow.session.flush()
        if not enabled and _enabled_supers(uow.session) == 0:
            raise RuleViolation(QT_TRANSLATE_NOOP("errors", "At least one enabled user must stay super administrator."))
        audit.write_audit(uow.session, entity="user", record_id=user.id, action="update",
                          actor_id=uow.actor.user_id, changes={"enabled": (not enabled, enabled)})
        login_roles.sync(uow.session, user.id)
