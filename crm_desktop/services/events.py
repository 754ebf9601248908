"""Domain events: the one vocabulary in which services say what a write did.

Services record events on their unit of work (``uow.add_event``); they never call the
automation engine or any other subscriber by hand. Subscribers are wired in
``crm_desktop.bootstrap``: the automation engine and the approval gates in the transaction
(``in_transaction``), the UI's refresh after commit (``after_commit``). See ``bus.py`` for the
phases and ``uow.py`` for when handlers run.

Every event names the record it happened to (``entity``, ``record_id``) and who acted
(``actor_id``; None for a scheduled job). ``depth`` says how many rule runs deep the write
was (0: a person's or a job's own write; the unit of work stamps it), so that the rules
engine can bound rules firing rules.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DomainEvent:
    entity: str
    record_id: int
    actor_id: int | None
    #: Rule runs that led to this write (stamped by the unit of work; not part of what
    #: happened, so events compare equal whatever caused them).
    depth: int = field(default=0, compare=False, kw_only=True)


@dataclass(frozen=True)
class RecordCreated(DomainEvent):
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordUpdated(DomainEvent):
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordDeleted(DomainEvent):
    pass


@dataclass(frozen=True)
class RecordRestored(DomainEvent):
    pass


@dataclass(frozen=True)
class OwnerChanged(DomainEvent):
    """The record's owner changed: a transfer, or a move into or out of a public pool.

    ``pool_id`` names the pool for a pool move (put in / recycled: the new owner is None;
    claimed / assigned: the old owner is None) and is None for a transfer. A pool move is an
    owner change to every subscriber that only refreshes owners, hence one class; the rules
    engine fires pool_put / pool_claimed rules for it instead of owner_changed ones.
    """

    old_owner_id: int | None = None
    new_owner_id: int | None = None
    pool_id: int | None = field(default=None, compare=False)

    @property
    def put_in_pool(self) -> bool:
        return self.pool_id is not None and self.new_owner_id is None

    @property
    def claimed_from_pool(self) -> bool:
        return self.pool_id is not None and self.new_owner_id is not None


@dataclass(frozen=True)
class StatusChanged(DomainEvent):
    field_name: str = "status"
    old: Any = None
    new: Any = None


@dataclass(frozen=True)
class FollowUpAdded(DomainEvent):
    """A follow-up was added; ``entity``/``record_id`` name the target, times are ISO text."""

    followup_id: int = 0
    kind: str = ""
    content: str = ""
    followed_at: str | None = None
    next_contact_at: str | None = None


@dataclass(frozen=True)
class ApprovalRequested(DomainEvent):
    """The record was submitted to approval flow ``flow_id``: its creation waits for it
    (``target`` {"kind": "create"}), a status change waits for it ({"kind": "status", "field",
    "from", "to"}), or someone started it by hand ({"kind": "manual"}). The approval engine
    starts the instance (its form snapshot, branch and first approvers)."""

    flow_id: int = 0
    target: dict[str, Any] = field(default_factory=dict)
    submitter_id: int | None = None
    picks: dict[str, list[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class ApprovalDecided(DomainEvent):
    """An approval instance on the record finished: approved or rejected."""

    instance_id: int = 0
    approved: bool = False


@dataclass(frozen=True)
class DateReached(DomainEvent):
    """Date rule ``rule_id`` is due on the record (its date field plus the rule's offset fell
    in the window the date job checked)."""

    rule_id: int = 0


@dataclass(frozen=True)
class TaskEvent(DomainEvent):
    """Something happened to task ``task_id``. Recorded once on the task itself (entity "task")
    and once on each record the task is about (its customer, contract, …): the rules of those
    records fire on the latter (rule events task_created / task_completed / task_overdue)."""

    task_id: int = 0
    title: str = ""
    owner_id: int | None = None


@dataclass(frozen=True)
class TaskCreated(TaskEvent):
    pass


@dataclass(frozen=True)
class TaskCompleted(TaskEvent):
    pass


@dataclass(frozen=True)
class TaskOverdue(TaskEvent):
    """The task's due day passed while it was not done (recorded once by the overdue job)."""


# The bus itself is infrastructure with no domain knowledge; it lives below the db layer so
# that the Database can carry one without importing the services.
from crm_desktop.bus import EventBus, Handler, Phase  # noqa: E402

__all__ = ["ApprovalDecided", "ApprovalRequested", "DateReached", "DomainEvent", "EventBus", "FollowUpAdded", "Handler",
           "OwnerChanged", "Phase", "RecordCreated", "RecordDeleted", "RecordRestored", "RecordUpdated",
           "StatusChanged", "TaskCompleted", "TaskCreated", "TaskEvent", "TaskOverdue"]
