"""Automation (自动化): trigger rules, the log of their runs, and the messages they send.

A rule says: on this event of this entity, if the condition holds, run these actions in
order. Conditions and actions are JSON described in ``crm_desktop.automation``; the message
table is what the message centre reads.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_desktop.models.base import Base, JSONType, UTCDateTime, utcnow


class AutomationRule(Base):
    __tablename__ = "automation_rules"
    __table_args__ = (
        # Every save asks "which enabled rules of this entity, in order": one index walk.
        Index("ix_automation_rules_entity_enabled", "entity", "enabled", "sort_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    entity: Mapped[str] = mapped_column(String(50))
    #: One of ``crm_desktop.automation.engine.EVENTS`` (created, edited, field_changed,
    #: status_changed, date_reached, …).
    event: Mapped[str] = mapped_column(String(30))
    #: field_changed / status_changed only: the field, and optionally the value it changed from / to.
    field: Mapped[str | None] = mapped_column(String(100))
    from_value: Mapped[Any] = mapped_column(JSONType, nullable=True)
    to_value: Mapped[Any] = mapped_column(JSONType, nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    #: {"match": "all"|"any", "groups": [Filter JSON, ...]}; empty = always.
    condition: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: Ordered list of action objects.
    actions: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    #: A new random token on every change of the rule's content: the engine keeps parsed rules
    #: per process and re-reads one only when its token changed (ids alone may be reused).
    revision: Mapped[str] = mapped_column(String(32), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: date_reached only: the date or date-time field, and how many days after it (negative:
    #: before) the rule fires.
    date_field: Mapped[str | None] = mapped_column(String(100))
    offset_days: Mapped[int] = mapped_column(Integer, default=0)
    #: date_reached only: the end of the window the date job last checked (None: never, the
    #: rule's ``created_at`` stands in). Occurrences up to it have fired.
    last_checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The user a round-robin "assign owner" action of this rule gave the last record to;
    #: changed in the save's transaction (under the rule's row lock), so it rolls back with it.
    round_robin_last_id: Mapped[int | None] = mapped_column(Integer)


class AutomationRun(Base):
    """One run of one rule on one record: ok, failed (the save was refused) or skipped."""

    __tablename__ = "automation_runs"
    __table_args__ = (Index("ix_automation_runs_record", "entity", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The log outlives a deleted rule; the name is kept for reading it.
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("automation_rules.id", ondelete="SET NULL"), index=True)
    rule_name: Mapped[str] = mapped_column(String(200), default="")
    entity: Mapped[str] = mapped_column(String(50))
    record_id: Mapped[int] = mapped_column(Integer)
    #: ok · failed · skipped
    outcome: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text, default="")
    depth: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Message(Base):
    """A message for one user (message centre), optionally about a record."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_recipient_read", "recipient_id", "read"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    entity: Mapped[str | None] = mapped_column(String(50))
    record_id: Mapped[int | None] = mapped_column(Integer)
    read: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When set, title and body are translation templates (context "messages") that the reader
    #: fills with these values in the reader's language (approval messages); rule messages are
    #: the administrator's own words and have none.
    params: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
