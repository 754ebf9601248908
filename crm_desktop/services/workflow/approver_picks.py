"""Approvers chosen by the submitter (审批人由提交人自选): seed 004's "a new contract must
choose its approver, and so must a new payment".

A flow node ``{"approver": {"kind": "submitter_picks"}}`` is decided by the user(s) the
submitter names when submitting. Which nodes ask for a choice depends on the branch the record
takes, which depends on its fields and on the submitter: ``branch_for`` is that choice (the
approval engine snapshots the same one when it starts the instance), ``nodes_to_pick`` lists the
nodes of it the submitter must fill, ``resolve_picks`` turns a submitter's answer into the
instance's ``picks`` ({node index as text: [user ids]}) and checks it.

Promises (thread rule: the caller's unit of work and thread):

- ``approver_ids`` fills every submitter-picks node of the branch (flows have one such node as
  a rule); ``picks`` names them per node and wins where both say something.
- A submit whose branch has such a node and no approver for it, an approver who is not an
  enabled user, the submitter as an approver (nobody approves their own submission: the demo's
  old bug of a representative approving their own payment), or several approvers on a
  sequential node (one person decides it; countersign and or-sign nodes take several) is
  refused with a ValidationError on ``approver_ids``.
- Requests nobody submits by hand (a gated customer creation, a gated status change, a rule
  that starts a flow) have no one to ask: such a node without picks goes to the approval
  administrator, as a node without approvers does (the engine's ``_activate``).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import ApprovalFlow, Department, User
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.records.derived_fields import derived_values
from crm_desktop.services.records.record_fields import FieldPolicy
from crm_desktop.services.records.schema import FieldSpec, system_schema, with_derived
from crm_desktop.services.workflow import conditions

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from crm_desktop.services.records.records import RecordService

PICKS_KIND = "submitter_picks"
#: Node modes in which several people approve (all of them, or the first one).
SEVERAL_MODES = ("countersign", "orsign")


@dataclass(frozen=True)
class PickNode:
    """A node of the branch that applies whose approver the submitter chooses."""

    index: int
    name: str
    mode: str

    @property
    def several(self) -> bool:
        """Whether several approvers may be chosen (countersign, or-sign); else exactly one."""
        return self.mode in SEVERAL_MODES


# --- the branch a record takes -----------------------------------------------------------------

def record_values(session: Session, service: RecordService[Any], row: Any,
                  flow: ApprovalFlow) -> tuple[dict[str, FieldSpec], dict[str, Any]]:
    """The record's field specs and values as a flow reads them now (derived values only for
    the fields a branch names: they cost a query)."""
    schema = system_schema(session, service.module)
    policy = FieldPolicy(service.model, service.fields, service.required, schema)
    values = policy.current(row) | {"id": row.id, "owner_id": row.owner_id}
    named = frozenset().union(*(conditions.fields_named(b.get("condition")) for b in flow.branches or []))
    values |= derived_values(session, service.module, row.id, named)
    return {f.name: f for f in with_derived(schema).fields}, values


def submitter_fits(session: Session, user_id: int, test: Mapping[str, Any]) -> bool:
    """The branch's submitter test: one of the users, in one of the departments or below, or
    with one of the roles; an empty test admits anyone."""
    users, departments, roles = (set(test.get(k) or ()) for k in ("users", "departments", "roles"))
    if not (users or departments or roles):
        return True
    if user_id in users:
        return True
    user = session.get(User, user_id)
    if user is None:
        return False
    if roles and roles & {r.id for r in user.roles}:
        return True
    dept_id: int | None = user.department_id
    seen: set[int] = set()
    while dept_id is not None and dept_id not in seen:  # the department or one above it
        if dept_id in departments:
            return True
        seen.add(dept_id)
        dept_id = session.scalar(select(Department.parent_id).where(Department.id == dept_id))
    return False


def branch_for(session: Session, flow: ApprovalFlow, specs: Mapping[str, FieldSpec], values: Mapping[str, Any],
               submitter_id: int) -> dict[str, Any]:
    """The first branch whose condition and submitter test hold: {"name", "nodes"} (no nodes
    when none applies)."""
    for branch in flow.branches or []:
        if submitter_fits(session, submitter_id, branch.get("submitters") or {}) and conditions.matches(
                specs, conditions.groups_of(branch.get("condition") or {}), values, {}):
            return {"name": str(branch.get("name") or ""), "nodes": list(branch.get("nodes") or [])}
    return {"name": "", "nodes": []}


# --- the submitter's choice ----------------------------------------------------------------------

def pick_nodes(branch: Mapping[str, Any]) -> list[PickNode]:
    """The nodes of ``branch`` whose approvers the submitter chooses, in order."""
    return [PickNode(i, str(node.get("name") or ""), str(node.get("mode") or "sequential"))
            for i, node in enumerate(branch.get("nodes") or [])
            if (node.get("approver") or {}).get("kind") == PICKS_KIND]


def nodes_to_pick(session: Session, service: RecordService[Any], row: Any, flow: ApprovalFlow,
                  submitter_id: int) -> list[PickNode]:
    """The submitter-picks nodes of the branch ``row`` would take in ``flow`` now."""
    specs, values = record_values(session, service, row, flow)
    return pick_nodes(branch_for(session, flow, specs, values, submitter_id))


def check_picks(session: Session, branch: Mapping[str, Any], picks: Mapping[str, Sequence[int]], *,
                submitter_id: int | None = None) -> None:
    """ValidationError (on ``approver_ids``) unless every submitter-picks node of ``branch`` has
    its approvers in ``picks``: enabled users other than the submitter (nobody approves their
    own submission), one for a sequential node."""
    nodes = pick_nodes(branch)
    chosen = {int(u) for node in nodes for u in picks.get(str(node.index)) or ()}
    enabled = set(session.scalars(select(User.id).where(User.id.in_(chosen), User.enabled.is_(True)))) \
        if chosen else set()
    for node in nodes:
        ids = list(dict.fromkeys(int(u) for u in picks.get(str(node.index)) or ()))
        if not ids:
            raise ValidationError({"approver_ids": QT_TRANSLATE_NOOP(
                "errors", "This approval flow asks you to choose the approver: choose who approves it.")})
        if any(u not in enabled for u in ids):
            raise ValidationError({"approver_ids": QT_TRANSLATE_NOOP(
                "errors", "Choose enabled users as approvers.")})
        if submitter_id is not None and submitter_id in ids:
            raise ValidationError({"approver_ids": QT_TRANSLATE_NOOP(
                "errors", "You cannot approve what you submit: choose someone else.")})
        if len(ids) > 1 and not node.several:
            raise ValidationError({"approver_ids": QT_TRANSLATE_NOOP(
                "errors", "One person approves this step: choose one approver.")})


def merged_picks(branch: Mapping[str, Any], *, approver_ids: Sequence[int] | None = None,
                 picks: Mapping[int | str, Sequence[int]] | None = None) -> dict[str, list[int]]:
    """The instance's ``picks``: ``approver_ids`` for every submitter-picks node of ``branch``,
    then ``picks`` per node (it wins where both name a node)."""
    out: dict[str, list[int]] = {}
    if approver_ids:
        ids = list(dict.fromkeys(_user_id(u) for u in approver_ids))
        out = {str(node.index): list(ids) for node in pick_nodes(branch)}
    for key, ids_of_node in (picks or {}).items():
        out[str(key)] = list(dict.fromkeys(_user_id(u) for u in ids_of_node))
    return out


def _user_id(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({"approver_ids": QT_TRANSLATE_NOOP("errors", "Choose enabled users as approvers.")}) \
            from None


def resolve_picks(session: Session, service: RecordService[Any], row: Any, flow: ApprovalFlow, submitter_id: int,
                  *, approver_ids: Sequence[int] | None = None,
                  picks: Mapping[int | str, Sequence[int]] | None = None) -> dict[str, list[int]]:
    """The submitter's answer for ``row`` submitted to ``flow`` now, checked (``check_picks``)."""
    specs, values = record_values(session, service, row, flow)
    branch = branch_for(session, flow, specs, values, submitter_id)
    chosen = merged_picks(branch, approver_ids=approver_ids, picks=picks)
    check_picks(session, branch, chosen, submitter_id=submitter_id)
    return chosen


__all__ = ["PICKS_KIND", "PickNode", "branch_for", "check_picks", "merged_picks", "nodes_to_pick", "pick_nodes",
           "record_values", "resolve_picks", "submitter_fits"]
