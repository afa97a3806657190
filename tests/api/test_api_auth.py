"""Authentication: bearer tokens (the negative matrix), API keys, the resolve_actor hook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from api_support import Auth, make_app
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from litestar import Litestar
from litestar.testing import TestClient

from ims import IMS, hookimpl
from ims.api.tokens import issue, signing_key
from ims.rules import Actor


def _claims(**override: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims = {"sub": "fenna", "iss": "ims", "aud": "ims", "iat": now, "exp": now + timedelta(minutes=5)}
    claims.update(override)
    return {k: v for k, v in claims.items() if v is not None}


def test_no_credentials_is_401_with_the_error_envelope(client: TestClient[Litestar]) -> None:
    response = client.get("/applications")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_valid_token_identifies_the_user(client: TestClient[Litestar], auth: Auth) -> None:
    response = client.get("/me", headers=auth("fenna"))
    assert response.status_code == 200
    assert response.json() == {"username": "fenna", "roles": ["front_office"]}


@pytest.mark.parametrize(
    "case",
    [
        "alg-none",
        "expired",
        "wrong-audience",
        "wrong-issuer",
        "wrong-signature",
        "tampered-payload",
        "no-exp",
        "unknown-user",
        "garbage",
        "bad-scheme",
    ],
)
def test_bad_tokens_are_401(ims: IMS, client: TestClient[Litestar], case: str) -> None:
    key = signing_key(ims.config.settings)
    tokens = {
        "alg-none": lambda: jwt.encode(_claims(), None, algorithm="none"),
        "expired": lambda: jwt.encode(_claims(exp=datetime.now(UTC) - timedelta(minutes=5)), key),
        "wrong-audience": lambda: jwt.encode(_claims(aud="someone-else"), key),
        "wrong-issuer": lambda: jwt.encode(_claims(iss="evil"), key),
        "wrong-signature": lambda: jwt.encode(_claims(), b"another key, long enough for HS256 use"),
        "tampered-payload": lambda: _tamper(jwt.encode(_claims(), key)),
        "no-exp": lambda: jwt.encode(_claims(exp=None), key),
        "unknown-user": lambda: jwt.encode(_claims(sub="nobody"), key),
        "garbage": lambda: "not-a-token",
    }
    if case == "bad-scheme":
        headers = {"Authorization": "Basic Zm9vOmJhcg=="}
    else:
        headers = {"Authorization": f"Bearer {tokens[case]()}"}
    response = client.get("/me", headers=headers)
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "unauthenticated"


def _tamper(token: str) -> str:
    import base64
    import json

    head, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "anna"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{head}.{forged}.{signature}"


def test_a_deactivated_user_is_refused(ims: IMS, client: TestClient[Litestar], auth: Auth) -> None:
    headers = auth("sara")
    assert client.get("/me", headers=headers).status_code == 200
    ims.users.deactivate("sara")
    assert client.get("/me", headers=headers).status_code == 401


def test_api_keys_authenticate_until_revoked(ims: IMS, client: TestClient[Litestar]) -> None:
    ims.users.create("exporter", roles=["it"])
    new = ims.api_keys.create("exporter", "nightly export")
    assert new.key.startswith("ims_")
    assert client.get("/me", headers={"X-API-Key": new.key}).json()["username"] == "exporter"
    assert client.get("/me", headers={"Authorization": f"ApiKey {new.key}"}).status_code == 200
    assert ims.api_keys.list("exporter")[0].last_used_at is not None
    assert client.get("/me", headers={"X-API-Key": new.key + "x"}).status_code == 401
    ims.api_keys.revoke(new.info.id)
    response = client.get("/me", headers={"X-API-Key": new.key})
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]["message"]


def test_the_api_keys_table_holds_only_a_hash(ims: IMS) -> None:
    from sqlalchemy import select

    from ims.store.models import ApiKey

    new = ims.api_keys.create("anna", "ci")
    with ims.runtime.reading() as s:
        row = s.scalars(select(ApiKey)).one()
    assert new.key not in (row.hash, row.prefix)
    assert len(row.hash) == 64


def test_tokens_of_an_identity_provider_verify_with_its_public_key(ims: IMS, tmp_path: Any) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    key_file = tmp_path / "idp.pem"
    key_file.write_text(pem)
    jwt_settings = ims.config.settings.api.jwt.model_copy(
        update={
            "algorithms": ("RS256",),
            "issuer": "https://idp.example",
            "audience": "ims-office",
            "public_keys": (str(key_file),),
            "username_claim": "preferred_username",
        }
    )
    app = make_app(ims, jwt=jwt_settings, rate_limit_per_minute=0)
    claims = _claims(iss="https://idp.example", aud="ims-office", preferred_username="carlos", sub="abc-123")
    good = jwt.encode(claims, private, algorithm="RS256")
    with TestClient(app) as c:
        assert c.get("/me", headers={"Authorization": f"Bearer {good}"}).json()["username"] == "carlos"
        # our own HS256 tokens are not accepted when only RS256 is configured
        ours = issue(ims.config.settings, "carlos", now=datetime.now(UTC))
        assert c.get("/me", headers={"Authorization": f"Bearer {ours}"}).status_code == 401


class _HostIdentity:
    """A host application trusting its own opaque session tokens."""

    @hookimpl
    def resolve_actor(self, ims: Any, credentials: Any) -> Actor | None:
        if credentials.get("type") == "bearer" and credentials.get("token") == "host-session-42":
            return Actor("host-user", frozenset({"staff"}))
        return None


def test_a_host_application_supplies_identity_through_resolve_actor(ims: IMS) -> None:
    ims.plugins.register(_HostIdentity(), name="host-identity")
    try:
        with TestClient(make_app(ims, rate_limit_per_minute=0)) as c:
            response = c.get("/me", headers={"Authorization": "Bearer host-session-42"})
            assert response.json() == {"username": "host-user", "roles": ["staff"]}
            assert c.get("/me", headers={"Authorization": "Bearer other"}).status_code == 401
    finally:
        ims.plugins.unregister(name="host-identity")


def test_the_identity_cache_reuses_a_resolved_caller(ims: IMS, auth: Auth) -> None:
    from ims.api import create_app

    with TestClient(create_app(ims, identity_cache_seconds=60)) as c:
        headers = auth("sara")
        assert c.get("/me", headers=headers).status_code == 200
        ims.users.deactivate("sara")
        assert c.get("/me", headers=headers).status_code == 200  # cached for up to a minute
