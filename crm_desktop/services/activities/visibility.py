"""Who sees a task or a schedule event: one clause per kind, built from the one scope filter.

An activity is visible to the actor when it is not in the recycle bin and any of these holds:
its owner is inside the actor's data scope on the module ("task" / "event": the owner
themself, superiors, department heads as their roles say; ``visible_filter``), the actor takes
part in it, or the actor can see one of the records it is about (``visible_filter`` on that
record's module). There is no other implementation: lists, counts, the calendar, reminders,
the timeline and the .ics export all use these.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, exists, or_, select

from crm_desktop.models import ActivityLink, ActivityParticipant, ScheduleEvent, Task
from crm_desktop.services.activities.common import RELATED_MODELS
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.scope import scope_filter, unindexed, visible_filter

T = TypeVar("T")


def _clause(model: Any, kind: str, actor: Actor, wide: bool) -> ColumnElement[bool]:
    """The visibility test in one of two equivalent forms (the property test checks both):
    narrow reads (one bucket, one record's timeline) test each candidate row with correlated
    EXISTS, looking its participants and links up by primary key; wide reads (a month of a
    team's calendar) list the actor's participations and the links to the records they see
    once (IN lists) instead of probing six times per row."""
    if wide:
        mine: ColumnElement[bool] = model.id.in_(select(ActivityParticipant.activity_id).where(
            ActivityParticipant.kind == kind, ActivityParticipant.user_id == actor.user_id))
        about = [model.id.in_(select(ActivityLink.activity_id).join(related, related.id == ActivityLink.record_id)
                              .where(ActivityLink.kind == kind, ActivityLink.entity == entity,
                                     visible_filter(related, actor)))
                 for entity, related in RELATED_MODELS.items()]
    else:
        mine = exists().where(ActivityParticipant.kind == kind, ActivityParticipant.activity_id == model.id,
                              ActivityParticipant.user_id == actor.user_id)
        about = [exists().where(ActivityLink.kind == kind, ActivityLink.activity_id == model.id,
                                ActivityLink.entity == entity, related.id == ActivityLink.record_id,
                                visible_filter(related, actor))
                 for entity, related in RELATED_MODELS.items()]
    return unindexed(model.deleted_at).is_(None) & or_(scope_filter(model, actor), mine, *about)


def _key(actor: Actor, module: str) -> tuple[object, ...]:
    """What the clause is built from: the scopes of the module and of every related module,
    with their custom departments (a "custom" scope names them: an administrator changing
    them must not leave the old clause in use)."""
    modules = (module, *(related.entity for related in RELATED_MODELS.values()))
    return (actor.user_id, actor.department_id, *((actor.scopes_for(m), actor.departments_for(m)) for m in modules))


@lru_cache(maxsize=1024)
def _cached(kind: str, key: tuple[object, ...], frozen: _Frozen, wide: bool) -> ColumnElement[bool]:
    # Built once per (kind, user, scopes): building it costs more than a narrow read runs
    # (the same reason scope.py caches its clauses). ``frozen`` carries the actor without
    # being part of the key: equal keys build equal clauses.
    return _clause(Task if kind == "task" else ScheduleEvent, kind, frozen.actor, wide)


def task_visible(actor: Actor, *, wide: bool = False) -> ColumnElement[bool]:
    """Tasks the actor may see (see the module doc; ``wide``: the form for reads of many rows)."""
    return _cached("task", _key(actor, "task"), _Frozen(actor), wide)


def event_visible(actor: Actor, *, wide: bool = False) -> ColumnElement[bool]:
    """Schedule events the actor may see (see the module doc; ``wide``: for reads of many rows)."""
    return _cached("event", _key(actor, "event"), _Frozen(actor), wide)


class _Frozen:
    """Hashes and compares as nothing: lets ``_cached`` take the actor without keying on it."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    def __hash__(self) -> int:
        return 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Frozen)


_STATEMENTS: dict[tuple[object, ...], Any] = {}
#: The same by actor object: an actor from the security cache is the same object on every
#: call until the token changes, and working out ``_key`` (its scopes on six modules) cost a
#: tenth of a narrow read. Each entry holds its actor, so its id is not reused meanwhile.
_BY_ACTOR: dict[tuple[object, ...], tuple[Actor, Any]] = {}
MAX_STATEMENTS = 4096


def statement_for(name: str, kind: str, actor: Actor, build: Callable[[ColumnElement[bool]], T], *,
                  wide: bool = False) -> T:
    """The statement ``build(visibility clause)`` named ``name``, built once per actor and
    scopes and then reused with new bound values: SQLAlchemy keys its compiled-SQL cache by
    the statement's structure, which costs more to work out for these clauses than a narrow
    read takes to run — a statement object reused keeps its key (scope.py does the same).
    Thread rule: any thread (a race builds a statement twice, harmlessly)."""
    mine = (name, kind, wide, id(actor))
    hit = _BY_ACTOR.get(mine)
    if hit is not None and hit[0] is actor:
        return hit[1]  # type: ignore[no-any-return]
    key = (name, kind, wide, _key(actor, kind))
    found = _STATEMENTS.get(key)
    if found is None:
        if len(_STATEMENTS) >= MAX_STATEMENTS:
            _STATEMENTS.clear()
        found = _STATEMENTS[key] = build(task_visible(actor, wide=wide) if kind == "task"
                                         else event_visible(actor, wide=wide))
    if len(_BY_ACTOR) >= MAX_STATEMENTS:
        _BY_ACTOR.clear()
    _BY_ACTOR[mine] = (actor, found)
    return found  # type: ignore[no-any-return]
