"""Tasks (任务), schedule events (日程), their links to business records, and the reminders
already shown (issue 16)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from crm_desktop.models.base import Base, JSONType, UTCDateTime, utcnow
from crm_desktop.models.record import RecordMixin


class Task(RecordMixin, Base):
    """A task: the owner does it; participants take part; related records say what it is about.

    Dates: ``due_date`` is the local day the task is due (the workbench buckets compare it
    with today, so it is a plain date and index-friendly); ``due_at`` is the exact moment
    when a time was given (reminders fire then). Likewise ``start_date`` / ``start_at``.
    """

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_owner_done_due", "owner_id", "done", "due_date"),
        Index("ix_tasks_due_date", "due_date"),
        Index("ix_tasks_creator", "creator_id"),
    )
    entity = "task"

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: high · medium · low · none
    priority: Mapped[str] = mapped_column(String(10), default="none")
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    start_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Set when the overdue event was recorded: it is recorded once per task (a new due date clears it).
    overdue_noted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class TaskSubtask(Base):
    __tablename__ = "task_subtasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class TaskComment(Base):
    __tablename__ = "task_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    body: Mapped[str] = mapped_column(Text)
    #: The users the comment @mentioned (each got a message).
    mentions: Mapped[list[int]] = mapped_column(JSONType, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScheduleEvent(RecordMixin, Base):
    """A schedule event; ``rrule`` (RFC 5545, without DTSTART) makes it a series.

    A series repeats in the wall-clock time of ``tz`` (so 09:00 stays 09:00 across a DST
    change). ``repeat_end`` is when its last occurrence ends (None: repeats for ever): the
    calendar's window query reads only series that can reach the window. ``exdates`` lists
    the original starts (UTC ISO) of occurrences deleted or moved out; a moved one is an event
    of its own with ``series_id`` and ``original_start``.
    """

    __tablename__ = "schedule_events"
    __table_args__ = (
        # repeat_end too: a colleague's or a team's window test reads the index, not the rows.
        Index("ix_schedule_events_owner_start", "owner_id", "start_at", "repeat_end"),
        # The calendar's window test reads both columns from the index (schedule.window_clause).
        Index("ix_schedule_events_start", "start_at", "repeat_end"),
        Index("ix_schedule_events_series", "series_id"),
    )
    entity = "event"

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(300), default="")
    #: The event's type (meeting, visit, call, …): the calendar colours by it.
    kind: Mapped[str] = mapped_column(String(30), default="meeting")
    colour: Mapped[str] = mapped_column(String(9), default="")
    start_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    tz: Mapped[str] = mapped_column(String(64), default="")
    rrule: Mapped[str] = mapped_column(Text, default="")
    repeat_end: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    exdates: Mapped[list[str]] = mapped_column(JSONType, default=list)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("schedule_events.id", ondelete="CASCADE"))
    original_start: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Minutes before the start at which to remind (several).
    reminders: Mapped[list[int]] = mapped_column(JSONType, default=list)


class ActivityParticipant(Base):
    """A user taking part in a task or an event (``kind``: task · event)."""

    __tablename__ = "activity_participants"
    __table_args__ = (Index("ix_activity_participants_user", "user_id", "kind"),)

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    activity_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class ActivityLink(Base):
    """A business record (customer, contact, opportunity, contract, lead) a task or event is about."""

    __tablename__ = "activity_links"
    __table_args__ = (Index("ix_activity_links_record", "entity", "record_id", "kind"),)

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    activity_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(50), primary_key=True)
    record_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class ReminderShown(Base):
    """A reminder already shown to a user (so it is shown once), or snoozed until a time."""

    __tablename__ = "reminders_shown"
    __table_args__ = (UniqueConstraint("user_id", "source", "item_id", "occurrence", "offset_minutes"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: event · task · followup (a record's next contact: item_id is the record, source names its entity)
    source: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int] = mapped_column(Integer)
    occurrence: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    offset_minutes: Mapped[int] = mapped_column(Integer, default=0)
    shown_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    snoozed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)


class WorkLog(Base):
    """A work log (日志): a daily or weekly report by its author, read by the author's
    superiors up the direct-superior chain. ``day`` is the report's day (weekly: the week's
    Monday); related records go in ``ActivityLink`` with kind "log"."""

    __tablename__ = "work_logs"
    __table_args__ = (Index("ix_work_logs_author_day", "author_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    #: daily · weekly
    kind: Mapped[str] = mapped_column(String(10), default="daily")
    day: Mapped[dt.date] = mapped_column(Date)
    #: Done today (this week).
    done_text: Mapped[str] = mapped_column(Text, default="")
    #: The plan for tomorrow (next week).
    plan_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class WorkLogComment(Base):
    __tablename__ = "work_log_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("work_logs.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


__all__: list[Any] = ["ActivityLink", "ActivityParticipant", "ReminderShown", "ScheduleEvent", "Task", "TaskComment",
                      "TaskSubtask", "WorkLog", "WorkLogComment"]
