"""Approval workflows (审批流): flows, their instances, the approvers' tasks and the history.

A flow is configured by an administrator: a form (fields filled from the record), condition
branches (the first whose condition holds is taken), and per branch ordered nodes, each with
its approvers and a mode (sequential, countersign 会签, or-sign 或签). The JSON shapes are
described in ``crm_desktop.automation.approvals``.

An instance is one submission of one record to one flow. It snapshots the form data and the
branch's nodes at submission, so changing a flow never changes approvals under way. Tasks are
the approvers' to-do items; the log keeps every submission, decision and comment with its time.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_desktop.models.base import Base, JSONType, UTCDateTime, utcnow


class ApprovalFlow(Base):
    __tablename__ = "approval_flows"
    __table_args__ = (Index("ix_approval_flows_entity_binding", "entity", "binding", "enabled"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    entity: Mapped[str] = mapped_column(String(50))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: create (gates record creation) · status (gates a status transition) · manual (started by
    #: a user or a trigger rule's "start an approval" action)
    binding: Mapped[str] = mapped_column(String(20), default="manual")
    #: binding "status": the status field and the transition it gates (None = any value).
    status_field: Mapped[str | None] = mapped_column(String(100))
    from_status: Mapped[Any] = mapped_column(JSONType, nullable=True)
    to_status: Mapped[Any] = mapped_column(JSONType, nullable=True)
    #: [{"key", "label", "field"}]: the form's fields and the record field each is filled from.
    form: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    #: [{"name", "condition", "submitters", "nodes": [...]}]
    branches: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    #: After a rejection, a resubmission starts at the first node or at the rejected one.
    resubmit_from: Mapped[str] = mapped_column(String(20), default="first")
    #: A node without approvers: approve it automatically ("auto") or give it to ``admin_id``.
    no_approver: Mapped[str] = mapped_column(String(20), default="admin")
    admin_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApprovalInstance(Base):
    __tablename__ = "approval_instances"
    __table_args__ = (
        Index("ix_approval_instances_record", "entity", "record_id"),
        Index("ix_approval_instances_submitter", "submitter_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    flow_id: Mapped[int | None] = mapped_column(ForeignKey("approval_flows.id", ondelete="SET NULL"))
    flow_name: Mapped[str] = mapped_column(String(200))
    entity: Mapped[str] = mapped_column(String(50))
    record_id: Mapped[int] = mapped_column(Integer)
    record_name: Mapped[str] = mapped_column(String(200), default="")
    submitter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    #: pending · approved · rejected · withdrawn
    status: Mapped[str] = mapped_column(String(20), default="pending")
    #: What approval releases: {"kind": "create"} / {"kind": "status", "field", "from", "to"} / {"kind": "manual"}
    target: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    form_data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: The branch taken, with its nodes, as they were at (re)submission.
    branch: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: Approvers picked by the submitter, per node index (as strings: JSON keys).
    picks: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    node_index: Mapped[int] = mapped_column(Integer, default=0)
    round: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Every decision bumps it (``UPDATE … WHERE version = seen``): of two approvers deciding at
    #: the same moment on different connections, exactly one commits.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ApprovalTask(Base):
    """One approver's part in one node of one round of an instance."""

    __tablename__ = "approval_tasks"
    __table_args__ = (
        Index("ix_approval_tasks_approver_state", "approver_id", "state"),
        Index("ix_approval_tasks_instance", "instance_id", "round", "node_index"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("approval_instances.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(Integer, default=1)
    node_index: Mapped[int] = mapped_column(Integer)
    #: Order within a sequential node.
    position: Mapped[int] = mapped_column(Integer, default=0)
    approver_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    #: waiting (a sequential node's later approver) · pending · approved · rejected · closed
    state: Mapped[str] = mapped_column(String(20), default="pending")
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ApprovalLog(Base):
    """The history of an instance: submissions, decisions, withdrawals, automatic steps."""

    __tablename__ = "approval_log"
    __table_args__ = (Index("ix_approval_log_instance", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("approval_instances.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(Integer, default=1)
    node_index: Mapped[int | None] = mapped_column(Integer)
    node_name: Mapped[str] = mapped_column(String(200), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: submitted · resubmitted · approved · rejected · withdrawn · auto_approved · to_admin · finished
    action: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
