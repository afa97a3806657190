"""The ims tables, one module per entity; import models from here."""

from __future__ import annotations

from ims.store.models._api_keys import ApiKey
from ims.store.models._applications import Application
from ims.store.models._audit import AuditLog
from ims.store.models._documents import DOCUMENT_STATUSES, Document
from ims.store.models._events import WorkflowEvent
from ims.store.models._notifications import NOTIFICATION_STATUSES, Notification
from ims.store.models._periods import StatePeriod
from ims.store.models._reference import ReferenceValue
from ims.store.models._sequences import NumberSequence
from ims.store.models._steps import STEP_STATUSES, ApplicationStep
from ims.store.models._tasks import (
    OPEN_TASK_STATUSES,
    SLA_NOTICE_KINDS,
    TASK_STATUSES,
    SlaNotice,
    Task,
    TaskRole,
)
from ims.store.models._users import Role, User, UserRole

__all__ = [
    "DOCUMENT_STATUSES",
    "NOTIFICATION_STATUSES",
    "OPEN_TASK_STATUSES",
    "SLA_NOTICE_KINDS",
    "STEP_STATUSES",
    "TASK_STATUSES",
    "ApiKey",
    "Application",
    "ApplicationStep",
    "AuditLog",
    "Document",
    "Notification",
    "NumberSequence",
    "ReferenceValue",
    "Role",
    "SlaNotice",
    "StatePeriod",
    "Task",
    "TaskRole",
    "User",
    "UserRole",
    "WorkflowEvent",
]
