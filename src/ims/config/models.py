"""Validated configuration: the definitions the engine and services read.

These pydantic models are built *after* the JSON Schema and the semantic checks
passed, so they assume well-formed input.  They are frozen: a loaded
configuration never changes while ims runs.

Conditions (``when``, ``required_when``) stay as the raw YAML mapping in
``*_raw`` fields and are compiled once by :mod:`ims.rules` into a
:class:`ims.rules.Condition`, cached on the model.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ims.rules import Condition, parse_condition

#: A label in several languages: ``{"nl": "Afgewezen", "en": "Rejected"}``.
Labels = dict[str, str]

#: The target that sends an application back to the state it left (from a hold state).
PREVIOUS_STATE = "@previous"
#: A ``from`` entry meaning every state that is neither final nor a hold state.
ANY_STATE = "*"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


def label_for(labels: Labels, language: str, fallback: str) -> str:
    """The label in ``language``, else English, else any, else ``fallback``."""
    return labels.get(language) or labels.get("en") or next(iter(labels.values()), fallback)


# --------------------------------------------------------------------------- settings


#: MIME types accepted for upload unless ``settings.documents.allowed_mime_types`` says otherwise.
DEFAULT_MIME_TYPES: tuple[str, ...] = (
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/tiff",
    "image/heic",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
)


class DocumentSettings(_Model):
    """Uploads and download links (``settings.documents``)."""

    #: the largest file accepted, in MB of 1,000,000 bytes (a document type may set its own)
    max_size_mb: float = Field(default=10, gt=0)
    #: MIME types accepted, as sniffed from the content (a document type may narrow them)
    allowed_mime_types: tuple[str, ...] = DEFAULT_MIME_TYPES
    #: how long a signed download link stays valid
    token_ttl_seconds: int = Field(default=900, gt=0)


class JwtSettings(_Model):
    """Bearer tokens of the HTTP API (``settings.api.jwt``)."""

    #: accepted signing algorithms: HS256/HS384/HS512 use the secret key; RS*/ES*/PS*/EdDSA the public keys
    algorithms: tuple[str, ...] = ("HS256",)
    #: the ``iss`` a token must carry (null: not checked); tokens ims signs carry it
    issuer: str | None = "ims"
    #: the ``aud`` a token must carry (null: not checked); tokens ims signs carry it
    audience: str | None = "ims"
    #: PEM public keys (or paths of PEM files, relative to the root file's folder) of an identity provider
    public_keys: tuple[str, ...] = ()
    #: the claim naming the ims user
    username_claim: str = "sub"
    #: clock skew tolerated on ``exp``/``nbf``/``iat``, in seconds
    leeway_seconds: int = Field(default=30, ge=0)


class ApiSearchSettings(_Model):
    """Where the application search looks in the data (``settings.api.search``)."""

    #: dotted path of the district code in the application data (filter ``district``)
    district_field: str = "applicant.district"
    #: dotted paths the free-text search matches, besides the application number
    name_fields: tuple[str, ...] = ("applicant.first_name", "applicant.last_name")


class ApiSettings(_Model):
    """The optional HTTP API (``settings.api``, ``ims serve``)."""

    #: requests a minute per user (per client address before authentication); 0 turns it off
    rate_limit_per_minute: int = Field(default=100, ge=0)
    #: origins allowed by CORS (``["https://office.example"]``); empty: no CORS headers
    cors_origins: tuple[str, ...] = ()
    #: lifetime of tokens signed by ``ims users token``
    token_ttl_minutes: int = Field(default=60, gt=0)
    #: the largest request body, in MB (uploads included: keep it above documents.max_size_mb)
    max_request_body_mb: float = Field(default=12, gt=0)
    #: serve the browsable OpenAPI UI under /schema (the JSON schema is always there)
    schema_ui: bool = True
    jwt: JwtSettings = Field(default_factory=JwtSettings)
    search: ApiSearchSettings = Field(default_factory=ApiSearchSettings)


class Settings(_Model):
    """Deployment settings; environment variables ``IMS_*`` override them."""

    #: SQLAlchemy URL; relative sqlite paths are resolved against the root file's folder.
    database_url: str = "sqlite:///var/ims.db"
    data_dir: str = "var"
    plugins_dir: str | None = "plugins"
    language: str = "en"
    timezone: str = "UTC"
    #: Application number pattern when a workflow sets none.
    number_pattern: str = "APP-{year}-{seq:06d}"
    documents: DocumentSettings = Field(default_factory=DocumentSettings)
    #: name of the document store plugin keeping the bytes of uploads
    document_store: str = "filesystem"
    #: store name -> its options, e.g. ``{"filesystem": {"root": "/srv/ims/documents"}}``
    document_stores: dict[str, dict[str, Any]] = Field(default_factory=dict)
    #: signs download links (``IMS_SECRET_KEY``); when unset, a random key is kept in
    #: ``<data_dir>/secret_key`` (see :func:`ims.documents.secret_key`)
    secret_key: str | None = Field(default=None, repr=False)
    #: the HTTP API: rate limit, CORS, tokens, body size, search fields
    api: ApiSettings = Field(default_factory=ApiSettings)


# --------------------------------------------------------------------------- roles


class Role(_Model):
    name: str
    label: Labels = Field(default_factory=dict)
    description: str | None = None


class RolesConfig(_Model):
    roles: dict[str, Role]
    #: permission name -> roles holding it
    permissions: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    def roles_with(self, permission: str) -> frozenset[str]:
        return frozenset(self.permissions.get(permission, ()))


# --------------------------------------------------------------------------- reference data


class ReferenceValue(_Model):
    code: str
    label: Labels = Field(default_factory=dict)
    order: int = 0
    active: bool = True


class ReferenceCategory(_Model):
    name: str
    label: Labels = Field(default_factory=dict)
    values: tuple[ReferenceValue, ...] = ()

    @cached_property
    def active_codes(self) -> frozenset[str]:
        return frozenset(v.code for v in self.values if v.active)


class DocumentType(_Model):
    code: str
    label: Labels = Field(default_factory=dict)
    #: required for every application (subject to ``required_when``)
    required: bool = False
    required_when_raw: dict[str, Any] | None = Field(default=None, alias="required_when")
    #: photos: counted by the photo-minimum rule; their EXIF time and place are kept
    photo: bool = False
    order: int = 0
    #: MIME types accepted for this type; narrows ``settings.documents.allowed_mime_types``
    mime_types: tuple[str, ...] | None = None
    #: the largest file of this type, in MB; replaces ``settings.documents.max_size_mb``
    max_size_mb: float | None = Field(default=None, gt=0)

    @cached_property
    def required_when(self) -> Condition | None:
        return None if self.required_when_raw is None else parse_condition(self.required_when_raw)


class ReferenceConfig(_Model):
    categories: dict[str, ReferenceCategory] = Field(default_factory=dict)
    document_types: dict[str, DocumentType] = Field(default_factory=dict)


# --------------------------------------------------------------------------- SLA


class Escalation(_Model):
    """Who is told ``after_hours`` after the breach (in the state's SLA unit)."""

    #: hours after the breach (0 = at the breach); working hours when the state's SLA is
    after_hours: float = 0
    #: roles notified (every active holder)
    notify: tuple[str, ...] = ()
    #: usernames notified
    users: tuple[str, ...] = ()
    #: the task's assignee is notified too (when the task has one)
    assignee: bool = False


class StateSla(_Model):
    """Time allowed in a state: ``hours`` on the wall clock, or ``working_hours`` on the
    business calendar (``sla.calendar``); exactly one is given."""

    hours: float | None = None
    working_hours: float | None = None
    #: fraction of the allowed time at which a warning is due (0 < warning < 1)
    warning: float = 0.8
    escalation: tuple[Escalation, ...] = ()

    @property
    def working(self) -> bool:
        """The time is counted in working hours of the business calendar."""
        return self.working_hours is not None

    @property
    def allowed_hours(self) -> float:
        """The hours allowed, in the SLA's own unit (wall-clock or working hours)."""
        value = self.working_hours if self.working_hours is not None else self.hours
        assert value is not None  # the schema requires one of them
        return value


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class WorkingHours(_Model):
    #: ``HH:MM`` local time the working day starts and ends
    start: str = "08:00"
    end: str = "16:00"


class BusinessCalendarConfig(_Model):
    """The office's working time: what ``working_hours`` SLAs count."""

    #: IANA time zone of the office (working hours are local)
    timezone: str = "UTC"
    working_days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    working_hours: WorkingHours = Field(default_factory=WorkingHours)
    #: reference-data category whose active codes are holiday dates (``YYYY-MM-DD``)
    holidays_category: str | None = None


class SlaConfig(_Model):
    #: the business calendar, needed by states whose SLA is in ``working_hours``
    calendar: BusinessCalendarConfig | None = None
    #: workflow name -> state name -> SLA
    workflows: dict[str, dict[str, StateSla]] = Field(default_factory=dict)

    def for_state(self, workflow: str, state: str) -> StateSla | None:
        return self.workflows.get(workflow, {}).get(state)


# --------------------------------------------------------------------------- notifications


class ChannelSettings(BaseModel):
    """One delivery channel besides the in-app inbox (``notifications.channels.<name>``).

    Keys other than these are the channel plugin's own options.  ``{env:NAME}``
    placeholders are already resolved; the URL is kept out of ``repr``.
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    #: the channel plugin (registered through ``register_channels``), e.g. ``apprise``
    plugin: str
    #: where to deliver (an apprise URL, a webhook): may hold secrets, never logged
    url: str | None = Field(default=None, repr=False)
    #: the user attribute giving a recipient's address (``email``)
    address: str = "email"
    #: templates (events) this channel carries; empty = every one
    events: tuple[str, ...] = ()
    enabled: bool = True

    def carries(self, template: str) -> bool:
        return self.enabled and (not self.events or template in self.events)


class DeliverySettings(_Model):
    """How the outbox worker retries (``notifications.delivery``)."""

    max_attempts: int = Field(default=8, ge=1)
    backoff_seconds: float = Field(default=30, gt=0)
    backoff_max_seconds: float = Field(default=3600, gt=0)
    #: each delay is multiplied by a random factor in ``1 ± jitter``
    jitter: float = Field(default=0.2, ge=0, lt=1)
    #: how long a claimed message is reserved for the worker that claimed it
    lease_seconds: float = Field(default=300, gt=0)
    #: messages claimed per pass
    batch: int = Field(default=50, ge=1)


class MessageTemplate(_Model):
    """Subject and body per language, with ``str.format`` placeholders."""

    subject: Labels
    body: Labels


class NotificationsConfig(_Model):
    """Channels, delivery and templates (``notifications:`` of the root file)."""

    channels: dict[str, ChannelSettings] = Field(default_factory=dict)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    templates: dict[str, MessageTemplate] = Field(default_factory=dict)

    def channel_settings(self) -> dict[str, dict[str, Any]]:
        """Channel name -> its settings as a plain mapping (what ``register_channels`` gets)."""
        return {name: channel.model_dump() for name, channel in self.channels.items()}

    def channels_for(self, template: str) -> list[tuple[str, ChannelSettings]]:
        """The enabled channels carrying ``template``, by name."""
        return [(n, c) for n, c in sorted(self.channels.items()) if c.carries(template)]


# --------------------------------------------------------------------------- workflows


class OpenTask(_Model):
    """Effect: open a task for the entered state, due after the state's SLA."""

    kind: Literal["open_task"] = "open_task"
    roles: tuple[str, ...] = ()
    #: data field (dot path) holding the username to assign, e.g. ``control_officer``
    assignee_field: str | None = None
    title: Labels = Field(default_factory=dict)


class OpenStep(_Model):
    """Effect: upsert the named step with status PENDING (data kept if it exists)."""

    kind: Literal["open_step"] = "open_step"
    step: str


class Notify(_Model):
    """Effect: enqueue a notification to roles, users, the assignee and/or the applicant."""

    kind: Literal["notify"] = "notify"
    template: str = "state_entered"
    roles: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    assignee: bool = False
    applicant: bool = False


Effect = OpenTask | OpenStep | Notify


class State(_Model):
    name: str
    label: Labels = Field(default_factory=dict)
    final: bool = False
    #: a hold state remembers the state it was entered from; ``@previous`` returns there
    hold: bool = False
    #: inputs any transition *into* this state must carry (REJECTED, ON_HOLD: reason)
    requires: tuple[Literal["reason", "comment"], ...] = ()
    on_enter: tuple[Effect, ...] = ()


class Step(_Model):
    name: str
    label: Labels = Field(default_factory=dict)
    #: permission name (roles.yaml) whose roles may record this step
    permission: str | None = None
    #: JSON Schema (Draft 2020-12) of the step's data
    data_schema: dict[str, Any] = Field(default_factory=lambda: {"type": "object"}, alias="schema")


class Transition(_Model):
    name: str
    label: Labels = Field(default_factory=dict)
    from_states: tuple[str, ...] = Field(alias="from")
    to: str
    roles: tuple[str, ...] = ()
    when_raw: dict[str, Any] | None = Field(default=None, alias="when")
    #: inputs the actor must give: ``reason`` and/or ``comment``
    requires: tuple[Literal["reason", "comment"], ...] = ()
    effects: tuple[Effect, ...] = ()

    @cached_property
    def when(self) -> Condition | None:
        return None if self.when_raw is None else parse_condition(self.when_raw)


class Workflow(_Model):
    name: str
    version: int = 1
    label: Labels = Field(default_factory=dict)
    description: str | None = None
    number_pattern: str | None = None
    initial_state: str
    #: JSON Schema (Draft 2020-12) of the application's data
    data_schema: dict[str, Any] = Field(default_factory=lambda: {"type": "object"})
    #: top-level data key -> permission needed to change it; other keys need
    #: ``application.edit_intake`` (e.g. ``control_officer: control.schedule``)
    field_permissions: dict[str, str] = Field(default_factory=dict)
    steps: dict[str, Step] = Field(default_factory=dict)
    states: dict[str, State]
    transitions: tuple[Transition, ...] = ()
    #: the file this workflow came from (for messages)
    source: str = ""

    @cached_property
    def hold_states(self) -> frozenset[str]:
        return frozenset(n for n, s in self.states.items() if s.hold)

    @cached_property
    def final_states(self) -> frozenset[str]:
        return frozenset(n for n, s in self.states.items() if s.final)

    def sources_of(self, transition: Transition) -> frozenset[str]:
        """The concrete states a transition may leave (``*`` expanded)."""
        out: set[str] = set()
        for f in transition.from_states:
            if f == ANY_STATE:
                out.update(n for n, s in self.states.items() if not (s.final or s.hold))
            else:
                out.add(f)
        return frozenset(out)

    def transitions_from(self, state: str) -> tuple[Transition, ...]:
        return self.transition_table.get(state, ())

    @cached_property
    def transition_table(self) -> dict[str, tuple[Transition, ...]]:
        table: dict[str, list[Transition]] = {}
        for t in self.transitions:
            for s in self.sources_of(t):
                table.setdefault(s, []).append(t)
        return {k: tuple(v) for k, v in table.items()}


class ImsConfig(_Model):
    """The whole loaded configuration: what ``ims.config.load()`` returns."""

    root: str
    settings: Settings
    roles: RolesConfig
    reference: ReferenceConfig
    sla: SlaConfig
    workflows: dict[str, Workflow]
    #: per-plugin configuration: ``plugins: {ims-foo: {...}}``
    plugins: dict[str, dict[str, Any]] = Field(default_factory=dict)
    #: notification channels, delivery and templates (empty: the in-app inbox only)
    notifications: NotificationsConfig = Field(default_factory=NotificationsConfig)

    def workflow(self, name: str) -> Workflow:
        try:
            return self.workflows[name]
        except KeyError:
            from ims.errors import NotFound

            known = ", ".join(sorted(self.workflows)) or "none"
            raise NotFound(f"unknown workflow '{name}' (known: {known})") from None
