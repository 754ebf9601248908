"""The one data-scope filter.

Every read path of every module (lists, detail, search, dashboards, exports, to-do,
reports) narrows its query with ``visible_filter``: the union of the scopes the actor's
roles grant on the module, plus the records whose team the actor belongs to. There is no
second implementation to drift from this one.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, literal, or_, select, true
from sqlalchemy.orm import aliased

from crm_desktop.models import Department, RecordMixin, TeamMember, User
from crm_desktop.services.actor import Actor
from crm_desktop.services.permissions import DataScope


def subordinate_ids(actor_id: int, *, name: str = "superior_chain") -> Select[tuple[int]]:
    """The actor and everyone below them in the direct-superior chain (recursive).

    ``name`` names the CTE: a query that needs the chain twice (scope and a view) gives each
    its own.
    """
    chain = select(User.id).where(User.id == actor_id).cte(name, recursive=True)
    below = aliased(User)
    chain = chain.union(select(below.id).join(chain, below.superior_id == chain.c.id))
    return select(chain.c.id)


def department_tree_ids(department_id: int) -> Select[tuple[int]]:
    """A department and all its descendants (recursive)."""
    tree = select(Department.id).where(Department.id == department_id).cte("dept_tree", recursive=True)
    child = aliased(Department)
    tree = tree.union(select(child.id).join(tree, child.parent_id == tree.c.id))
    return select(tree.c.id)


def _owner_clause(model: type[RecordMixin], scope: DataScope, actor: Actor) -> ColumnElement[bool]:
    owner = model.owner_id
    if scope is DataScope.ALL:
        return true()
    if scope is DataScope.SELF:
        return owner == literal(actor.user_id)
    if scope is DataScope.SUBORDINATES:
        return owner.in_(subordinate_ids(actor.user_id))
    if scope is DataScope.DEPARTMENT:
        return owner.in_(select(User.id).where(User.department_id == actor.department_id))
    if scope is DataScope.DEPARTMENT_TREE:
        return owner.in_(
            select(User.id).where(User.department_id.in_(department_tree_ids(actor.department_id)))
        )
    return false()  # pragma: no cover - exhaustive


def team_clause(model: type[RecordMixin], actor: Actor, *, write: bool = False) -> ColumnElement[bool]:
    members = select(TeamMember.record_id).where(
        TeamMember.entity == model.entity, TeamMember.user_id == actor.user_id
    )
    if write:
        members = members.where(TeamMember.access == "write")
    return model.id.in_(members)


def scope_filter(model: type[RecordMixin], actor: Actor) -> ColumnElement[bool]:
    """Records of ``model`` the actor may see by data scope or team (ignores the bin)."""
    scopes = actor.scopes_for(model.entity)
    if DataScope.ALL in scopes:
        return true()
    # Order for a stable SQL text (statement cache) regardless of set iteration order.
    ordered = sorted(scopes, key=list(DataScope).index)
    return or_(*(_owner_clause(model, s, actor) for s in ordered), team_clause(model, actor))


def visible_filter(model: type[RecordMixin], actor: Actor) -> ColumnElement[bool]:
    """Live (not recycled) records the actor may see: what every list and read uses."""
    return (model.deleted_at.is_(None)) & scope_filter(model, actor)


def editable_filter(model: type[RecordMixin], actor: Actor) -> ColumnElement[bool]:
    """Records the actor may change: in scope by ownership, or a read-write team member."""
    scopes = actor.scopes_for(model.entity)
    if DataScope.ALL in scopes:
        return true()
    ordered = sorted(scopes, key=list(DataScope).index)
    return or_(*(_owner_clause(model, s, actor) for s in ordered), team_clause(model, actor, write=True))
