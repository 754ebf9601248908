"""The acting user, as every service call receives it."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import String, bindparam, cast, literal, select, union_all
from sqlalchemy.orm import Session

from crm_desktop.models import (
    Role,
    RoleDataScope,
    RolePermission,
    RoleScopeDepartment,
    User,
    user_roles,
)
from crm_desktop.services.errors import AccountDisabled, NotFound
from crm_desktop.services.org.permissions import MODULES, DataScope


@dataclass(frozen=True)
class Actor:
    """Who is acting, with the permissions of all their roles merged.

    Services reload it from the database at the start of each unit of work (reads take it
    from the security cache while the database's token says nothing it is built from
    changed), so a role change or a disabled account takes effect on the next call, not the
    next login.
    """

    user_id: int
    name: str
    mobile: str
    department_id: int
    is_super: bool
    permissions: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    #: module → the scopes granted by the user's roles (their union is what they see).
    scopes: Mapping[str, frozenset[DataScope]] = field(default_factory=dict)
    role_names: tuple[str, ...] = ()
    role_ids: tuple[int, ...] = ()
    #: module → the departments of the custom scopes among ``scopes`` (their union: several
    #: roles with a custom scope on one module see every department any of them names).
    custom_departments: Mapping[str, frozenset[int]] = field(default_factory=dict)

    def can(self, module: str, action: str) -> bool:
        return self.is_super or (module, action) in self.permissions

    def scopes_for(self, module: str) -> frozenset[DataScope]:
        spec = MODULES.get(module)
        # A module without a data scope (the product catalogue) is all-or-nothing: whoever
        # may view it sees every record, on every read path that uses the one scope filter.
        if self.is_super or (spec is not None and not spec.scoped):
            return frozenset({DataScope.ALL})
        return self.scopes.get(module, frozenset({DataScope.SELF}))

    def departments_for(self, module: str) -> frozenset[int]:
        """The departments the actor's custom scope on ``module`` covers (empty without one)."""
        if DataScope.CUSTOM not in self.scopes_for(module):
            return frozenset()
        return self.custom_departments.get(module, frozenset())


# Built once: every service call runs them, and building a statement costs more than running it.
_USER_AND_ROLES = (
    select(User.id, User.name, User.mobile, User.department_id, User.enabled, Role.id, Role.name, Role.is_super)
    .outerjoin(user_roles, user_roles.c.user_id == User.id)
    .outerjoin(Role, Role.id == user_roles.c.role_id)
    .where(User.id == bindparam("user_id"))
    .order_by(Role.id)
)
_GRANTS = union_all(
    select(RolePermission.role_id, literal("p"), RolePermission.module, RolePermission.action)
    .where(RolePermission.role_id.in_(bindparam("role_ids", expanding=True))),
    select(RoleDataScope.role_id, literal("s"), RoleDataScope.module, RoleDataScope.scope)
    .where(RoleDataScope.role_id.in_(bindparam("role_ids", expanding=True))),
    select(RoleScopeDepartment.role_id, literal("d"), RoleScopeDepartment.module,
           cast(RoleScopeDepartment.department_id, String))
    .where(RoleScopeDepartment.role_id.in_(bindparam("role_ids", expanding=True))),
)


def load_actor(session: Session, user_id: int) -> Actor:
    """Build the actor from the database; a disabled user cannot act.

    Every service call starts here, so it is two plain queries (the user with their roles;
    the roles' permissions, scopes and custom-scope departments together) rather than ORM
    objects and lazy loads.
    """
    rows = session.execute(_USER_AND_ROLES, {"user_id": user_id}).all()
    if not rows:
        raise NotFound("user", user_id)
    first = rows[0]
    if not first.enabled:
        raise AccountDisabled()
    roles = [(r[5], r[6], bool(r[7])) for r in rows if r[5] is not None]
    role_ids = [role_id for role_id, _name, _super in roles]
    permissions: set[tuple[str, str]] = set()
    granted: dict[int, dict[str, DataScope]] = {role_id: {} for role_id in role_ids}
    chosen: dict[tuple[int, str], set[int]] = {}
    if role_ids:
        for role_id, kind, module, value in session.execute(_GRANTS, {"role_ids": role_ids}):
            if kind == "p":
                permissions.add((module, value))
            elif kind == "s":
                granted[role_id][module] = DataScope(value)
            else:
                chosen.setdefault((role_id, module), set()).add(int(value))
    scopes: dict[str, set[DataScope]] = {}
    departments: dict[str, set[int]] = {}
    for role_id in role_ids:
        for module, spec in MODULES.items():
            if spec.scoped:
                # A role that does not name a scope for a module sees its own records only.
                scope = granted[role_id].get(module, DataScope.SELF)
                scopes.setdefault(module, set()).add(scope)
                if scope is DataScope.CUSTOM:
                    departments.setdefault(module, set()).update(chosen.get((role_id, module), ()))
    return Actor(
        user_id=first[0],
        name=first[1],
        mobile=first[2],
        department_id=first[3],
        is_super=any(is_super for _id, _name, is_super in roles),
        permissions=frozenset(permissions),
        scopes={m: frozenset(s) for m, s in scopes.items()},
        role_names=tuple(name for _id, name, _super in roles),
        role_ids=tuple(role_ids),
        custom_departments={m: frozenset(d) for m, d in departments.items()},
    )
