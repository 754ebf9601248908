"""Errors a service raises for the user to read.

Each carries an English message template (marked for translation) and its parameters, so
the UI can show it in the user's language; ``str(error)`` is the English text.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP

CONTEXT = "errors"


class ServiceError(Exception):
    """Base of every error that is meant for the user."""

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(template.format(**params) if params else template)


class PermissionDenied(ServiceError):
    def __init__(self, module: str, action: str) -> None:
        super().__init__(
            QT_TRANSLATE_NOOP("errors", "You do not have permission to {action} in {module}."),
            module=module,
            action=action,
        )
        self.module = module
        self.action = action


class NotFound(ServiceError):
    def __init__(self, entity: str, record_id: int | str) -> None:
        super().__init__(
            QT_TRANSLATE_NOOP("errors", "The {entity} {record_id} does not exist or is not visible to you."),
            entity=entity,
            record_id=record_id,
        )


class ValidationError(ServiceError):
    """Bad input. ``field_errors`` maps a field name to its message template."""

    def __init__(self, field_errors: dict[str, str]) -> None:
        self.field_errors = dict(field_errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in field_errors.items()))


class RuleViolation(ServiceError):
    """A request that breaks a business rule (delete a department that has users, …)."""


@dataclass(frozen=True)
class FieldConflict:
    """One field of a stale save: what I wanted, what is stored now, what I started from."""

    field: str
    mine: Any
    theirs: Any
    original: Any


class ConflictError(ServiceError):
    """Someone saved the record after it was loaded; nothing of this save was written."""

    def __init__(
        self, entity: str, record_id: int, *, conflicts: tuple[FieldConflict, ...], their_version: int
    ) -> None:
        super().__init__(
            QT_TRANSLATE_NOOP(
                "errors",
                "Someone else saved this {entity} while you were editing it. Fields: {fields}.",
            ),
            entity=entity,
            fields=", ".join(c.field for c in conflicts) or "-",
        )
        self.entity = entity
        self.record_id = record_id
        self.conflicts = conflicts
        self.their_version = their_version


class AuthError(ServiceError):
    """Login failed: wrong mobile number or password (deliberately not saying which)."""


class AccountLocked(AuthError):
    def __init__(self, until: dt.datetime) -> None:
        super().__init__(
            QT_TRANSLATE_NOOP(
                "errors",
                "Too many wrong passwords: this account is locked until {until}. "
                "Wait, or ask an administrator to reset the password.",
            ),
            until=until.astimezone().strftime("%H:%M"),
        )
        self.until = until


class AccountDisabled(AuthError):
    def __init__(self) -> None:
        super().__init__(
            QT_TRANSLATE_NOOP("errors", "This account is disabled. Ask an administrator.")
        )


class RuleFailed(RuleViolation):
    """An automation rule's action failed: the save that fired it is refused, naming the rule.

    Raised by the rules engine inside the save's unit of work; defined here because it is the
    service call that fails with it (and a scheduled job catches it per record)."""

    def __init__(self, rule_id: int | None, rule_name: str, reason: str, *, entity: str, record_id: int,
                 depth: int) -> None:
        super().__init__(QT_TRANSLATE_NOOP("errors", "The automation rule \"{rule}\" failed: {reason}"),
                         rule=rule_name, reason=reason)
        self.rule_id, self.rule_name, self.reason = rule_id, rule_name, reason
        self.entity, self.record_id, self.depth = entity, record_id, depth
