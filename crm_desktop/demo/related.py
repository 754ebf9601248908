"""Demo contacts, follow-ups, leads and the public pool 公海, in proportion to the customers.

``fill_related`` runs after ``demo_customers.fill_customers`` and, like it, writes generated rows
with bulk SQLAlchemy Core inserts, one unit of work per batch of customers, without audit rows
or domain events; the customers' and leads' follow-up summary columns are then set by
set-based UPDATEs. The pool itself is created through ``services.pool`` (audited), and the
customers left quiet move into it set-based.

Thread rule: plain service code; run it off the GUI thread (each batch is its own unit of work).
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    func,
    insert,
    literal,
    literal_column,
    select,
    update,
)
from sqlalchemy.orm import Session

from crm_desktop.demo.common import (
    BATCH_SIZE,
    bulk_insert,
    owned_customers_after,
    random_mobile,
    random_person,
    random_time,
    record_columns,
)
from crm_desktop.demo.customers import BRANDS, INDUSTRIES
from crm_desktop.models import Contact, Customer, FollowUp, Lead, PoolEvent, utcnow
from crm_desktop.services.customers import pool as pool_service
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.uow import read_only, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

#: (position, decision maker?) of customers' contacts; the first ones come up more often.
_POSITIONS = (("总经理", True), ("采购经理", True), ("采购专员", False), ("技术总监", True), ("财务经理", False),
              ("行政主管", False), ("项目经理", False), ("IT 主管", False), ("副总经理", True), ("办公室主任", False))
_MAIL_HOSTS = ("163.com", "qq.com", "126.com", "sina.com")
#: How many contacts / follow-ups a customer gets (means ≈1.5 and ≈2).
_CONTACT_COUNTS = (0,) * 10 + (1,) * 45 + (2,) * 30 + (3,) * 15
_FOLLOWUP_COUNTS = (1,) * 30 + (2,) * 40 + (3,) * 30
#: Follow-up kinds (values of the "followup_kind" dictionary), weighted, with what was said.
_FOLLOWUP_KINDS = ("phone",) * 4 + ("wechat",) * 3 + ("visit",) * 2 + ("email",) * 1
_FOLLOWUP_TEXTS: dict[str, tuple[str, ...]] = {
    "phone": ("电话沟通采购计划，客户预计下季度启动项目", "电话回访，客户对报价基本认可，需内部审批",
              "致电采购经理，约定下周上门演示", "电话确认合同条款，客户希望账期 60 天", "客户来电咨询售后服务政策",
              "电话联系未接通，稍后再跟进"),
    "wechat": ("微信发送产品资料和成功案例，客户已查看", "微信沟通报价细节，客户希望再优惠 5%",
               "微信提醒客户参加下周的产品发布会", "客户微信反馈试用情况良好"),
    "visit": ("上门拜访总经理，演示系统功能，反馈积极", "拜访客户现场，了解现有流程和痛点",
              "陪同技术人员上门调研需求", "上门洽谈年度合作框架，客户有意向"),
    "email": ("邮件发送正式报价单及配置清单", "邮件回复客户的技术问题", "发送合同草稿，等待客户法务审核",
              "邮件发送季度服务报告"),
}
#: Customers whose owner has let them go quiet; the demo's pool takes most of them.
_NEGLECTED = 0.035
_LEADS_PER_CUSTOMER = 0.3
_LEAD_STATUSES = ("new",) * 35 + ("following",) * 30 + ("converted",) * 20 + ("invalid",) * 15
_LEAD_SOURCES = ("referral", "exhibition", "website", "ads", "cold_call")
_LEAD_SUFFIXES = ("商行", "经营部", "工作室", "贸易商行", "门市部")
_INVALID_REASONS = ("电话为空号", "无采购需求", "重复线索", "同行咨询", "多次联系不上", "预算太低")
_LEAD_KINDS = ("phone", "phone", "wechat")
_LEAD_TEXTS = ("电话初步沟通，客户有采购意向", "已加微信，发送产品介绍", "客户索要报价，已发送", "约定下周电话回访")
#: The demo's public pool: recycle after this many days without a follow-up.
POOL_NAME = "公海"
POOL_DAYS = 30
#: What ``_customer_rows`` needs of a customer, in its parameters' order.
_CUSTOMER_COLUMNS = (Customer.id, Customer.owner_id, Customer.created_at, Customer.name, Customer.address,
                     Customer.industry, Customer.level)


def _followups(rng: random.Random, entity: str, target: int, owner: int, times: Sequence[dt.datetime],
               texts: Sequence[str] = (), kinds: Sequence[str] = _FOLLOWUP_KINDS) -> list[dict[str, object]]:
    rows = []
    for at in times:
        kind = rng.choice(kinds)
        nxt = at + dt.timedelta(days=rng.randrange(2, 15)) if rng.random() < 0.7 else None
        rows.append({"target_entity": entity, "target_id": target, "kind": kind, "followed_at": at,
                     "content": rng.choice(texts or _FOLLOWUP_TEXTS[kind]), "next_contact_at": nxt,
                     **record_columns(owner, at, at)})
    return rows


def _summarize(session: Session, model: type[Customer] | type[Lead], entity: str, low: int, high: int) -> None:
    """Set-based: the summary columns of ids ``low..high`` from each one's newest follow-up."""
    def newest(col: ColumnElement[Any]) -> ColumnElement[Any]:
        return (select(col).where(FollowUp.target_entity == entity, FollowUp.target_id == model.id,
                                  FollowUp.deleted_at.is_(None))
                .order_by(FollowUp.followed_at.desc(), FollowUp.id.desc()).limit(1)
                .correlate(model).scalar_subquery())
    has_one = (select(FollowUp.id).where(FollowUp.target_entity == entity, FollowUp.target_id == model.id)
               .correlate(model).exists())
    session.execute(
        update(model).where(model.id.between(low, high), has_one).values(
            last_followup_at=newest(FollowUp.followed_at), last_followup_content=newest(FollowUp.content),
            next_contact_at=newest(FollowUp.next_contact_at)),
        execution_options={"synchronize_session": False})


def _customer_rows(rng: random.Random, cid: int, owner: int, created: dt.datetime, name: str, address: str,
                   industry: str, level: str, now: dt.datetime, leads: list[dict[str, object]]
                   ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """One customer's contacts and follow-ups; its lead (if any) is appended to ``leads``."""
    contacts = []
    for k in range(rng.choice(_CONTACT_COUNTS)):
        person, gender, py = random_person(rng)
        position, decides = _POSITIONS[min(int(rng.expovariate(0.35)), len(_POSITIONS) - 1)]
        at = random_time(rng, created, now)
        contacts.append({
            "customer_id": cid, "name": person, "gender": gender, "position": position, "mobile": random_mobile(rng),
            "email": f"{py}{rng.randrange(10, 99)}@{rng.choice(_MAIL_HOSTS)}" if rng.random() < 0.4 else "",
            "wechat": f"wx_{py}{rng.randrange(100, 999)}" if rng.random() < 0.5 else "",
            "is_primary": k == 0, "decision_maker": decides, **record_columns(owner, at, random_time(rng, at, now)),
        })
    low = max(created, now - dt.timedelta(days=90))
    if rng.random() < _NEGLECTED:  # quiet for over 45 days: the pool's candidates
        quiet = now - dt.timedelta(days=46)
        times = sorted(random_time(rng, low, quiet) for _ in range(rng.randrange(3))) if low < quiet else []
    else:  # the newest within the recycle rule's 30 days (less 3 days' reminder), older ones before it
        newest = random_time(rng, max(low, now - dt.timedelta(days=27)), now)
        times = sorted(random_time(rng, low, newest) for _ in range(rng.choice(_FOLLOWUP_COUNTS) - 1)) + [newest]
    followups = _followups(rng, "customer", cid, owner, times)
    if rng.random() < _LEADS_PER_CUSTOMER:
        status = rng.choice(_LEAD_STATUSES)
        person, _gender, _py = random_person(rng)
        lead: dict[str, object] = {
            "contact_name": person, "mobile": random_mobile(rng), "source": rng.choice(_LEAD_SOURCES),
            "industry": industry, "level": level, "address": address, "status": status, "invalid_reason": "",
            "converted_customer_id": None, "converted_at": None, "remark": "",
        }
        if status == "converted":  # the lead this customer came from
            born = created - dt.timedelta(days=rng.randrange(1, 30), seconds=rng.randrange(86_400))
            lead.update(name=name, converted_customer_id=cid, converted_at=created, **record_columns(owner, born, created))
        else:  # a small business in the customer's city that the same owner is working on
            city = address.split("市", 1)[0]
            born = now - dt.timedelta(days=180 * rng.random())
            word = rng.choice(INDUSTRIES[industry])
            lead.update(name=f"{city}{rng.choice(BRANDS)}{word}{rng.choice(_LEAD_SUFFIXES)}",
                        **record_columns(owner, born, random_time(rng, born, now)))
            if status == "invalid":
                lead["invalid_reason"] = rng.choice(_INVALID_REASONS)
        leads.append(lead)
    return contacts, followups


def fill_related(
    db: Database,
    actor: Actor,
    *,
    pool_members: Sequence[pool_service.PoolMemberInput],
    seed: int = 7,
    after_id: int = 0,
    batch_size: int = BATCH_SIZE,
    now: dt.datetime | None = None,
) -> Iterator[tuple[int, int, str]]:
    """Give the customers with id > ``after_id`` contacts, follow-ups and leads in proportion,
    then open the public pool 公海 (members ``pool_members``, recycle after 30 days without a
    follow-up) and put the customers left quiet for over 45 days (≈3%) into it.

    Per customer: ≈1.5 contacts (the first is primary; the customer's owner owns them), ≈2
    follow-ups in the last 90 days (the newest within 27 days, except the quiet ones), ≈0.3
    leads (new, following, converted into this customer, or invalid with a reason). Bulk Core
    inserts, one unit of work per batch of customers, no audit rows or events (as
    ``fill_customers``); the summary columns follow the newest follow-up by set-based UPDATEs.
    The pool is created through ``services.pool`` as ``actor`` (audited). Yields
    ``(done, total, text)``. The search index is not rebuilt: call ``reindex_all`` afterwards.
    """
    rng = random.Random(seed * 7919 + 1)
    now = now or utcnow()
    with read_only(db, None) as uow:
        total = uow.session.scalar(select(func.count(Customer.id)).where(Customer.id > after_id)) or 0
        last_lead = uow.session.scalar(select(func.max(Lead.id))) or 0
    done, last = 0, after_id
    yield 0, total, f"Adding contacts, follow-ups and leads to {total} customers"
    while True:
        with unit_of_work(db, None) as uow:
            s = uow.session
            batch = owned_customers_after(s, last, batch_size, _CUSTOMER_COLUMNS)
            if not batch:
                break
            contacts: list[dict[str, object]] = []
            followups: list[dict[str, object]] = []
            leads: list[dict[str, object]] = []
            for row in batch:
                more_contacts, more_followups = _customer_rows(rng, *row, now, leads)
                contacts += more_contacts
                followups += more_followups
            for model, rows in ((Contact, contacts), (FollowUp, followups), (Lead, leads)):
                bulk_insert(s, model, rows)
            _summarize(s, Customer, "customer", batch[0].id, batch[-1].id)
            # Leads being worked on have follow-ups of their own (ids read back in insert order).
            lead_followups: list[dict[str, object]] = []
            first_lead = last_lead + 1
            for lid, owner, born, status, reason in s.execute(
                    select(Lead.id, Lead.owner_id, Lead.created_at, Lead.status, Lead.invalid_reason)
                    .where(Lead.id > last_lead).order_by(Lead.id)):
                last_lead = lid
                if status == "following":
                    times = sorted(random_time(rng, born, now) for _ in range(rng.randrange(1, 3)))
                    lead_followups += _followups(rng, "lead", lid, owner, times, _LEAD_TEXTS, _LEAD_KINDS)
                elif status == "invalid":
                    lead_followups += _followups(rng, "lead", lid, owner, [random_time(rng, born, now)],
                                                 (f"确认无效：{reason}",), _LEAD_KINDS)
            if lead_followups:
                bulk_insert(s, FollowUp, lead_followups)
                _summarize(s, Lead, "lead", first_lead, last_lead)
        done += len(batch)
        last = batch[-1].id
        yield done, total, f"Added contacts, follow-ups and leads to {done} of {total} customers"
    yield done, total, "Opening the public pool"
    pool_id = pool_service.create_pool(db, actor, pool_service.PoolInput(
        name=POOL_NAME, daily_claim_limit=20, owned_cap=0, reclaim_cooldown_days=7, remind_days=3,
        members=tuple(pool_members), rules=(pool_service.PoolRuleInput("no_followup", POOL_DAYS),))).id
    _pool_quiet_customers(db, pool_id, after_id=after_id, now=now)


def _pool_quiet_customers(db: Database, pool_id: int, *, after_id: int, now: dt.datetime) -> None:
    """Set-based: customers quiet for over 30 days as of one of five recycle runs in the last
    two weeks move into the pool (owner cleared, previous owner kept), with a "recycle" event."""
    since = func.coalesce(Customer.last_followup_at, Customer.created_at)
    with unit_of_work(db, None) as uow:
        # An empty JSON object as SQL text (PostgreSQL would take an untyped literal as text).
        empty = literal_column("'{}'::jsonb" if uow.session.get_bind().dialect.name == "postgresql" else "'{}'")
        for days_ago in (14, 10, 6, 3, 1):  # oldest run first: each takes what was due by then
            pooled = now - dt.timedelta(days=days_ago, hours=1)
            uow.session.execute(
                update(Customer).where(
                    Customer.id > after_id, Customer.pool_id.is_(None), Customer.owner_id.is_not(None),
                    Customer.deleted_at.is_(None), Customer.locked.is_(False), Customer.deal_status != "deal",
                    since < pooled - dt.timedelta(days=POOL_DAYS))
                .values(pool_id=pool_id, pooled_at=pooled, previous_owner_id=Customer.owner_id, owner_id=None),
                execution_options={"synchronize_session": False})
        uow.session.execute(insert(PoolEvent).from_select(
            ["pool_id", "customer_id", "kind", "user_id", "reason", "at", "details"],
            select(Customer.pool_id, Customer.id, literal("recycle"), Customer.previous_owner_id,
                   literal(f"超过 {POOL_DAYS} 天未跟进"), Customer.pooled_at, empty)
            .where(Customer.pool_id == pool_id, Customer.id > after_id)))
