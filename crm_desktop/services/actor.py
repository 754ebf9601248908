"""The acting user, as every service call receives it."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.models import User
from crm_desktop.services.errors import AccountDisabled, NotFound
from crm_desktop.services.permissions import MODULES, DataScope


@dataclass(frozen=True)
class Actor:
    """Who is acting, with the permissions of all their roles merged.

    Services reload it from the database at the start of each unit of work, so a role
    change or a disabled account takes effect on the next call, not the next login.
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

    def can(self, module: str, action: str) -> bool:
        return self.is_super or (module, action) in self.permissions

    def scopes_for(self, module: str) -> frozenset[DataScope]:
        if self.is_super:
            return frozenset({DataScope.ALL})
        return self.scopes.get(module, frozenset({DataScope.SELF}))


def load_actor(session: Session, user_id: int) -> Actor:
    """Build the actor from the database; a disabled user cannot act."""
    user = session.scalar(select(User).where(User.id == user_id))
    if user is None:
        raise NotFound("user", user_id)
    if not user.enabled:
        raise AccountDisabled()
    permissions: set[tuple[str, str]] = set()
    scopes: dict[str, set[DataScope]] = {}
    is_super = False
    for role in user.roles:
        is_super = is_super or role.is_super
        permissions.update((p.module, p.action) for p in role.permissions)
        granted = {s.module: DataScope(s.scope) for s in role.scopes}
        for module, spec in MODULES.items():
            if spec.scoped:
                # A role that does not name a scope for a module sees its own records only.
                scopes.setdefault(module, set()).add(granted.get(module, DataScope.SELF))
    return Actor(
        user_id=user.id,
        name=user.name,
        mobile=user.mobile,
        department_id=user.department_id,
        is_super=is_super,
        permissions=frozenset(permissions),
        scopes={m: frozenset(s) for m, s in scopes.items()},
        role_names=tuple(r.name for r in user.roles),
    )
