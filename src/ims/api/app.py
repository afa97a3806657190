"""``create_app(ims)``: the Litestar application over one :class:`ims.IMS`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import Litestar, Request
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig, get_remote_address
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components
from litestar.stores.memory import MemoryStore

import ims as ims_package
from ims.api.auth import (
    PUBLIC_PATHS,
    SECURITY,
    SECURITY_SCHEMES,
    IdentityCache,
    ImsAuthenticationMiddleware,
    failed_auth_limit,
)
from ims.api.deps import provide_actor, provide_ims
from ims.api.errors import EXCEPTION_HANDLERS
from ims.api.metrics import metrics, metrics_registry, prometheus_config
from ims.api.routes import ROUTERS
from ims.api.tokens import TokenVerifier
from ims.rules import Actor

if TYPE_CHECKING:
    from litestar.stores.base import Store

    from ims.config.models import ApiSettings
    from ims.facade import IMS

#: Paths neither rate limited nor counted per user.
UNLIMITED_PATHS = ["^/health/", "^/metrics", "^/schema"]


def rate_limit_identifier(request: Request[Any, Any, Any]) -> str:
    """The user when authenticated (the limit is per user), else the client address."""
    user = request.scope.get("user")
    if isinstance(user, Actor):
        return f"user:{user.username}"
    return f"addr:{get_remote_address(request)}"


def create_app(
    ims: IMS,
    *,
    settings: ApiSettings | None = None,
    rate_limit_store: Store | None = None,
    identity_cache_seconds: float = 5.0,
    debug: bool = False,
) -> Litestar:
    """The HTTP API over ``ims``, ready to run (``ims serve``) or to mount in a host application.

    Args:
        ims: the configured ims; ``ims.config.settings.api`` sets the rate limit,
            CORS, token checks, body size and the schema UI.
        settings: use these API settings instead of the configuration's (a host
            application's own, or a test's).
        rate_limit_store: where the request counts live (per user, and the failed
            authentications per client address).  The default is in memory, per process:
            with several workers (``ims serve --workers``) each counts on its own; pass a
            shared store (``litestar.stores.redis.RedisStore``) for one limit across them.
        identity_cache_seconds: how long a resolved caller is reused (0: never);
            deactivations and revocations take effect within this time.
        debug: Litestar's debug mode (tracebacks in responses): never in production.
    """
    settings = settings or ims.config.settings.api
    cache = IdentityCache(identity_cache_seconds)
    authentication = DefineMiddleware(
        ImsAuthenticationMiddleware,
        exclude=PUBLIC_PATHS,
        ims=ims,
        verifier=TokenVerifier(ims.config.settings.model_copy(update={"api": settings})),
        cache=cache,
    )
    middleware: list[Any] = [prometheus_config().middleware]
    stores: dict[str, Store] = {}
    if settings.rate_limit_per_minute > 0:
        # before authentication: failed attempts per client address; after it: requests per user
        store = rate_limit_store or MemoryStore()
        before = failed_auth_limit(settings.rate_limit_per_minute, cache, exclude=PUBLIC_PATHS)
        limit = RateLimitConfig(
            rate_limit=("minute", settings.rate_limit_per_minute),
            identifier_for_request=rate_limit_identifier,
            exclude=UNLIMITED_PATHS,
        )
        middleware += [before.middleware, authentication, limit.middleware]
        stores[before.store] = stores[limit.store] = store
    else:
        middleware.append(authentication)
    cors = CORSConfig(allow_origins=list(settings.cors_origins)) if settings.cors_origins else None
    render_plugins = [ScalarRenderPlugin(), SwaggerRenderPlugin()] if settings.schema_ui else []
    openapi = OpenAPIConfig(
        title="ims",
        version=ims_package.__version__,
        description=(
            "Application and case workflows declared in YAML. Authenticate with "
            "`Authorization: Bearer <JWT>` or `X-API-Key: <key>`; errors are "
            '`{"error": {"code", "message", "details"}}`.'
        ),
        path="/schema",
        components=Components(security_schemes=SECURITY_SCHEMES),
        security=SECURITY,
        render_plugins=render_plugins,
        use_handler_docstrings=True,
    )
    app = Litestar(
        route_handlers=[*ROUTERS, metrics],
        dependencies={
            "ims": Provide(provide_ims, sync_to_thread=False),
            "actor": Provide(provide_actor, sync_to_thread=False),
        },
        middleware=middleware,
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=openapi,
        cors_config=cors,
        request_max_body_size=int(settings.max_request_body_mb * 1_000_000),
        stores=stores,
        debug=debug,
    )
    app.state.ims = ims
    app.state.metrics_registry = metrics_registry(ims)
    return app
