"""Commands: what a service asks of a part only that part can do, inside the service's unit
of work, with an answer (``uow.handle(command)``).

Events say what happened and any number of subscribers react; a command asks for one thing
and has exactly one handler, which may refuse (its error fails the service call). The
automation package answers these; ``crm_desktop.bootstrap`` registers its handlers, so the
services never import it.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DecideApproval:
    """The acting user approves or rejects their approval task; answers the ApprovalInstance
    (AlreadyDecided when someone else's decision counted first)."""

    task_id: int
    approve: bool
    comment: str = ""


@dataclass(frozen=True)
class ResubmitApproval:
    """The submitter sends a rejected or withdrawn approval round again; answers the instance."""

    instance_id: int
    picks: Mapping[int | str, Sequence[int]] | None = field(default=None)


@dataclass(frozen=True)
class TryRule:
    """Run a rule's condition and actions on a record (whatever the rule's event), in the
    caller's unit of work, which the caller rolls back; answers ``services.automation.TrialDTO``."""

    rule_id: int
    record_id: int


__all__ = ["DecideApproval", "ResubmitApproval", "TryRule"]
