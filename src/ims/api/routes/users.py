"""``/users``, ``/roles`` and ``/api-keys``: administration (``users.manage``)."""

from __future__ import annotations

from typing import Annotated

from litestar import Router, delete, get, post
from litestar.params import JSONBody, PathParameter

from ims.api.auth import requires_permission
from ims.api.deps import Caller, Ims
from ims.api.errors import error_responses
from ims.api.routes._common import KeyId
from ims.api.schemas import ApiKeyCreate, ApiKeyCreated, RoleGrant, RoleInfo, UserCreate
from ims.services.api_keys import ApiKeyView
from ims.services.users import UserView

UserName = Annotated[str, PathParameter(min_length=1, max_length=150, description="The username")]
RoleName = Annotated[str, PathParameter(min_length=1, max_length=100, description="The role")]


@get("/users", sync_to_thread=True, responses=error_responses(403), summary="Users")
def list_users(ims: Ims) -> list[UserView]:
    return ims.users.list()


@post("/users", sync_to_thread=True, status_code=201, responses=error_responses(403, 404, 409, 422))
def create_user(data: JSONBody[UserCreate], ims: Ims, actor: Caller) -> UserView:
    """Create a user with roles (a role must be declared in roles.yaml)."""
    return ims.users.create(
        data.username, display_name=data.display_name, email=data.email, roles=data.roles, actor=actor
    )


@get("/users/{username:str}", sync_to_thread=True, responses=error_responses(403, 404), summary="A user")
def get_user(username: UserName, ims: Ims) -> UserView:
    return ims.users.get(username)


@post(
    "/users/{username:str}/roles",
    sync_to_thread=True,
    status_code=200,
    responses=error_responses(403, 404),
    summary="Grant a role",
)
def grant(username: UserName, data: JSONBody[RoleGrant], ims: Ims, actor: Caller) -> UserView:
    return ims.users.grant(username, data.role, actor=actor)


@delete(
    "/users/{username:str}/roles/{role:str}",
    sync_to_thread=True,
    status_code=200,
    responses=error_responses(403, 404),
    summary="Revoke a role",
)
def revoke(username: UserName, role: RoleName, ims: Ims, actor: Caller) -> UserView:
    return ims.users.revoke(username, role, actor=actor)


@post(
    "/users/{username:str}/deactivate",
    sync_to_thread=True,
    status_code=200,
    responses=error_responses(403, 404),
    summary="Deactivate a user",
)
def deactivate(username: UserName, ims: Ims, actor: Caller) -> UserView:
    """The user can no longer act (tokens and API keys stop working within seconds)."""
    return ims.users.deactivate(username, actor=actor)


@post(
    "/users/{username:str}/activate",
    sync_to_thread=True,
    status_code=200,
    responses=error_responses(403, 404),
    summary="Activate a user",
)
def activate(username: UserName, ims: Ims, actor: Caller) -> UserView:
    return ims.users.activate(username, actor=actor)


@get(
    "/users/{username:str}/api-keys", sync_to_thread=True, responses=error_responses(403), summary="API keys"
)
def list_keys(username: UserName, ims: Ims, actor: Caller) -> list[ApiKeyView]:
    return ims.api_keys.list(username, actor=actor)


@post(
    "/users/{username:str}/api-keys",
    sync_to_thread=True,
    status_code=201,
    responses=error_responses(403, 404, 422),
    summary="Create an API key",
)
def create_key(username: UserName, data: JSONBody[ApiKeyCreate], ims: Ims, actor: Caller) -> ApiKeyCreated:
    """A new key for the user; the response holds the key, which cannot be read again."""
    new = ims.api_keys.create(username, data.name, actor=actor)
    return ApiKeyCreated(new.key, new.info)


@delete(
    "/api-keys/{key_id:int}",
    sync_to_thread=True,
    status_code=200,
    responses=error_responses(403, 404),
    summary="Revoke an API key",
)
def revoke_key(key_id: KeyId, ims: Ims, actor: Caller) -> ApiKeyView:
    return ims.api_keys.revoke(key_id, actor=actor)


@get("/roles", responses=error_responses(403), summary="Roles and their permissions")
async def roles(ims: Ims) -> list[RoleInfo]:
    """The roles of roles.yaml and the permissions each holds."""
    config = ims.config.roles
    return [
        RoleInfo(
            name,
            dict(role.label),
            role.description,
            sorted(p for p, holders in config.permissions.items() if name in holders),
        )
        for name, role in sorted(config.roles.items())
    ]


router = Router(
    "/",
    route_handlers=[
        list_users,
        create_user,
        get_user,
        grant,
        revoke,
        deactivate,
        activate,
        list_keys,
        create_key,
        revoke_key,
        roles,
    ],
    guards=[requires_permission("users.manage")],
    tags=["users and roles"],
)
