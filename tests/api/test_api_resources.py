"""The other resources over HTTP, role by role: tasks, inbox, users and keys, reference, reports, audit."""

from __future__ import annotations

from api_support import Auth, new_application
from litestar import Litestar
from litestar.testing import TestClient

from ims import IMS


def test_work_queue_and_application_tasks(client: TestClient[Litestar], auth: Auth) -> None:
    app = new_application(client, auth)
    queue = client.get("/tasks", headers=auth("fenna")).json()["items"]
    assert any(t["application_id"] == app["id"] for t in queue)
    assert client.get("/tasks", headers=auth("mina")).json()["items"] == []
    tasks = client.get(f"/applications/{app['id']}/tasks", headers=auth("anna")).json()
    assert tasks and tasks[0]["state"] == "DRAFT"
    assert client.get("/tasks", params={"limit": 0}, headers=auth("fenna")).status_code == 400


def test_inbox_list_and_mark_read(ims: IMS, client: TestClient[Litestar], auth: Auth) -> None:
    app = new_application(client, auth, full=True)
    doc = ims.documents.add(app["id"], "national_declaration", "d.pdf", actor="fenna", content=b"%PDF-1.4 x")
    ims.workflow.transition(app["id"], "submit", actor="fenna")
    ims.documents.reject(doc.id, "unreadable", actor="sara")
    items = client.get("/inbox", headers=auth("fenna")).json()
    assert items, "the uploader is told of the rejection"
    marked = client.post("/inbox/read", json={"ids": [i["id"] for i in items]}, headers=auth("fenna"))
    assert marked.json()["changed"] == len(items)
    assert client.get("/inbox", params={"unread": "true"}, headers=auth("fenna")).json() == []
    # someone else's ids change nothing
    assert (
        client.post("/inbox/read", json={"ids": [items[0]["id"]]}, headers=auth("anna")).json()["changed"]
        == 0
    )


def test_users_and_api_keys_are_for_admins(client: TestClient[Litestar], auth: Auth) -> None:
    for user in ("fenna", "paul", "dirk"):
        assert client.get("/users", headers=auth(user)).status_code == 403, user
        assert client.post("/users", json={"username": "x"}, headers=auth(user)).status_code == 403
    assert {u["username"] for u in client.get("/users", headers=auth("anna")).json()} >= {"anna", "paul"}
    created = client.post(
        "/users", json={"username": "svc", "roles": ["it"], "display_name": "Service"}, headers=auth("ivan")
    )
    assert created.status_code == 201 and created.json()["roles"] == ["it"]
    assert client.post("/users", json={"username": "svc"}, headers=auth("ivan")).status_code == 409
    assert client.post("/users/svc/roles", json={"role": "staff"}, headers=auth("anna")).json()["roles"] == [
        "it",
        "staff",
    ]
    assert client.post("/users/svc/roles", json={"role": "king"}, headers=auth("anna")).status_code == 404
    assert client.delete("/users/svc/roles/staff", headers=auth("anna")).json()["roles"] == ["it"]
    key = client.post("/users/svc/api-keys", json={"name": "export"}, headers=auth("anna")).json()
    assert client.get("/me", headers={"X-API-Key": key["key"]}).json()["username"] == "svc"
    keys = client.get("/users/svc/api-keys", headers=auth("anna")).json()
    assert [k["id"] for k in keys] == [key["info"]["id"]] and "key" not in keys[0]
    assert client.delete(f"/api-keys/{key['info']['id']}", headers=auth("anna")).json()["revoked_at"]
    assert client.get("/me", headers={"X-API-Key": key["key"]}).status_code == 401
    assert client.post("/users/svc/deactivate", headers=auth("anna")).json()["active"] is False
    assert client.post("/users/svc/activate", headers=auth("anna")).json()["active"] is True
    assert client.get("/users/nobody", headers=auth("anna")).status_code == 404
    roles = client.get("/roles", headers=auth("anna")).json()
    assert "audit.read" in next(r for r in roles if r["name"] == "director")["permissions"]


def test_reference_data(client: TestClient[Litestar], auth: Auth) -> None:
    assert "district" in client.get("/reference", headers=auth("paul")).json()
    districts = client.get("/reference/district", params={"language": "nl"}, headers=auth("paul")).json()
    assert any(d["code"] == "paramaribo" for d in districts)
    assert client.get("/reference/nope", headers=auth("paul")).status_code == 404


def test_reports_json_and_csv(client: TestClient[Litestar], auth: Auth) -> None:
    new_application(client, auth)
    assert client.get("/reports", headers=auth("paul")).status_code == 403  # not for applicants
    reports = client.get("/reports", headers=auth("dirk")).json()
    assert any(r["name"] == "applications_by_state" for r in reports)
    result = client.get("/reports/applications_by_state", headers=auth("dirk")).json()
    assert (result["columns"] and ["DRAFT", 1] in [row[:2] for row in result["rows"]]) or result["rows"]
    csv = client.get("/reports/applications_by_state/csv", headers=auth("dirk"))
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == ",".join(result["columns"])
    naive = client.get(
        "/reports/applications_by_state", params={"date_from": "2026-01-01T00:00:00"}, headers=auth("dirk")
    )
    assert naive.status_code == 400  # a time without a zone says nothing valid: a malformed parameter
    plain_date = client.get(
        "/reports/applications_by_state", params={"date_from": "2026-01-01"}, headers=auth("dirk")
    )
    assert plain_date.status_code == 400
    backwards = client.get(
        "/reports/applications_by_state",
        params={"date_from": "2026-02-01T00:00:00Z", "date_to": "2026-01-01T00:00:00-03:00"},
        headers=auth("dirk"),
    )
    assert backwards.status_code == 422  # well-formed, but not a period
    assert client.get("/reports/nope", headers=auth("dirk")).status_code == 404


def test_audit_log_for_permitted_roles(client: TestClient[Litestar], auth: Auth) -> None:
    app = new_application(client, auth)
    for user in ("fenna", "paul", "carlos"):
        assert client.get("/audit", params={"application": app["id"]}, headers=auth(user)).status_code == 403
    entries = client.get("/audit", params={"application": app["id"]}, headers=auth("dirk")).json()
    assert entries[0]["action"] == "created"
    assert client.get("/audit", headers=auth("ivan")).json()  # the system chain (users created)
    assert client.get("/audit", params={"application": 999999}, headers=auth("anna")).status_code == 404


def test_health_and_metrics_need_no_credentials(client: TestClient[Litestar], auth: Auth) -> None:
    assert client.get("/health/live").json() == {"status": "ok"}
    ready = client.get("/health/ready").json()
    assert ready["ready"] is True
    assert [c["name"] for c in ready["checks"]] == ["database", "migrations", "plugins", "outbox", "worker"]
    app = new_application(client, auth)
    client.post(f"/applications/{app['id']}/transitions", json={"action": "submit"}, headers=auth("fenna"))
    metrics = client.get("/metrics").text
    assert 'ims_transitions_total{outcome="refused",workflow="bouwsubsidie"}' in metrics
    assert "ims_requests_total" in metrics
    assert "ims_request_duration_seconds_bucket" in metrics
    assert "ims_outbox_backlog" in metrics and "ims_tasks_overdue" in metrics
    assert client.get("/schema/openapi.json").status_code == 200
