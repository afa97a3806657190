"""The use cases.  Each service method is one transaction unless given a session."""

from __future__ import annotations

from ims.services._actors import SYSTEM, ActorLike
from ims.services._runtime import Runtime, utcnow
from ims.services.applications import ApplicationService, ApplicationView
from ims.services.audit import AuditEntry, AuditService
from ims.services.documents import DocumentService, DocumentView
from ims.services.notifications import InboxItem, NotificationService
from ims.services.reference import ReferenceItem, ReferenceService
from ims.services.sla import SlaService, SweepResult
from ims.services.steps import StepService, StepView
from ims.services.tasks import TaskPage, TaskService, TaskView
from ims.services.users import UserService, UserView
from ims.services.workflow import HistoryEntry, TransitionResult, WorkflowService

__all__ = [
    "SYSTEM",
    "ActorLike",
    "ApplicationService",
    "ApplicationView",
    "AuditEntry",
    "AuditService",
    "DocumentService",
    "DocumentView",
    "HistoryEntry",
    "InboxItem",
    "NotificationService",
    "ReferenceItem",
    "ReferenceService",
    "Runtime",
    "SlaService",
    "StepService",
    "StepView",
    "SweepResult",
    "TaskPage",
    "TaskService",
    "TaskView",
    "TransitionResult",
    "UserService",
    "UserView",
    "WorkflowService",
    "utcnow",
]
