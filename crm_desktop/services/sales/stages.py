"""Opportunity stage groups (商机阶段组): the stages an opportunity walks through, with win rates.

Promises (thread rule: any thread; each call is one unit of work):

- Administration needs "setting"/"manage": ``list_groups``, ``create_group``, ``update_group``
  (name, ordered stages with win rates 0–100, department ids, enabled), ``set_group_enabled``,
  ``delete_group``. Every change is audited (entity "stage_group").
- A stage group's stages are ordered by their position in the input. Updating a group matches
  stages by id: kept stages keep their id (opportunities stay on them), new ones are added,
  and a stage left out is removed — refused while an opportunity stands on it.
- Won and lost are statuses of an opportunity, not stages.
- There is always a default group (enabled, no departments): one is seeded when the company has
  no stage group at all (初步接洽 10 → 需求确认 30 → 方案报价 60 → 谈判审核 80), and the last
  enabled default can neither be disabled, given departments nor deleted.
- ``group_for_user``: the enabled group naming the user's department, else its parent's, and so
  on up the tree; else the default group. New opportunities take their owner's group.
- ``stage_names``: every stage's name by id (any user with opportunity "view"), for lists.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Department, Opportunity, Stage, StageGroup, User
from crm_desktop.services.errors import NotFound, RuleViolation, ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.records import audit
from crm_desktop.services.uow import UnitOfWork, read_only, unit_of_work

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from crm_desktop.db import Database

#: The group a new company starts with (seed 004's opportunity stages).
DEFAULT_GROUP_NAME = "默认阶段"
DEFAULT_STAGES: tuple[tuple[str, int], ...] = (("初步接洽", 10), ("需求确认", 30), ("方案报价", 60), ("谈判审核", 80))


@dataclass(frozen=True)
class StageInput:
    name: str
    win_rate: int
    #: An existing stage of the group (None: a new stage).
    id: int | None = None


@dataclass(frozen=True)
class StageGroupInput:
    name: str
    stages: tuple[StageInput, ...]
    department_ids: tuple[int, ...] = ()
    enabled: bool = True


@dataclass(frozen=True)
class StageDTO:
    id: int
    name: str
    win_rate: int
    sort_order: int


@dataclass(frozen=True)
class StageGroupDTO:
    id: int
    name: str
    stages: tuple[StageDTO, ...]
    department_ids: tuple[int, ...]
    enabled: bool
    sort_order: int
    #: Used by everyone whose department no other group names.
    is_default: bool


# --- reading inside a unit of work ----------------------------------------------------------


def stages_of(session: Session, group_id: int) -> list[Stage]:
    """The group's stages in order."""
    return list(session.scalars(select(Stage).where(Stage.group_id == group_id).order_by(Stage.sort_order, Stage.id)))


def _is_default(group: StageGroup) -> bool:
    return group.enabled and not group.department_ids


def _dto(session: Session, group: StageGroup) -> StageGroupDTO:
    return StageGroupDTO(
        id=group.id, name=group.name,
        stages=tuple(StageDTO(s.id, s.name, s.win_rate, s.sort_order) for s in stages_of(session, group.id)),
        department_ids=tuple(int(d) for d in group.department_ids or ()), enabled=group.enabled,
        sort_order=group.sort_order, is_default=_is_default(group),
    )


def ensure_default_group(session: Session) -> StageGroup | None:
    """Seed the default group when the company has none at all; returns it (or None if groups exist)."""
    if session.scalar(select(StageGroup.id).limit(1)) is not None:
        return None
    group = StageGroup(name=DEFAULT_GROUP_NAME, department_ids=[], enabled=True, sort_order=0)
    session.add(group)
    session.flush()
    for order, (name, rate) in enumerate(DEFAULT_STAGES):
        session.add(Stage(group_id=group.id, name=name, win_rate=rate, sort_order=order))
    session.flush()
    return group


def _groups(session: Session) -> list[StageGroup]:
    return list(session.scalars(select(StageGroup).order_by(StageGroup.sort_order, StageGroup.id)))


def default_group(session: Session) -> StageGroup:
    """The first enabled group without departments (seeded if the company has no group)."""
    ensure_default_group(session)
    groups = _groups(session)
    found = next((g for g in groups if _is_default(g)), None) or next((g for g in groups if g.enabled), None)
    if found is None:  # every group disabled by hand in the database: still give opportunities a group
        found = groups[0]
    return found


def group_for_user(session: Session, user_id: int) -> StageGroup:
    """The stage group of the user's opportunities: the nearest department up the tree that an
    enabled group names, else the default group. Seeds the default group if there is none."""
    ensure_default_group(session)
    named: dict[int, StageGroup] = {}
    for group in _groups(session):
        if group.enabled:
            for dept in group.department_ids or ():
                named.setdefault(int(dept), group)  # the first group (in order) naming it wins
    department_id = session.scalar(select(User.department_id).where(User.id == user_id))
    seen: set[int] = set()
    while department_id is not None and department_id not in seen:
        if department_id in named:
            return named[department_id]
        seen.add(department_id)
        department_id = session.scalar(select(Department.parent_id).where(Department.id == department_id))
    return default_group(session)


# --- administration -------------------------------------------------------------------------


def _check(session: Session, data: StageGroupInput) -> None:
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = QT_TRANSLATE_NOOP("errors", "Required.")
    if not data.stages:
        errors["stages"] = QT_TRANSLATE_NOOP("errors", "Add at least one stage.")
    names: set[str] = set()
    for n, stage in enumerate(data.stages, start=1):
        key = f"stages.{n}"
        name = stage.name.strip()
        if not name:
            errors[key] = QT_TRANSLATE_NOOP("errors", "Required.")
        elif name in names:
            errors[key] = QT_TRANSLATE_NOOP("errors", "Two stages of a group cannot have the same name.")
        elif isinstance(stage.win_rate, bool) or not isinstance(stage.win_rate, int) or not 0 <= stage.win_rate <= 100:
            errors[key] = QT_TRANSLATE_NOOP("errors", "The win rate is a whole number from 0 to 100.")
        names.add(name)
    if data.department_ids:
        ids = {int(d) for d in data.department_ids}
        found = session.scalar(select(func.count(Department.id)).where(Department.id.in_(ids))) or 0
        if found != len(ids):
            errors["department_ids"] = QT_TRANSLATE_NOOP("errors", "Choose existing departments.")
    if errors:
        raise ValidationError(errors)


def _name_taken(session: Session, name: str, group_id: int | None) -> None:
    query = select(StageGroup.id).where(StageGroup.name == name)
    if group_id is not None:
        query = query.where(StageGroup.id != group_id)
    if session.scalar(query) is not None:
        raise ValidationError({"name": QT_TRANSLATE_NOOP("errors", "Another stage group already has this name.")})


def _keep_a_default(session: Session) -> None:
    # Checked after the change is flushed: every opportunity must find a group.
    if not any(_is_default(g) for g in _groups(session)):
        raise RuleViolation(QT_TRANSLATE_NOOP(
            "errors", "Keep one enabled stage group without departments: it is everyone else's default."))


def _load(session: Session, group_id: int) -> StageGroup:
    group = session.get(StageGroup, group_id)
    if group is None:
        raise NotFound("stage group", group_id)
    return group


def _summary(stages: Sequence[StageInput] | Sequence[Stage]) -> str:
    return " → ".join(f"{s.name.strip()} {s.win_rate}%" for s in stages)


def _write_stages(uow: UnitOfWork, group: StageGroup, stages: Sequence[StageInput]) -> None:
    session = uow.session
    current = {s.id: s for s in stages_of(session, group.id)}
    wanted = {s.id for s in stages if s.id is not None}
    unknown = wanted - set(current)
    if unknown:
        raise ValidationError({"stages": QT_TRANSLATE_NOOP("errors", "The list of stages changed; reload it.")})
    for stage_id in set(current) - wanted:
        used = session.scalar(select(func.count(Opportunity.id)).where(Opportunity.stage_id == stage_id)) or 0
        if used:
            raise RuleViolation(QT_TRANSLATE_NOOP(
                "errors", "The stage “{name}” is used by {count} opportunity(ies): it cannot be removed."),
                name=current[stage_id].name, count=used)
        session.delete(current[stage_id])
    session.flush()
    for order, stage in enumerate(stages):
        row = current.get(stage.id) if stage.id is not None else None
        if row is None:
            row = Stage(group_id=group.id)
            session.add(row)
        row.name, row.win_rate, row.sort_order = stage.name.strip()[:100], stage.win_rate, order
    session.flush()


def list_groups(db: Database, actor: Actor) -> list[StageGroupDTO]:
    """Every stage group in order (the default one seeded first if there is none)."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        ensure_default_group(uow.session)
        return [_dto(uow.session, g) for g in _groups(uow.session)]


def create_group(db: Database, actor: Actor, data: StageGroupInput) -> StageGroupDTO:
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "setting", "manage")
        ensure_default_group(uow.session)
        _check(uow.session, data)
        _name_taken(uow.session, data.name.strip(), None)
        last = uow.session.scalar(select(func.max(StageGroup.sort_order))) or 0
        group = StageGroup(name=data.name.strip()[:100], department_ids=sorted({int(d) for d in data.department_ids}),
                           enabled=data.enabled, sort_order=last + 1)
        uow.session.add(group)
        uow.session.flush()
        _write_stages(uow, group, data.stages)
        audit.write_audit(uow.session, entity="stage_group", record_id=group.id, action="create",
                          actor_id=uow.actor.user_id, changes={
                              "name": (None, group.name), "stages": (None, _summary(data.stages)),
                              "department_ids": (None, group.department_ids), "enabled": (None, group.enabled)})
        return _dto(uow.session, group)


def update_group(db: Database, actor: Actor, group_id: int, data: StageGroupInput) -> StageGroupDTO:
    """Replace the group's name, stages (matched by id), departments and enabled flag."""
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "setting", "manage")
        group = _load(uow.session, group_id)
        _check(uow.session, data)
        _name_taken(uow.session, data.name.strip(), group.id)
        before = {"name": group.name, "stages": _summary(stages_of(uow.session, group.id)),
                  "department_ids": list(group.department_ids or ()), "enabled": group.enabled}
        group.name = data.name.strip()[:100]
        group.department_ids = sorted({int(d) for d in data.department_ids})
        group.enabled = data.enabled
        _write_stages(uow, group, data.stages)
        _keep_a_default(uow.session)
        after = {"name": group.name, "stages": _summary(stages_of(uow.session, group.id)),
                 "department_ids": group.department_ids, "enabled": group.enabled}
        changes = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        if changes:
            audit.write_audit(uow.session, entity="stage_group", record_id=group.id, action="update",
                              actor_id=uow.actor.user_id, changes=changes)
        return _dto(uow.session, group)


def set_group_enabled(db: Database, actor: Actor, group_id: int, enabled: bool) -> StageGroupDTO:
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "setting", "manage")
        group = _load(uow.session, group_id)
        if group.enabled != enabled:
            old, group.enabled = group.enabled, enabled
            uow.session.flush()
            _keep_a_default(uow.session)
            audit.write_audit(uow.session, entity="stage_group", record_id=group.id, action="update",
                              actor_id=uow.actor.user_id, changes={"enabled": (old, enabled)})
        return _dto(uow.session, group)


def delete_group(db: Database, actor: Actor, group_id: int) -> None:
    """Delete a group no opportunity uses (disable it otherwise)."""
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "setting", "manage")
        group = _load(uow.session, group_id)
        used = uow.session.scalar(select(func.count(Opportunity.id)).where(Opportunity.stage_group_id == group.id)) or 0
        if used:
            raise RuleViolation(QT_TRANSLATE_NOOP(
                "errors", "“{name}” is used by {count} opportunity(ies): disable it instead."),
                name=group.name, count=used)
        audit.write_audit(uow.session, entity="stage_group", record_id=group.id, action="delete",
                          actor_id=uow.actor.user_id, changes={"name": (group.name, None)})
        uow.session.delete(group)
        uow.session.flush()
        _keep_a_default(uow.session)


def stage_names(db: Database, actor: Actor) -> dict[int, str]:
    """Every stage's name by id (list columns and filters show stage names, not ids)."""
    with read_only(db, actor) as uow:
        require(uow.actor, "opportunity", "view")
        return {int(i): str(n) for i, n in uow.session.execute(select(Stage.id, Stage.name))}


__all__ = [
    "DEFAULT_GROUP_NAME", "DEFAULT_STAGES", "StageDTO", "StageGroupDTO", "StageGroupInput", "StageInput",
    "create_group", "default_group", "delete_group", "ensure_default_group", "group_for_user", "list_groups",
    "set_group_enabled", "stage_names", "stages_of", "update_group",
]
