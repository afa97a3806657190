"""Request bodies and the response models that are not service views.

Service views (``ApplicationView``, ``TaskView``...) are frozen dataclasses and are
returned as they are; Litestar derives their OpenAPI schemas.  Request bodies are
msgspec structs that refuse unknown fields, so a client can never set what the
API does not offer (the state, the version, the number).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from msgspec import Meta, Struct

from ims.rules import Actor
from ims.services.api_keys import ApiKeyView
from ims.services.health import Check

Name = Annotated[str, Meta(min_length=1, max_length=100)]
Username = Annotated[str, Meta(min_length=1, max_length=150, pattern=r"^\S+$")]
Text = Annotated[str, Meta(min_length=1, max_length=5000)]
Version = Annotated[int, Meta(ge=1, le=2_147_483_647)]
DocumentId = Annotated[int, Meta(ge=1, le=2_147_483_647)]


class _Body(Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class ApplicationCreate(_Body):
    workflow: Name
    data: dict[str, Any] = {}
    #: the username of the applicant (a user with the applicant role sees the application)
    applicant: Username | None = None
    assignee: Username | None = None
    priority: Annotated[int, Meta(ge=1, le=4)] = 3


class DataPatch(_Body):
    """Top-level keys to set (``null`` deletes a key); the rest of the data stays."""

    data: dict[str, Any]
    #: the version read (or use the If-Match header)
    version: Version | None = None


class TransitionRequest(_Body):
    action: Name
    reason: Text | None = None
    comment: Text | None = None
    #: the version read (or use the If-Match header)
    version: Version | None = None


class StepRecord(_Body):
    data: dict[str, Any]
    #: mark the step COMPLETED (default) or keep it PENDING
    complete: bool = True
    version: Version | None = None


class ReasonBody(_Body):
    reason: Text


class MissingDocument(_Body):
    document_type: Name
    reason: Text


class TaskAssign(_Body):
    #: the new assignee (an active user holding one of the task's roles); ``null``: back to the queue
    assignee: Username | None


class TaskComplete(_Body):
    comment: Text | None = None


class MarkRead(_Body):
    ids: Annotated[list[DocumentId], Meta(min_length=1, max_length=500)]


class UserCreate(_Body):
    username: Username
    display_name: Annotated[str, Meta(max_length=200)] | None = None
    email: Annotated[str, Meta(max_length=320)] | None = None
    roles: Annotated[list[Name], Meta(max_length=50)] = []


class RoleGrant(_Body):
    role: Name


class ApiKeyCreate(_Body):
    #: what uses the key, e.g. "nightly export"
    name: Name


class ApiKeyCreated(Struct):
    """The new key: ``key`` is shown this once and cannot be read again."""

    key: str
    info: ApiKeyView


class Me(Struct):
    username: str
    roles: list[str]

    @classmethod
    def of(cls, actor: Actor) -> Me:
        return cls(actor.username, sorted(actor.roles))


class ChecklistEntry(Struct):
    document_type: str
    label: str
    required: bool
    #: the best status of this type's documents: MISSING, PENDING, VERIFIED, REJECTED, NONE...
    status: str


class DownloadLink(Struct):
    #: GET this path (no credentials needed) to receive the file
    url: str
    token: str
    expires_in_seconds: int


class MarkedRead(Struct):
    changed: int


class ReportInfo(Struct):
    name: str
    title: str


class ReportOut(Struct):
    name: str
    title: str
    columns: list[str]
    rows: list[list[Any]]


class RoleInfo(Struct):
    name: str
    label: dict[str, str]
    description: str | None
    #: the permissions this role holds (roles.yaml)
    permissions: list[str]


class HealthOut(Struct):
    #: ok, warn or fail (the worst check)
    status: str
    #: no check failed
    ready: bool
    checked_at: datetime
    checks: list[Check]


class Live(Struct):
    status: str = "ok"
