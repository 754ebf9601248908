"""The one data-scope filter.

Every read path of every module (lists, detail, search, dashboards, exports, to-do,
reports) narrows its query with ``visible_filter``: the union of the scopes the actor's
roles grant on the module (custom ones with their chosen departments), plus the records
whose team the actor belongs to. There is no
second implementation to drift from this one.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, false, literal, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

from crm_desktop.models import Department, RecordMixin, TeamMember, User
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import DataScope


class Unindexed(ColumnElement[Any]):
    """A column SQLite must not look up through an index (``+col``; plain ``col`` elsewhere).

    For conditions nearly every row meets — "not in the recycle bin", "not in a pool". Without
    statistics SQLite's planner takes ``deleted_at IS NULL`` for a selective equality, reads
    the whole table through that index and sorts it: seconds for one page of a million rows,
    where walking the sort column's index in order stops after the page. PostgreSQL plans from
    statistics and is not misled, so it gets the bare column.
    """

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: ColumnElement[Any]) -> None:
        self.column = column
        self.type = column.type


@compiles(Unindexed)
def _unindexed_default(element: Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


@compiles(Unindexed, "sqlite")
def _unindexed_sqlite(element: Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    return "+" + compiler.process(element.column, **kw)


def unindexed(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """``column`` in a condition that should filter rows, never choose the index (see Unindexed)."""
    return Unindexed(column)


@lru_cache(maxsize=512)
def subordinate_ids(actor_id: int, *, name: str = "superior_chain") -> Select[tuple[int]]:
    """The actor and everyone below them in the direct-superior chain (recursive).

    ``name`` names the CTE: a query that needs the chain twice (scope and a view) gives each
    its own. Statements are immutable and the chain is worked out by the database when the
    query runs, so one statement per (actor, name) is kept and reused.
    """
    chain = select(User.id).where(User.id == actor_id).cte(name, recursive=True)
    below = aliased(User)
    chain = chain.union(select(below.id).join(chain, below.superior_id == chain.c.id))
    return select(chain.c.id)


@lru_cache(maxsize=512)
def department_tree_ids(department_id: int) -> Select[tuple[int]]:
    """A department and all its descendants (recursive; the tree is read when the query runs)."""
    tree = select(Department.id).where(Department.id == department_id).cte("dept_tree", recursive=True)
    child = aliased(Department)
    tree = tree.union(select(child.id).join(tree, child.parent_id == tree.c.id))
    return select(tree.c.id)


def _owner_clause(
    owner: ColumnElement[Any], scope: DataScope, user_id: int, department_id: int,
    departments: frozenset[int] = frozenset(),
) -> ColumnElement[bool]:
    """``owner`` (a record's owner column, or a user id column) is a user ``scope`` covers;
    ``departments`` are the custom scope's (自定义), used by ``DataScope.CUSTOM`` only."""
    if scope is DataScope.ALL:
        return true()
    if scope is DataScope.SELF:
        return owner == literal(user_id)
    if scope is DataScope.SUBORDINATES:
        return owner.in_(subordinate_ids(user_id))
    if scope is DataScope.DEPARTMENT:
        return owner.in_(select(User.id).where(User.department_id == department_id))
    if scope is DataScope.DEPARTMENT_TREE:
        return owner.in_(
            select(User.id).where(User.department_id.in_(department_tree_ids(department_id)))
        )
    if scope is DataScope.CUSTOM:
        # Exactly the chosen departments (no sub-departments implied), and, as every scope,
        # the actor's own records. Sorted: one SQL text per set, whatever the set's order.
        own = owner == literal(user_id)
        if not departments:
            return own
        chosen = [literal(d) for d in sorted(departments)]  # plain binds: no expanding IN to render per run
        return or_(own, owner.in_(select(User.id).where(User.department_id.in_(chosen))))
    return false()  # pragma: no cover - exhaustive


def _ordered(scopes: frozenset[DataScope]) -> list[DataScope]:
    """The scopes in a stable order (statement cache) regardless of set iteration order."""
    return sorted(scopes, key=list(DataScope).index)


def team_clause(model: type[RecordMixin], actor: Actor, *, write: bool = False) -> ColumnElement[bool]:
    return _team_clause(model, actor.user_id, write)


@lru_cache(maxsize=1024)
def _team_clause(model: type[RecordMixin], user_id: int, write: bool) -> ColumnElement[bool]:
    members = select(TeamMember.record_id).where(
        TeamMember.entity == model.entity, TeamMember.user_id == user_id
    )
    if write:
        members = members.where(TeamMember.access == "write")
    return model.id.in_(members)


@lru_cache(maxsize=1024)
def _scope_clause(
    model: type[RecordMixin], scopes: frozenset[DataScope], user_id: int, department_id: int, write: bool,
    departments: frozenset[int] = frozenset(),
) -> ColumnElement[bool]:
    # Built once per (module, scopes, user, department, custom departments): building the
    # clause (a recursive CTE, subqueries) costs more than a list page's query on SQLite. The
    # clause holds ids only; who is below whom, and who works in which department, is read
    # by the database each time it runs.
    if DataScope.ALL in scopes:
        return true()
    return or_(*(_owner_clause(model.owner_id, s, user_id, department_id, departments) for s in _ordered(scopes)),
               _team_clause(model, user_id, write))


def scope_filter(model: type[RecordMixin], actor: Actor) -> ColumnElement[bool]:
    """Records of ``model`` the actor may see by data scope or team (ignores the bin)."""
    return _scope_clause(model, actor.scopes_for(model.entity), actor.user_id, actor.department_id, False,
                         actor.departments_for(model.entity))


@lru_cache(maxsize=1024)
def _visible_clause(
    model: type[RecordMixin], scopes: frozenset[DataScope], user_id: int, department_id: int,
    departments: frozenset[int] = frozenset(),
) -> ColumnElement[bool]:
    return unindexed(model.deleted_at).is_(None) & _scope_clause(
        model, scopes, user_id, department_id, False, departments)


def visible_filter(model: type[RecordMixin], actor: Actor) -> ColumnElement[bool]:
    """Live (not recycled) records the actor may see: what every list and read uses."""
    return _visible_clause(model, actor.scopes_for(model.entity), actor.user_id, actor.department_id,
                           actor.departments_for(model.entity))


def editable_filter(model: type[RecordMixin], actor: Actor) -> ColumnElement[bool]:
    """Records the actor may change: in scope by ownership, or a read-write team member."""
    return _scope_clause(model, actor.scopes_for(model.entity), actor.user_id, actor.department_id, True,
                         actor.departments_for(model.entity))


def owner_in_scope(session: Session, actor: Actor, module: str, user_id: int) -> bool:
    """Whether the actor's data scope on ``module`` covers ``user_id`` (teams aside): whom the
    actor may make the owner of a record they create for someone else.

    The same clauses as ``scope_filter``, applied to the user instead of a record's owner, so
    "a user inside my scope" and "a record inside my scope" never disagree.
    """
    scopes = actor.scopes_for(module)
    if DataScope.ALL in scopes:
        return True
    # An alias: the scope's own subqueries read the users table and must not correlate with it.
    candidate = aliased(User, name="candidate_owner")
    departments = actor.departments_for(module)
    clause = or_(*(_owner_clause(candidate.id, s, actor.user_id, actor.department_id, departments)
                   for s in _ordered(scopes)))
    return session.scalar(select(candidate.id).where(candidate.id == user_id, clause)) is not None


def owner_scope_filter(owner: ColumnElement[Any], actor: Actor, module: str) -> ColumnElement[bool]:
    """``owner`` (an owner id column, e.g. of a table that sums records by owner) is a user the
    actor's data scope on ``module`` covers: ``scope_filter``'s owner part, without the team.

    For readers that split "visible" into the owners' part and the team-only rest
    (``scope_filter`` = this OR team); true() when a scope covers everyone, false() for none.
    """
    scopes = actor.scopes_for(module)
    if DataScope.ALL in scopes:
        return true()
    if not scopes:
        return false()
    departments = actor.departments_for(module)
    return or_(*(_owner_clause(owner, s, actor.user_id, actor.department_id, departments) for s in _ordered(scopes)))
