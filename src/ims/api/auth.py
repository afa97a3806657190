"""Who is calling: bearer tokens (JWT) and API keys, turned into an actor by ``resolve_actor``.

The middleware reads ``Authorization: Bearer <token>``, ``Authorization: ApiKey <key>``
or ``X-API-Key: <key>`` and asks the ``resolve_actor`` hook for the actor:

* a JWT that verifies (signature, algorithm, expiry, issuer, audience) becomes
  ``{"type": "jwt", "claims": {...}, "username": <the username claim>}``;
* a bearer token that is not a valid JWT becomes ``{"type": "bearer", "token": ...,
  "error": ...}``, so a host application's plugin may accept its own tokens;
* an API key becomes ``{"type": "api_key", "key": ...}``.

The built-in plugin knows ims's users and API keys; an unknown, inactive or revoked
identity is a 401.  Resolved actors are cached for ``identity_cache_seconds``
(default 5): deactivating a user or revoking a key takes effect within that time.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from anyio.to_thread import run_sync
from litestar.connection import ASGIConnection, Request
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException, TooManyRequestsException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.rate_limit import RateLimitConfig, RateLimitMiddleware, get_remote_address
from litestar.openapi.spec import Reference, SecurityScheme

from ims.api.tokens import TokenInvalid, TokenVerifier
from ims.errors import PermissionDenied
from ims.rules import Actor

if TYPE_CHECKING:
    from litestar.handlers.base import BaseRouteHandler
    from litestar.types import ASGIApp, Method, Receive, Scope, Scopes, Send

    from ims.facade import IMS

#: Paths that need no credentials (health, metrics, the schema, signed downloads).
PUBLIC_PATHS = ["^/health/", "^/metrics", "^/schema", "^/documents/download/"]

SECURITY_SCHEMES: dict[str, SecurityScheme | Reference] = {
    "BearerToken": SecurityScheme(
        type="http",
        scheme="bearer",
        bearer_format="JWT",
        description="A JWT: `ims users token USERNAME`, or from the identity provider of settings.api.jwt",
    ),
    "ApiKey": SecurityScheme(
        type="apiKey",
        name="X-API-Key",
        security_scheme_in="header",
        description="An API key of a service account: `ims users api-key create USERNAME NAME`",
    ),
}
SECURITY: list[dict[str, list[str]]] = [{"BearerToken": []}, {"ApiKey": []}]


class IdentityCache:
    """Actors by credential digest, for a few seconds (thread-safe, bounded).

    An entry never outlives the token it came from (``until``, the token's expiry).
    """

    def __init__(self, seconds: float, max_entries: int = 10_000) -> None:
        self.seconds = seconds
        self._max = max_entries
        self._lock = threading.Lock()
        self._items: dict[str, tuple[float, Actor]] = {}

    def get(self, key: str) -> Actor | None:
        if self.seconds <= 0:
            return None
        found = self._items.get(key)
        if found is None or found[0] < time.time():
            return None
        return found[1]

    def put(self, key: str, actor: Actor, until: float | None = None) -> None:
        if self.seconds <= 0:
            return
        expires = time.time() + self.seconds
        if until is not None:
            expires = min(expires, until)
        with self._lock:
            if len(self._items) >= self._max:
                self._items.clear()
            self._items[key] = (expires, actor)


@dataclass(frozen=True)
class Presented:
    """What a request presents: a bearer token or an API key, and a digest naming it in the cache."""

    kind: str  # "bearer" | "api_key"
    value: str
    digest: str


def presented(headers: Any) -> Presented | None:
    """The credentials in the headers; ``None`` when there are none."""
    authorization = headers.get("authorization")
    api_key = headers.get("x-api-key")
    if authorization:
        scheme, _, value = authorization.strip().partition(" ")
        value = value.strip()
        if scheme.lower() == "apikey" and value:
            api_key = value
        elif scheme.lower() == "bearer" and value:
            return Presented("bearer", value, "b:" + hashlib.sha256(value.encode()).hexdigest())
        else:
            raise NotAuthorizedException(
                "the Authorization header must be 'Bearer <token>' or 'ApiKey <key>'"
            )
    if api_key:
        key = api_key.strip()
        return Presented("api_key", key, "k:" + hashlib.sha256(key.encode()).hexdigest())
    return None


def credentials_for(found: Presented, verifier: TokenVerifier) -> tuple[dict[str, Any], float | None]:
    """The credentials for ``resolve_actor``, and until when they hold (a token's expiry)."""
    if found.kind == "api_key":
        return {"type": "api_key", "key": found.value}, None
    try:
        claims = verifier.verify(found.value)
    except TokenInvalid as exc:
        return {"type": "bearer", "token": found.value, "error": str(exc)}, None
    credentials = {"type": "jwt", "claims": claims, "username": claims[verifier.username_claim]}
    return credentials, float(claims["exp"])


class ImsAuthenticationMiddleware(AbstractAuthenticationMiddleware):
    def __init__(
        self,
        app: ASGIApp,
        exclude: str | list[str] | None = None,
        exclude_from_auth_key: str = "exclude_from_auth",
        exclude_http_methods: list[Method] | None = None,
        scopes: Scopes | None = None,
        *,
        ims: IMS,
        verifier: TokenVerifier,
        cache: IdentityCache,
    ) -> None:
        super().__init__(app, exclude, exclude_from_auth_key, exclude_http_methods, scopes)
        self.ims = ims
        self.verifier = verifier
        self.cache = cache

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        found = presented(connection.headers)
        if found is None:
            raise NotAuthorizedException(
                "credentials required: 'Authorization: Bearer <token>' or 'X-API-Key'"
            )
        actor = self.cache.get(found.digest)
        if actor is None:
            credentials, until = credentials_for(found, self.verifier)
            actor = await run_sync(self._resolve, credentials)
            self.cache.put(found.digest, actor, until)
        return AuthenticationResult(user=actor, auth=found.kind)

    def _resolve(self, credentials: dict[str, Any]) -> Actor:
        try:
            return self.ims.identity.resolve(credentials)
        except PermissionDenied:
            reason = credentials.get("error")
            if credentials["type"] == "api_key":
                raise NotAuthorizedException("the API key is not valid (unknown or revoked)") from None
            if reason:
                raise NotAuthorizedException(f"the bearer token is not valid: {reason}") from None
            raise NotAuthorizedException("the token's user is unknown or inactive") from None


class FailedAuthLimitMiddleware(RateLimitMiddleware):
    """The limit before authentication: requests that fail it (401), counted per client address.

    Placed before the authentication middleware.  A request whose credentials are
    missing or refused counts against its client address; once an address has had
    ``rate_limit`` of them in the window, its requests are refused with 429 (and
    ``Retry-After``) before their credentials are looked at, until the window ends.
    Requests that authenticate never count, so many users behind one address are not
    limited by each other; a caller whose credentials were accepted within the
    identity cache's time is let through even while its address is refused.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = scope["litestar_app"]
        request: Request[Any, Any, Any] = app.request_class(scope)
        if not await self.should_check_request(request=request):
            await self.app(scope, receive, send)
            return
        store = self.config.get_store_from_app(app)
        key = self.cache_key_from_request(request)
        failures = await self.retrieve_cached_history(key, store)
        if len(failures.history) >= self.max_requests:
            raise TooManyRequestsException(headers=self.create_response_headers(cache_object=failures))
        try:
            await self.app(scope, receive, send)
        except NotAuthorizedException:
            async with self._lock:
                failures = await self.retrieve_cached_history(key, store)
                await self.set_cached_history(key=key, cache_object=failures, store=store)
            raise


def failed_auth_limit(per_minute: int, cache: IdentityCache, exclude: list[str]) -> RateLimitConfig:
    """The config of :class:`FailedAuthLimitMiddleware`: ``per_minute`` failures a client address."""

    def unknown_caller(request: Request[Any, Any, Any]) -> bool:
        try:
            found = presented(request.headers)
        except NotAuthorizedException:
            return True
        return found is None or cache.get(found.digest) is None

    return RateLimitConfig(
        rate_limit=("minute", per_minute),
        identifier_for_request=lambda request: f"addr:{get_remote_address(request)}",
        check_throttle_handler=unknown_caller,
        exclude=exclude,
        middleware_class=FailedAuthLimitMiddleware,
        set_rate_limit_headers=False,
        store="rate_limit_unauthenticated",
    )


def requires_permission(
    permission: str, *, staff_when_undeclared: bool = False
) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]:
    """A guard: the caller holds a role with ``permission`` (as declared in roles.yaml).

    A permission roles.yaml does not declare restricts nobody, as in the services;
    with ``staff_when_undeclared`` it then admits any role but ``applicant``.
    """

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        ims: IMS = connection.app.state.ims
        actor: Actor = connection.user
        allowed = ims.config.roles.permissions.get(permission)
        if allowed is None:
            if staff_when_undeclared and not actor.roles - {"applicant"}:
                raise PermissionDeniedException(f"this is for staff; {actor.username} is an applicant")
            return
        if not actor.roles & set(allowed):
            raise PermissionDeniedException(
                f"this needs permission '{permission}' ({', '.join(allowed) or 'nobody'}); "
                f"{actor.username} has {', '.join(sorted(actor.roles)) or 'no roles'}"
            )

    return guard
