"""Work logs (日志) on both backends: one log per author, kind and day; the author's superiors
up the chain read it and comment (the author is messaged); nobody else sees it; the record's
timeline lists the logs about it."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from crm_desktop.db import Database
from crm_desktop.models import Message
from crm_desktop.services.activities.timeline import timeline
from crm_desktop.services.activities.worklogs import (
    add_log_comment,
    delete_log,
    get_log,
    list_logs,
    write_log,
)
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.org import users
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.auth import login
from tests.test_activities_tasks import PERMS
from tests.test_customers import make_user

DAY = dt.date(2026, 3, 4)  # a Wednesday


def put_under(db: Database, admin: Actor, user: Actor, superior: Actor) -> Actor:
    """Make ``superior`` the direct superior of ``user``; the user signed in again."""
    u = users.get_user(db, admin, user.user_id)
    users.update_user(db, admin, user.user_id, users.UserInput(
        mobile=u.mobile, name=u.name, department_id=u.department_id, superior_id=superior.user_id,
        role_ids=tuple(u.role_ids)))
    return login(db, u.mobile, "abc12345")


def test_superiors_read_and_comment_others_do_not(db: Database, admin: Actor) -> None:
    boss = make_user(db, admin, "13900000201", perms=PERMS)
    lead = make_user(db, admin, "13900000202", perms=PERMS)
    rep = make_user(db, admin, "13900000203", perms=PERMS)
    peer = make_user(db, admin, "13900000204", perms=PERMS)
    lead = put_under(db, admin, lead, boss)
    rep = put_under(db, admin, rep, lead)
    c = customers.create(db, rep, {"name": "鹭岛机电"})

    log = write_log(db, rep, kind="daily", day=DAY, done_text="拜访鹭岛机电，确认需求", plan_text="准备报价",
                    related=(("customer", c.id),))
    again = write_log(db, rep, kind="daily", day=DAY, done_text="拜访鹭岛机电，确认需求（补充）")
    assert again.id == log.id and again.plan_text == "" and again.related == ()  # one per day: rewritten
    week = write_log(db, rep, kind="weekly", day=DAY, done_text="本周三次拜访", related=(("customer", c.id),))
    assert week.day == dt.date(2026, 3, 2)  # the week's Monday
    write_log(db, rep, kind="daily", day=DAY, done_text="拜访鹭岛机电", related=(("customer", c.id),))

    window = {"since": DAY - dt.timedelta(days=7), "until": DAY}
    for reader in (rep, lead, boss, admin):
        assert {x.id for x in list_logs(db, reader, **window)} == {log.id, week.id}, reader.name
    assert list_logs(db, peer, **window) == []
    assert [x.id for x in list_logs(db, boss, author_id=rep.user_id, kind="weekly", **window)] == [week.id]
    with pytest.raises(NotFound):
        get_log(db, peer, log.id)
    with pytest.raises(NotFound):
        add_log_comment(db, peer, log.id, "看看")

    add_log_comment(db, boss, log.id, "报价注意账期")
    add_log_comment(db, rep, log.id, "收到")
    full = get_log(db, lead, log.id)
    assert [(x.author_id, x.body) for x in full.comments] == [(boss.user_id, "报价注意账期"), (rep.user_id, "收到")]
    assert full.related == ()  # the lead's scope is "self": the customer is not named to them
    assert [(r.entity, r.record_id) for r in get_log(db, rep, log.id).related] == [("customer", c.id)]
    with db.sessions() as s:  # the author is told of the superior's comment, not of their own
        told = list(s.scalars(select(Message).where(Message.entity == "work_log")))
    assert [(m.recipient_id, m.record_id, m.params) for m in told] == [(rep.user_id, log.id, {"name": boss.name})]

    # The record's timeline: the logs about it, for those who may read them.
    assert sorted(i.item_id for i in timeline(db, rep, "customer", c.id) if i.kind == "log") == sorted(
        [log.id, week.id])
    assert [i.kind for i in timeline(db, rep, "customer", c.id, kinds=("log",))] == ["log", "log"]
    assert [i for i in timeline(db, admin, "customer", c.id) if i.kind == "log"] != []

    with pytest.raises(NotFound):  # a superior reads, only the author deletes
        delete_log(db, boss, log.id)
    delete_log(db, rep, log.id)
    assert [x.id for x in list_logs(db, boss, **window)] == [week.id]


def test_a_log_needs_text_and_visible_records(db: Database, admin: Actor) -> None:
    rep = make_user(db, admin, "13900000211", perms=PERMS)
    other = make_user(db, admin, "13900000212", perms=PERMS)
    hidden = customers.create(db, other, {"name": "看不见的客户"})
    with pytest.raises(ValidationError):
        write_log(db, rep, kind="daily", day=DAY, done_text="  ")
    with pytest.raises(ValidationError):
        write_log(db, rep, kind="monthly", day=DAY, done_text="x")
    with pytest.raises(ValidationError):
        write_log(db, rep, kind="daily", day=DAY, done_text="x", related=(("customer", hidden.id),))
