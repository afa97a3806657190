"""The uniform error envelope, the rate limit with Retry-After, CORS, transitions' 409 and 422."""

from __future__ import annotations

import pytest
from api_support import Auth, make_app, new_application
from litestar import Litestar
from litestar.testing import TestClient

from ims import IMS


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        pytest.param("GET", "/nowhere", None, 404, id="unknown-route"),
        pytest.param("DELETE", "/applications", None, 405, id="wrong-method"),
        pytest.param("GET", "/applications/0", None, 400, id="id-out-of-range"),
        pytest.param("GET", "/applications/99999999999999999999", None, 400, id="huge-id"),
        pytest.param("GET", "/applications?limit=9999", None, 400, id="limit-too-large"),
        pytest.param("POST", "/applications", "not json", 400, id="bad-json"),
        pytest.param("POST", "/applications", {"workflow": 3}, 400, id="wrong-type"),
        pytest.param("GET", "/applications?created_from=yesterday", None, 400, id="bad-date"),
        pytest.param("POST", "/inbox/read", {"ids": []}, 400, id="empty-list"),
    ],
)
def test_bad_input_gets_the_envelope_never_a_500(
    client: TestClient[Litestar], auth: Auth, method: str, path: str, body: object, status: int
) -> None:
    kwargs: dict[str, object] = {"headers": {**auth("fenna"), "Content-Type": "application/json"}}
    if isinstance(body, str):
        kwargs["content"] = body
    elif body is not None:
        kwargs["json"] = body
    response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert "Traceback" not in response.text


def test_transition_stale_version_and_refusal(client: TestClient[Litestar], auth: Auth) -> None:
    app = new_application(client, auth)
    actions = client.get(f"/applications/{app['id']}/actions", headers=auth("fenna")).json()
    submit = next(a for a in actions if a["action"] == "submit")
    assert submit["allowed"] is False and submit["reasons"]
    refused = client.post(
        f"/applications/{app['id']}/transitions", json={"action": "submit"}, headers=auth("fenna")
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "transition-refused"
    stale = client.post(
        f"/applications/{app['id']}/transitions",
        json={"action": "submit"},
        headers={**auth("fenna"), "If-Match": '"7"'},
    )
    assert stale.status_code == 409


def test_the_rate_limit_is_per_user_with_retry_after(ims: IMS, auth: Auth) -> None:
    with TestClient(make_app(ims, rate_limit_per_minute=5)) as c:
        fenna, anna = auth("fenna"), auth("anna")
        statuses = [c.get("/me", headers=fenna).status_code for _ in range(8)]
        assert statuses == [200] * 5 + [429] * 3
        limited = c.get("/me", headers=fenna)
        assert limited.json()["error"]["code"] == "rate-limited"
        assert int(limited.headers["retry-after"]) > 0
        assert c.get("/me", headers=anna).status_code == 200  # another user is not affected
        assert c.get("/health/live").status_code == 200  # health is never limited


def test_cors_is_off_unless_configured(ims: IMS, auth: Auth) -> None:
    origin = {"Origin": "https://office.example"}
    with TestClient(make_app(ims, rate_limit_per_minute=0)) as c:
        assert "access-control-allow-origin" not in c.get("/health/live", headers=origin).headers
    with TestClient(make_app(ims, rate_limit_per_minute=0, cors_origins=("https://office.example",))) as c:
        response = c.get("/health/live", headers=origin)
        assert response.headers["access-control-allow-origin"] == "https://office.example"
        other = c.get("/health/live", headers={"Origin": "https://evil.example"})
        assert other.headers.get("access-control-allow-origin") != "https://evil.example"


def test_the_schema_documents_every_route_and_error(client: TestClient[Litestar]) -> None:
    schema = client.get("/schema/openapi.json").json()
    assert {"BearerToken", "ApiKey"} <= set(schema["components"]["securitySchemes"])
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/health"):
                continue
            assert {"400", "401", "429"} <= set(operation["responses"]), (method, path)
    assert client.get("/schema/swagger").status_code == 200
