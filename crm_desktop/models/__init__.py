"""SQLAlchemy models, one module per domain. Importing this package registers them all."""
from __future__ import annotations

from crm_desktop.models.activity import (
    ActivityLink,
    ActivityParticipant,
    ReminderShown,
    ScheduleEvent,
    Task,
    TaskComment,
    TaskSubtask,
    WorkLog,
    WorkLogComment,
)
from crm_desktop.models.approval import ApprovalFlow, ApprovalInstance, ApprovalLog, ApprovalTask
from crm_desktop.models.audit import AuditChange, AuditEntry
from crm_desktop.models.automation import AutomationRule, AutomationRun, Message
from crm_desktop.models.base import Base, JSONType, UTCDateTime, utcnow
from crm_desktop.models.customer import Contact, Customer, FollowUp, Lead
from crm_desktop.models.dashboard import DashboardRollup, Measure
from crm_desktop.models.imports import ImportBatch, ImportBatchRow, ImportMapping
from crm_desktop.models.org import (
    CacheSignal,
    Department,
    LoginFailure,
    Role,
    RoleDataScope,
    RolePermission,
    RoleScopeDepartment,
    Setting,
    User,
    user_roles,
)
from crm_desktop.models.pool import Pool, PoolEvent, PoolMember, PoolRule
from crm_desktop.models.record import RecordMixin, TeamMember
from crm_desktop.models.sales import (
    Contract,
    ContractLine,
    NumberRule,
    NumberSequence,
    Opportunity,
    OpportunityContact,
    OpportunityLine,
    Payment,
    PaymentPlan,
    Product,
    ProductCategory,
    Stage,
    StageChange,
    StageGroup,
)
from crm_desktop.models.schema import (
    Attachment,
    AttachmentBlob,
    ColumnPreference,
    CustomField,
    DictionaryItem,
    FieldPermission,
    SavedView,
    Star,
)
from crm_desktop.models.target import SalesTarget

__all__ = [
    "ActivityLink", "ActivityParticipant", "ReminderShown", "ScheduleEvent", "Task", "TaskComment", "TaskSubtask",
    "WorkLog", "WorkLogComment",
    "CacheSignal", "SalesTarget", "DashboardRollup", "Measure",
    "ApprovalFlow", "ApprovalInstance", "ApprovalLog", "ApprovalTask",
    "Contract", "ContractLine", "NumberRule", "NumberSequence", "Opportunity", "OpportunityContact",
    "OpportunityLine", "Payment", "PaymentPlan", "Product", "ProductCategory", "Stage", "StageChange", "StageGroup",
    "Attachment", "AttachmentBlob", "AuditChange", "AuditEntry", "AutomationRule", "AutomationRun", "Message",
    "ColumnPreference", "Contact", "CustomField",
    "DictionaryItem", "FieldPermission", "FollowUp", "Lead", "Pool", "PoolEvent", "PoolMember", "PoolRule",
    "SavedView", "Star", "Base", "Customer", "Department", "LoginFailure", "JSONType", "RecordMixin",
    "Role", "RoleDataScope", "RolePermission", "RoleScopeDepartment", "Setting", "TeamMember", "User", "UTCDateTime",
    "user_roles", "utcnow", "ImportBatch", "ImportBatchRow", "ImportMapping",
]
