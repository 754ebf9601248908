"""The catalogue of modules, actions and data scopes, and the operation-permission check.

Later modules add themselves with ``register_module`` so that the role editor, the
permission matrix and the checks all read the same list.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.errors import PermissionDenied

CONTEXT = "permissions"


class DataScope(StrEnum):
    """Which owners' records a role lets its users see in one module.

    Every scope includes the user's own records. ``CUSTOM`` (自定义) covers the records owned
    by users of the departments the role names for the module (``RoleScopeDepartment``),
    exactly those departments: a sub-department is covered only when it is ticked too, so a
    department added later is never shown to a role without the administrator choosing it.
    """

    SELF = "self"
    SUBORDINATES = "self_and_subordinates"
    DEPARTMENT = "department"
    DEPARTMENT_TREE = "department_tree"
    ALL = "all"
    CUSTOM = "custom"


SCOPE_LABELS: dict[DataScope, str] = {
    DataScope.SELF: QT_TRANSLATE_NOOP("permissions", "Self"),
    DataScope.SUBORDINATES: QT_TRANSLATE_NOOP("permissions", "Self and subordinates"),
    DataScope.DEPARTMENT: QT_TRANSLATE_NOOP("permissions", "Own department"),
    DataScope.DEPARTMENT_TREE: QT_TRANSLATE_NOOP("permissions", "Department and sub-departments"),
    DataScope.ALL: QT_TRANSLATE_NOOP("permissions", "All"),
    DataScope.CUSTOM: QT_TRANSLATE_NOOP("permissions", "Custom"),
}

ACTION_LABELS: dict[str, str] = {
    "view": QT_TRANSLATE_NOOP("permissions", "View"),
    "create": QT_TRANSLATE_NOOP("permissions", "Create"),
    "edit": QT_TRANSLATE_NOOP("permissions", "Edit"),
    "delete": QT_TRANSLATE_NOOP("permissions", "Delete"),
    "transfer": QT_TRANSLATE_NOOP("permissions", "Transfer"),
    "import": QT_TRANSLATE_NOOP("permissions", "Import"),
    "export": QT_TRANSLATE_NOOP("permissions", "Export"),
    "disable": QT_TRANSLATE_NOOP("permissions", "Enable / disable"),
    "reset_password": QT_TRANSLATE_NOOP("permissions", "Reset password"),
    "convert": QT_TRANSLATE_NOOP("permissions", "Convert"),
    "put_in_pool": QT_TRANSLATE_NOOP("permissions", "Put in pool"),
    "lock": QT_TRANSLATE_NOOP("permissions", "Lock / unlock"),
    "claim": QT_TRANSLATE_NOOP("permissions", "Claim"),
    "assign": QT_TRANSLATE_NOOP("permissions", "Assign"),
    "manage": QT_TRANSLATE_NOOP("permissions", "Manage settings"),
}

#: A single record of each kind, for messages such as "The customer 5 does not exist".
ENTITY_LABELS: dict[str, str] = {
    "customer": QT_TRANSLATE_NOOP("entities", "customer"),
    "department": QT_TRANSLATE_NOOP("entities", "department"),
    "user": QT_TRANSLATE_NOOP("entities", "user"),
    "role": QT_TRANSLATE_NOOP("entities", "role"),
    "lead": QT_TRANSLATE_NOOP("entities", "lead"),
    "contact": QT_TRANSLATE_NOOP("entities", "contact"),
    "followup": QT_TRANSLATE_NOOP("entities", "follow-up"),
    "pool": QT_TRANSLATE_NOOP("entities", "public pool"),
}

RECORD_ACTIONS = ("view", "create", "edit", "delete", "transfer", "import", "export")


@dataclass(frozen=True)
class ModuleSpec:
    key: str
    label: str
    actions: tuple[str, ...]
    #: Scoped modules hold owned records and take a data scope per role.
    scoped: bool


MODULES: dict[str, ModuleSpec] = {}


def register_module(
    key: str, label: str, actions: tuple[str, ...], *, scoped: bool, action_labels: dict[str, str] | None = None,
    entity_label: str | None = None,
) -> ModuleSpec:
    """Add a module (and any new actions' labels) to the catalogue; idempotent."""
    spec = ModuleSpec(key=key, label=label, actions=actions, scoped=scoped)
    MODULES[key] = spec
    ACTION_LABELS.update(action_labels or {})
    if entity_label:
        ENTITY_LABELS[key] = entity_label
    return spec


register_module("lead", QT_TRANSLATE_NOOP("permissions", "Leads"), RECORD_ACTIONS + ("convert",), scoped=True)
register_module(
    "customer", QT_TRANSLATE_NOOP("permissions", "Customers"), RECORD_ACTIONS + ("put_in_pool", "lock"), scoped=True
)
register_module("contact", QT_TRANSLATE_NOOP("permissions", "Contacts"), RECORD_ACTIONS, scoped=True)
register_module(
    "followup", QT_TRANSLATE_NOOP("permissions", "Follow-ups"), ("view", "create", "edit", "delete", "import"),
    scoped=True
)
register_module(
    "setting", QT_TRANSLATE_NOOP("permissions", "System settings"), ("manage",), scoped=False
)
# The sales chain (issue 5). Products are the company's catalogue: no owner-based data scope.
register_module(
    "product", QT_TRANSLATE_NOOP("permissions", "Products"), ("view", "create", "edit", "delete", "import", "export"),
    scoped=False, entity_label=QT_TRANSLATE_NOOP("entities", "product"),
)
register_module(
    "opportunity", QT_TRANSLATE_NOOP("permissions", "Opportunities"), RECORD_ACTIONS, scoped=True,
    entity_label=QT_TRANSLATE_NOOP("entities", "opportunity"),
)
register_module(
    "contract", QT_TRANSLATE_NOOP("permissions", "Contracts"), RECORD_ACTIONS + ("modify_approved", "void"),
    scoped=True, entity_label=QT_TRANSLATE_NOOP("entities", "contract"),
    action_labels={"modify_approved": QT_TRANSLATE_NOOP("permissions", "Modify approved orders"),
                   "void": QT_TRANSLATE_NOOP("permissions", "Void")},
)
register_module(
    "payment", QT_TRANSLATE_NOOP("permissions", "Payments"), ("view", "create", "edit", "delete", "import", "export"),
    scoped=True, entity_label=QT_TRANSLATE_NOOP("entities", "payment"),
)
# Sales targets (issue 15): the company's plan, not owned records; viewing and setting apart.
register_module(
    "target", QT_TRANSLATE_NOOP("permissions", "Sales targets"), ("view", "set"), scoped=False,
    action_labels={"set": QT_TRANSLATE_NOOP("permissions", "Set targets")},
)
# Tasks and schedule events (issue 16): owned records under a data scope; the owner, the
# participants and whoever sees a related record see them too (services.activities.visibility).
register_module(
    "task", QT_TRANSLATE_NOOP("permissions", "Tasks"), ("view", "create", "edit", "delete"), scoped=True,
    entity_label=QT_TRANSLATE_NOOP("entities", "task"),
)
register_module(
    "event", QT_TRANSLATE_NOOP("permissions", "Schedule"), ("view", "create", "edit", "delete"), scoped=True,
    entity_label=QT_TRANSLATE_NOOP("entities", "schedule event"),
)
# Pools are not owned records: who sees a pool is decided by its members, not a data scope.
register_module(
    "pool", QT_TRANSLATE_NOOP("permissions", "Public pool"), ("view", "claim", "assign", "manage"), scoped=False
)
register_module(
    "department", QT_TRANSLATE_NOOP("permissions", "Departments"), ("view", "create", "edit", "delete"), scoped=False
)
register_module(
    "user",
    QT_TRANSLATE_NOOP("permissions", "Users"),
    ("view", "create", "edit", "disable", "reset_password"),
    scoped=False,
)
register_module(
    "role", QT_TRANSLATE_NOOP("permissions", "Roles"), ("view", "create", "edit", "delete"), scoped=False
)


def require(actor: "ActorLike", module: str, action: str) -> None:
    """Raise PermissionDenied unless the actor may do ``action`` in ``module``."""
    if not actor.can(module, action):
        raise PermissionDenied(module, action)


class ActorLike:  # pragma: no cover - typing aid only
    def can(self, module: str, action: str) -> bool: ...
