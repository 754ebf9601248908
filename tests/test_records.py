"""The shared record operations: audit, events, optimistic locking, recycle bin, team."""
from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import event

from crm_desktop.bootstrap import bootstrap
from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import (
    ConflictError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from crm_desktop.services.events import (
    DomainEvent,
    OwnerChanged,
    RecordCreated,
    RecordDeleted,
    RecordRestored,
    RecordUpdated,
)
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import RECORD_ACTIONS, DataScope
from crm_desktop.services.org.roles import RoleInput
from crm_desktop.services.org.users import UserInput


def _sales(db: Database, admin: Actor, mobile: str = "13700000001", *, actions: tuple[str, ...] = RECORD_ACTIONS) -> Actor:
    role = roles.create_role(db, admin, RoleInput(
        name=f"sales-{mobile}", permissions=frozenset(("customer", a) for a in actions),
        scopes={"customer": DataScope.SELF}))
    users.create_user(db, admin, UserInput(mobile=mobile, name=f"销售{mobile[-2:]}", department_id=admin.department_id,
                                           role_ids=(role.id,)), password="abc12345")
    return auth.login(db, mobile, "abc12345")


def _log(db: Database, admin: Actor, record_id: int) -> list[tuple[str, dict[str, tuple[Any, Any]]]]:
    return [(e.action, {c.field: (c.old, c.new) for c in e.changes})
            for e in customers.operation_log(db, admin, record_id)]


def test_create_update_are_audited_field_by_field(db: Database, admin: Actor) -> None:
    c = customers.create(db, admin, {"name": "厦门星辰科技有限公司", "level": "B"})
    assert c.version == 1 and c.owner_id == admin.user_id and c.owner_name == "管理员"
    c2 = customers.update(db, admin, c.id, expected_version=1, changes={"level": "A", "phone": "0592-1"})
    assert c2.version == 2 and c2.values["level"] == "A"
    same = customers.update(db, admin, c.id, expected_version=2, changes={"level": "A"})
    assert same.version == 2  # no real change: no write, no version bump
    log = _log(db, admin, c.id)
    assert [a for a, _ in log] == ["create", "update"]
    assert log[1][1] == {"level": ("B", "A"), "phone": ("", "0592-1")}
    assert log[0][1]["name"] == (None, "厦门星辰科技有限公司")
    with pytest.raises(ValidationError) as err:
        customers.update(db, admin, c.id, expected_version=2, changes={"name": " "})
    assert "name" in err.value.field_errors


def test_stale_save_raises_conflict_with_mine_theirs_original(db: Database, admin: Actor) -> None:
    c = customers.create(db, admin, {"name": "星辰", "phone": "111", "level": "B"})
    customers.update(db, admin, c.id, expected_version=1, changes={"phone": "222"})  # someone else's save
    with pytest.raises(ConflictError) as err:
        customers.update(db, admin, c.id, expected_version=1, changes={"phone": "333", "level": "A"})
    by_field = {f.field: f for f in err.value.conflicts}
    assert set(by_field) == {"phone", "level"}
    assert (by_field["phone"].mine, by_field["phone"].theirs, by_field["phone"].original) == ("333", "222", "111")
    assert (by_field["level"].mine, by_field["level"].theirs, by_field["level"].original) == ("A", "B", "B")
    assert err.value.their_version == 2
    assert customers.get(db, admin, c.id).values["phone"] == "222"  # nothing overwritten
    # Saving again on top of their version works.
    assert customers.update(db, admin, c.id, expected_version=2, changes={"phone": "333"}).version == 3


def test_save_racing_another_commit_is_a_conflict(db: Database, admin: Actor) -> None:
    """The other save commits after our version check but before our UPDATE: the
    ``WHERE version = ?`` of the UPDATE catches it (StaleDataError → ConflictError)."""
    c = customers.create(db, admin, {"name": "星辰", "phone": "111"})
    other = bootstrap(str(db.engine.url.render_as_string(hide_password=False)), migrate_schema=False)
    fired = {"done": False}

    def competing_save(session: Any, _ctx: Any, _instances: Any) -> None:
        if fired["done"]:
            return
        fired["done"] = True
        t = threading.Thread(target=customers.update, args=(other, admin, c.id),
                             kwargs={"expected_version": 1, "changes": {"phone": "222"}})
        t.start()
        t.join(20)

    event.listen(db.sessions, "before_flush", competing_save)
    try:
        with pytest.raises(ConflictError) as err:
            customers.update(db, admin, c.id, expected_version=1, changes={"phone": "333"})
    finally:
        event.remove(db.sessions, "before_flush", competing_save)
        other.dispose()
    (conflict,) = err.value.conflicts
    assert (conflict.mine, conflict.theirs, conflict.original) == ("333", "222", "111")
    assert [a for a, _ in _log(db, admin, c.id)] == ["create", "update"]


def test_two_sessions_save_at_once_exactly_one_wins(db: Database, admin: Actor) -> None:
    c = customers.create(db, admin, {"name": "星辰", "phone": "111"})
    url = db.engine.url.render_as_string(hide_password=False)
    sessions = [bootstrap(url, migrate_schema=False) for _ in range(2)]
    start = threading.Barrier(2)
    outcome: dict[str, Any] = {}

    def save(i: int) -> None:
        start.wait()
        try:
            outcome[f"s{i}"] = customers.update(sessions[i], admin, c.id, expected_version=1,
                                                changes={"phone": f"from-{i}"})
        except ConflictError as exc:
            outcome[f"s{i}"] = exc

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for s in sessions:
        s.dispose()
    winners = [k for k, v in outcome.items() if not isinstance(v, ConflictError)]
    losers = [v for v in outcome.values() if isinstance(v, ConflictError)]
    assert len(winners) == 1 and len(losers) == 1
    won = outcome[winners[0]].values["phone"]
    (conflict,) = losers[0].conflicts
    assert conflict.field == "phone" and conflict.theirs == won and conflict.original == "111"
    log = _log(db, admin, c.id)
    assert log == [log[0], ("update", {"phone": ("111", won)})]  # exactly the first save


def test_recycle_bin_transfer_team_and_scope(db: Database, admin: Actor) -> None:
    li = _sales(db, admin, "13700000001")
    wang = _sales(db, admin, "13700000002")
    mine = customers.create(db, li, {"name": "李娜的客户"})
    assert customers.visible_ids(db, wang) == set()
    with pytest.raises(NotFound):
        customers.get(db, wang, mine.id)

    customers.set_team_member(db, li, mine.id, user_id=wang.user_id, access="read")
    assert customers.visible_ids(db, wang) == {mine.id}
    with pytest.raises(PermissionDenied):  # read-only team member
        customers.update(db, wang, mine.id, expected_version=1, changes={"phone": "1"})
    customers.set_team_member(db, li, mine.id, user_id=wang.user_id, access="write")
    assert customers.update(db, wang, mine.id, expected_version=1, changes={"phone": "1"}).version == 2
    assert [m.access for m in customers.team(db, li, mine.id)] == ["write"]
    customers.set_team_member(db, li, mine.id, user_id=wang.user_id, access=None)
    assert customers.visible_ids(db, wang) == set()

    assert customers.transfer(db, li, [mine.id], new_owner_id=wang.user_id) == 1
    assert customers.visible_ids(db, li) == set() and customers.visible_ids(db, wang) == {mine.id}
    customers.delete(db, wang, mine.id)
    assert customers.visible_ids(db, wang) == set()
    assert [r.id for r in customers.recycle_bin(db, wang)] == [mine.id]
    assert customers.recycle_bin(db, li) == []
    customers.restore(db, wang, mine.id)
    assert customers.visible_ids(db, wang) == {mine.id}
    actions = [a for a, _ in _log(db, admin, mine.id)]
    assert actions == ["create", "team", "team", "update", "team", "owner_change", "delete", "restore"]
    assert _log(db, admin, mine.id)[5][1] == {"owner_id": (li.user_id, wang.user_id)}


def test_operation_permissions_are_checked_first(db: Database, admin: Actor) -> None:
    viewer = _sales(db, admin, "13700000003", actions=("view",))
    with pytest.raises(PermissionDenied):
        customers.create(db, viewer, {"name": "x"})
    c = customers.create(db, admin, {"name": "x"}, owner_id=viewer.user_id)
    assert customers.get(db, viewer, c.id).id == c.id
    for call in (lambda: customers.update(db, viewer, c.id, expected_version=1, changes={"name": "y"}),
                 lambda: customers.delete(db, viewer, c.id),
                 lambda: customers.transfer(db, viewer, [c.id], new_owner_id=admin.user_id)):
        with pytest.raises(PermissionDenied):
            call()


def test_events_reach_subscribers_in_both_phases(db: Database, admin: Actor) -> None:
    seen: list[tuple[str, DomainEvent]] = []
    db.bus.subscribe(lambda e, uow: seen.append(("tx", e)), phase="in_transaction")
    db.bus.subscribe(lambda e, uow: seen.append(("after", e)), phase="after_commit")
    c = customers.create(db, admin, {"name": "星辰", "level": "B"})
    customers.update(db, admin, c.id, expected_version=1, changes={"level": "A"})
    other = users.create_user(db, admin, UserInput(mobile="13700000005", name="周", department_id=admin.department_id),
                              password="abc12345")
    customers.transfer(db, admin, [c.id], new_owner_id=other.id)
    customers.delete(db, admin, c.id)
    customers.restore(db, admin, c.id)
    after = [e for phase, e in seen if phase == "after"]
    assert [type(e) for e in after] == [RecordCreated, RecordUpdated, OwnerChanged, RecordDeleted, RecordRestored]
    assert [e for phase, e in seen if phase == "tx"] == after
    upd = after[1]
    assert isinstance(upd, RecordUpdated) and upd.before == {"level": "B"} and upd.after == {"level": "A"}
    assert isinstance(after[2], OwnerChanged) and after[2].new_owner_id == other.id


def test_failing_subscriber_fails_the_save_and_nothing_is_kept(db: Database, admin: Actor) -> None:
    def reject(event: DomainEvent, uow: Any) -> None:
        raise RuntimeError("rule 'block everything' failed")

    unsubscribe = db.bus.subscribe(reject, phase="in_transaction")
    with pytest.raises(RuntimeError, match="block everything"):
        customers.create(db, admin, {"name": "星辰"})
    unsubscribe()
    assert customers.count(db, admin) == 0
    assert customers.create(db, admin, {"name": "星辰"}).id  # and the next save works


def test_list_rows_carry_what_a_detail_read_carries(db: Database, admin: Actor) -> None:
    """Lists read plain rows, not records: each list DTO must equal the detail read's DTO
    (values, custom fields, owner name, times), and count() must agree with the pages."""
    from crm_desktop.services.records import schema, schema_admin

    budget = schema_admin.create_custom_field(db, admin, "customer", schema_admin.CustomFieldInput(
        label="预算", type=schema.FieldType.MONEY))
    sales = _sales(db, admin, "13700000011")
    made = [customers.create(db, sales, {"name": f"客户{i}", "phone": f"0592-{i}"}, custom={budget.name: f"{i}.5"})
            for i in range(5)]
    customers.create(db, admin, {"name": "管理员的客户"})  # outside the sales user's scope
    customers.delete(db, sales, made[0].id)  # in the bin: in no list
    page = customers.list_page(db, sales, sort=budget.name, descending=True, limit=3)
    assert [r.id for r in page.rows] == [made[4].id, made[3].id, made[2].id] and page.next_cursor is not None
    rest = customers.list_page(db, sales, sort=budget.name, descending=True, limit=3, after=page.next_cursor)
    assert [r.id for r in rest.rows] == [made[1].id] and rest.next_cursor is None
    for row in (*page.rows, *rest.rows):
        assert row == customers.get(db, sales, row.id)
    assert page.rows[0].custom[budget.name] == "4.50" and page.rows[0].owner_name == "销售11"
    assert customers.count(db, sales) == 4
    assert customers.count(db, sales, text="0592-3") == 1
    assert customers.count(db, admin) == 5


def test_list_walks_the_sort_index_on_sqlite(db: Database, admin: Actor) -> None:
    """The bin and pool filters match nearly every row; on SQLite they must not pick an index
    (the planner, without statistics, would read every row through it and sort them all)."""
    from sqlalchemy import text as sql_text

    from crm_desktop.services.uow import read_only

    with read_only(db, admin) as uow:
        policy = customers.policy(uow.session, uow.actor)
        col = customers._sort_column(policy, "updated_at")
        query = customers._list_query(uow.actor, None, policy=policy, session=uow.session)
        query = query.add_columns(col.label("_sort_key")).order_by(col.desc(), customers.model.id.desc()).limit(101)
        compiled = str(query.compile(uow.session.get_bind(), compile_kwargs={"literal_binds": True}))
        if db.backend != "sqlite":
            assert "+customers" not in compiled  # PostgreSQL plans from statistics: plain columns
            return
        assert "+customers.deleted_at IS NULL" in compiled and "+customers.pool_id IS NULL" in compiled
        plan = " | ".join(r[3] for r in uow.session.execute(sql_text("EXPLAIN QUERY PLAN " + compiled)))
    assert "USING INDEX ix_customers_updated_at" in plan and "TEMP B-TREE" not in plan, plan


# --- the list search box and text filters match % _ \ literally -----------------------------

#: Names holding LIKE's wildcards and escape, and decoys a wildcard would match.
LITERAL_NAMES = ("%", "_", "\\", "百分之100%折扣", "a_b贸易", "路径\\备份", "1000台机床", "a1b贸易", "普通公司")


@pytest.mark.parametrize("text", ["%", "_", "\\", "100%", "a_b"])
def test_list_search_and_text_filters_match_wildcards_literally(db: Database, admin: Actor, text: str) -> None:
    from crm_desktop.services.records.filters import Condition, Filter, Op
    from crm_desktop.services.sales.contracts import contracts

    ids = {name: customers.create(db, admin, {"name": name}).id for name in LITERAL_NAMES}
    holding = {name for name in LITERAL_NAMES if text in name}
    assert holding

    def names(**kw: Any) -> set[str]:
        return {r.values["name"] for r in customers.list_page(db, admin, **kw).rows}

    assert names(text=text) == holding and customers.count(db, admin, text=text) == len(holding)
    # The kept statement (search text as a parameter) and the built one (with a filter) agree.
    assert names(text=f" {text} ", filter=Filter((Condition("name", Op.NOT_EMPTY),))) == holding
    by_op = {op: names(filter=Filter((Condition("name", op, value),))) for op, value in (
        (Op.CONTAINS, text), (Op.NOT_CONTAINS, text), (Op.EQ, text), (Op.NE, text), (Op.IN, [text]))}
    exact = {text} & set(LITERAL_NAMES)
    assert by_op == {Op.CONTAINS: holding, Op.NOT_CONTAINS: set(LITERAL_NAMES) - holding, Op.EQ: exact,
                     Op.NE: set(LITERAL_NAMES) - exact, Op.IN: exact}
    # Contracts search their number, name and customer's name (their own text match).
    for name, cid in ids.items():
        contracts.create(db, admin, {"name": f"合同-{name}", "customer_id": cid})
    found = {r.values["name"] for r in contracts.list_page(db, admin, text=text).rows}
    assert found == {f"合同-{name}" for name in holding}
