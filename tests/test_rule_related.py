"""Rule actions on related records (issue 13, seed 001: "adding a contract or a follow-up
updates the related customer"): set a field of, and message the owner of, the record's customer
or a contract's opportunity. Every test runs on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, event, select

from crm_desktop.db import Database, open_database
from crm_desktop.models import AutomationRule, AutomationRun
from crm_desktop.services.customers.contacts import contacts
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.followups import add_followup
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.services.workflow import automation as auto
from crm_desktop.services.workflow.automation import RuleInput
from tests.test_contracts import SALES
from tests.test_customers import make_user


@contextmanager
def after_nth(db: Database, prefix: str, n: int, action: Callable[[], None]) -> Iterator[list[bool]]:
    """Run ``action()`` once, right after the ``n``-th statement of ``db`` starting with ``prefix``."""
    seen: list[bool] = []
    done: list[bool] = []

    def hook(_conn: Any, _cur: Any, statement: str, *_a: Any) -> None:
        if not done and statement.lstrip().startswith(prefix):
            seen.append(True)
            if len(seen) == n:
                done.append(True)
                action()

    event.listen(db.engine, "after_cursor_execute", hook)
    try:
        yield done
    finally:
        event.remove(db.engine, "after_cursor_execute", hook)


def runs(db: Database) -> list[tuple[str, str, str, int, str]]:
    with db.sessions() as s:
        return [(r.rule_name, r.entity, r.outcome, r.depth, r.message)
                for r in s.scalars(select(AutomationRun).order_by(AutomationRun.id))]


def rule(db: Database, admin: Actor, entity: str, *actions: dict[str, Any], event: str = "created",
         name: str = "规则", **extra: Any) -> auto.RuleDTO:
    return auto.create_rule(db, admin, RuleInput(name=name, entity=entity, event=event, actions=actions, **extra))


def test_contract_created_updates_its_customer_and_tells_the_customer_owner(db: Database, admin: Actor) -> None:
    rep = make_user(db, admin, "13900000301", perms=SALES)
    writer = make_user(db, admin, "13900000302", perms=SALES)
    cust = customers.create(db, rep, {"name": "厦门鹭岛机电有限公司"})
    rule(db, admin, "contract",
         {"type": "set_field", "on": "customer", "field": "level", "value": "A"},
         {"type": "set_field", "on": "customer", "field": "remark", "from_field": "name"},
         {"type": "message", "on": "customer", "to": "owner", "title": "新合同：{name}",
          "body": "{customer.name} 金额 {amount}"},
         name="合同回写客户")
    # The customer's own rules run on the rule's write, one level deeper.
    rule(db, admin, "customer", {"type": "message", "to": "owner", "title": "客户等级：{level}"},
         event="field_changed", field="level", name="等级变化")
    contracts.create(db, admin, {"name": "鹭岛一期", "customer_id": cust.id, "amount": "9800"})

    got = customers.get(db, rep, cust.id)
    assert got.values["level"] == "A" and got.values["remark"] == "鹭岛一期"
    # Audited on the customer like any edit, and a new version (it was edited).
    log = [(e.action, {ch.field: ch.new for ch in e.changes}) for e in customers.operation_log(db, admin, cust.id)]
    assert ("update", {"level": "A"}) in log and ("update", {"remark": "鹭岛一期"}) in log
    assert got.version == 3
    mine = [(m.title, m.body, m.entity, m.record_id) for m in auto.list_messages(db, rep)]
    assert ("新合同：鹭岛一期", "厦门鹭岛机电有限公司 金额 9800.00", "customer", cust.id) in mine
    assert ("客户等级：A", "", "customer", cust.id) in mine
    assert auto.list_messages(db, writer) == []  # the contract's writer is not the customer's owner
    logged = runs(db)
    assert logged[0][:4] == ("合同回写客户", "contract", "ok", 0)
    assert f"customer {cust.id}: set level" in logged[0][4]
    assert logged[1][:4] == ("等级变化", "customer", "ok", 1)


def test_no_related_record_skips_the_action_and_logs_it(db: Database, admin: Actor) -> None:
    rep = make_user(db, admin, "13900000311", perms=SALES)
    cust = customers.create(db, rep, {"name": "漳州闽南食品有限公司"})
    rule(db, admin, "contract",
         {"type": "set_field", "on": "opportunity", "field": "remark", "from_field": "number"},
         {"type": "message", "on": "opportunity", "to": "owner", "title": "商机有合同了：{name}",
          "body": "{opportunity.name}"},
         name="合同回写商机")
    bare = contracts.create(db, rep, {"name": "无商机合同", "customer_id": cust.id})  # saved, not a crash
    [(name, entity, outcome, depth, message)] = runs(db)
    assert (name, entity, outcome, depth) == ("合同回写商机", "contract", "ok", 0)
    assert message == "set_field skipped: no opportunity; message skipped: no opportunity"
    assert contracts.get(db, rep, bare.id).values["approval_status"] == "draft"
    assert auto.list_messages(db, rep) == []

    opp = opportunities.create(db, rep, {"name": "食品线改造", "customer_id": cust.id})
    made = contracts.create(db, rep, {"name": "食品线合同", "customer_id": cust.id, "opportunity_id": opp.id})
    assert opportunities.get(db, rep, opp.id).values["remark"] == made.values["number"]
    assert [(m.title, m.entity, m.record_id) for m in auto.list_messages(db, rep)] == [
        ("商机有合同了：食品线合同", "opportunity", opp.id)]


def test_a_followup_updates_the_customer_of_its_contact(db: Database, admin: Actor) -> None:
    """Seed 001: adding a follow-up updates the related customer (through the contact)."""
    rep = make_user(db, admin, "13900000321", perms=SALES)
    cust = customers.create(db, rep, {"name": "泉州刺桐纺织有限公司"})
    person = contacts.create(db, rep, {"name": "林小姐", "customer_id": cust.id})
    rule(db, admin, "followup", {"type": "set_field", "on": "customer", "field": "remark", "from_field": "content"})
    rule(db, admin, "contact", {"type": "set_field", "on": "customer", "field": "address", "value": "跟进"},
         event="followup_added", name="联系人跟进")
    add_followup(db, rep, target_entity="contact", target_id=person.id, content="约了下周拜访")
    got = customers.get(db, rep, cust.id).values
    assert got["remark"] == "约了下周拜访" and got["address"] == "跟进"


def test_related_actions_are_checked_before_they_are_stored(db: Database, admin: Actor) -> None:
    def refused(entity: str, action: dict[str, Any]) -> str:
        with pytest.raises(ValidationError) as err:
            rule(db, admin, entity, action)
        return err.value.field_errors["actions"]

    assert refused("customer", {"type": "set_field", "on": "customer", "field": "level", "value": "A"}) == (
        "This record has no such related record.")
    assert refused("contact", {"type": "set_field", "on": "opportunity", "field": "remark", "value": "x"}) == (
        "This record has no such related record.")
    assert refused("contract", {"type": "assign_owner", "on": "customer", "user_id": admin.user_id}) == (
        "This record has no such related record.")
    # The field is the related record's: a contract field is unknown on the customer.
    assert refused("contract", {"type": "set_field", "on": "customer", "field": "payment_terms", "value": "x"}) == (
        "Unknown field.")
    ok = rule(db, admin, "payment", {"type": "message", "on": "customer", "to": "owner", "title": "回款 {amount}"})
    assert ok.actions[0]["on"] == "customer"


def test_a_rule_writing_the_customer_commutes_with_someone_editing_it(db: Database, admin: Actor) -> None:
    """The customer is edited by another PC between the rule's read of it and its write: both
    changes land, and the contract is saved (no conflict for its writer). PostgreSQL only: on
    SQLite the save already holds the file's write lock there, so no one can edit in between."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serializes writes: the race is a PostgreSQL one")
    other = open_database(db.engine.url.render_as_string(hide_password=False), migrate_schema=False)
    try:
        cust = customers.create(db, admin, {"name": "厦门鹭岛机电有限公司"})
        rule(db, admin, "contract", {"type": "set_field", "on": "customer", "field": "level", "value": "A"})

        def someone_edits() -> None:
            t = threading.Thread(target=customers.update, args=(other, admin, cust.id),
                                 kwargs={"expected_version": 1, "changes": {"remark": "theirs"}})
            t.start()
            t.join(20)

        # The second read of the customer is the rule's own (the first: the contract's check).
        with after_nth(db, "SELECT customers.", 2, someone_edits) as done:
            made = contracts.create(db, admin, {"name": "鹭岛一期", "customer_id": cust.id})
        assert done
        got = customers.get(db, admin, cust.id)
        assert (got.values["level"], got.values["remark"], got.version) == ("A", "theirs", 3)
        assert contracts.get(db, admin, made.id).values["name"] == "鹭岛一期"
    finally:
        other.dispose()


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shapes=st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=4))
def test_related_actions_act_exactly_when_the_related_record_is_there(
    db: Database, admin: Actor, shapes: list[tuple[bool, bool]],
) -> None:
    """For contracts with or without an opportunity (live, or moved to the recycle bin since),
    a rule acting on the opportunity writes it exactly when it is there and live; otherwise the
    save succeeds and the run log says the action was skipped. The customer is written every time."""
    with db.sessions() as s:  # each example starts without the rules of the one before
        s.execute(delete(AutomationRule))
        s.commit()
    tag = len(runs(db))
    rule(db, admin, "contract",
         {"type": "set_field", "on": "opportunity", "field": "remark", "from_field": "remark"},
         {"type": "set_field", "on": "customer", "field": "remark", "from_field": "remark"},
         event="edited", name=f"回写{tag}")
    cust = customers.create(db, admin, {"name": f"鹭岛{tag}"})
    for n, (has_opportunity, binned) in enumerate(shapes):
        opp = opportunities.create(db, admin, {"name": "商机", "customer_id": cust.id}) if has_opportunity else None
        values: dict[str, Any] = {"name": "合同", "customer_id": cust.id}
        if opp is not None:
            values["opportunity_id"] = opp.id
        made = contracts.create(db, admin, values)
        if opp is not None and binned:
            opportunities.delete(db, admin, opp.id)
        text = f"第{n}次"
        contracts.update(db, admin, made.id, expected_version=made.version, changes={"remark": text})
        assert customers.get(db, admin, cust.id).values["remark"] == text
        message = runs(db)[-1][4]
        if opp is None or binned:
            assert message.startswith("set_field skipped: no opportunity; "), message
        else:
            assert opportunities.get(db, admin, opp.id).values["remark"] == text
            assert message.startswith(f"opportunity {opp.id}: set remark; "), message
    assert {outcome for _n, _e, outcome, _d, _m in runs(db)} == {"ok"}
