"""The uniform error envelope, the rate limit with Retry-After, CORS, transitions' 409 and 422."""

from __future__ import annotations

import sys

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
        pytest.param("GET", "/applications/0", None, 404, id="id-out-of-range"),
        pytest.param("GET", "/applications/99999999999999999999", None, 404, id="huge-id"),
        pytest.param("GET", "/applications/BS-2026-999999", None, 404, id="unknown-number"),
        pytest.param("GET", "/applications/not%20a%20number", None, 400, id="bad-reference"),
        pytest.param("GET", "/applications?limit=9999", None, 400, id="limit-too-large"),
        pytest.param("GET", "/applications?cursor=garbage", None, 400, id="bad-cursor"),
        pytest.param("GET", "/applications?cursor=WzEsMl0&page=2", None, 400, id="cursor-and-page"),
        pytest.param("GET", "/applications?created_from=2026-01-01T00:00:00", None, 400, id="no-zone"),
        pytest.param("GET", "/tasks?due_before=2026-01-01T00:00:00", None, 400, id="no-zone-tasks"),
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
    if status == 400 and error["details"]:  # Litestar's and ours: the same shape
        assert all(set(p) == {"message", "key", "source"} for p in error["details"]["problems"])


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


def test_failed_authentication_is_limited_per_client_address(ims: IMS, auth: Auth) -> None:
    with TestClient(make_app(ims, rate_limit_per_minute=3)) as c:
        bad = [
            c.get("/me", headers={"Authorization": "Bearer garbage"}),
            c.get("/me"),  # no credentials count too
            c.get("/me", headers={"X-API-Key": "ims_nope_nope"}),
        ]
        assert [r.status_code for r in bad] == [401, 401, 401]
        limited = c.get("/me", headers={"Authorization": "Bearer garbage"})
        assert limited.status_code == 429, limited.text
        assert limited.json()["error"]["code"] == "rate-limited"
        assert 0 < int(limited.headers["retry-after"]) <= 60
        # the address is refused before credentials are checked, valid ones too
        assert c.get("/me", headers=auth("fenna")).status_code == 429
        assert c.get("/health/live").status_code == 200  # public paths are never limited
    with TestClient(make_app(ims, rate_limit_per_minute=3)) as c:
        # requests that authenticate never count against the address
        assert {c.get("/me", headers=auth(user)).status_code for user in ("fenna", "anna", "sara")} == {200}
        assert c.get("/me", headers=auth("dirk")).status_code == 200
        assert c.get("/me").status_code == 401


def test_failed_authentication_does_not_hold_up_a_recently_accepted_caller(ims: IMS, auth: Auth) -> None:
    from ims.api import create_app

    settings = ims.config.settings.api.model_copy(update={"rate_limit_per_minute": 2})
    with TestClient(create_app(ims, settings=settings, identity_cache_seconds=60)) as c:
        fenna = auth("fenna")
        assert c.get("/me", headers=fenna).status_code == 200
        assert [c.get("/me").status_code for _ in range(3)] == [401, 401, 429]
        assert c.get("/me", headers=fenna).status_code == 200  # accepted a moment ago: not held up
        assert c.get("/me", headers=auth("anna")).status_code == 429  # new credentials wait


def test_a_chart_without_matplotlib_is_501(
    client: TestClient[Litestar], auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` raises ImportError
    response = client.get(
        "/reports/applications_by_state/chart", params={"format": "svg"}, headers=auth("dirk")
    )
    assert response.status_code == 501, response.text
    assert response.json()["error"] == {
        "code": "not-implemented",
        "message": "charts need matplotlib: pip install 'ims[charts]'",
        "details": None,
    }
    assert client.get("/reports/applications_by_state/csv", headers=auth("dirk")).status_code == 200


def test_text_responses_name_their_charset_once(client: TestClient[Litestar], auth: Auth) -> None:
    metrics = client.get("/metrics").headers["content-type"]
    assert metrics == "text/plain; version=0.0.4; charset=utf-8"
    csv = client.get("/reports/applications_by_state/csv", headers=auth("dirk")).headers["content-type"]
    assert csv == "text/csv; charset=utf-8"


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
            assert {"400", "401", "429", "503"} <= set(operation["responses"]), (method, path)
    assert "501" in schema["paths"]["/reports/{name}/chart"]["get"]["responses"]
    app_paths = [p for p in schema["paths"] if p.startswith("/applications/{")]
    assert len(app_paths) >= 10
    for path in app_paths:
        for operation in schema["paths"][path].values():
            (param,) = [p for p in operation["parameters"] if p["in"] == "path" and p["name"] == "app"]
            assert param["schema"]["type"] == "string" and "number" in param["description"], path
    assert client.get("/schema/swagger").status_code == 200
    assert client.get("/schema").status_code == 200
