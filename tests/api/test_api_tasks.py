"""Task actions, work queues, the dashboard and report charts over HTTP, role by role."""

from __future__ import annotations

from typing import Any

from api_support import Auth, new_application
from litestar import Litestar
from litestar.testing import TestClient


def _draft_task(client: TestClient[Litestar], auth: Auth) -> dict[str, Any]:
    app = new_application(client, auth)
    tasks = client.get(f"/applications/{app['id']}/tasks", headers=auth("fenna")).json()
    assert [t["state"] for t in tasks] == ["DRAFT"]
    task: dict[str, Any] = tasks[0]
    return task


def test_queue_is_a_page_with_scopes_and_filters(client: TestClient[Litestar], auth: Auth) -> None:
    task = _draft_task(client, auth)
    page = client.get(
        "/tasks", params={"scope": "unassigned", "state": "DRAFT"}, headers=auth("fenna")
    ).json()
    assert page["total"] >= 1 and page["limit"] == 50 and page["offset"] == 0
    assert task["id"] in [t["id"] for t in page["items"]]
    assert client.get("/tasks", params={"scope": "mine"}, headers=auth("fenna")).json()["items"] == []
    assert client.get("/tasks", params={"state": "SOCIAL_REVIEW"}, headers=auth("fenna")).json()["total"] == 0
    assert client.get("/tasks", params={"scope": "nobody"}, headers=auth("fenna")).status_code == 400
    assert client.get("/tasks", params={"status": "DONE"}, headers=auth("fenna")).status_code == 400


def test_claim_start_complete(client: TestClient[Litestar], auth: Auth) -> None:
    task = _draft_task(client, auth)
    url = f"/tasks/{task['id']}"
    assert client.post(f"{url}/claim", headers=auth("mina")).status_code == 403  # not her role
    claimed = client.post(f"{url}/claim", headers=auth("fenna"))
    assert claimed.status_code == 200 and claimed.json()["assignee"] == "fenna"
    assert client.post(f"{url}/claim", headers=auth("anna")).status_code == 409  # taken
    mine = client.get("/tasks", params={"scope": "mine"}, headers=auth("fenna")).json()["items"]
    assert [t["id"] for t in mine] == [task["id"]]
    assert client.post(f"{url}/start", headers=auth("fenna")).json()["status"] == "IN_PROGRESS"
    done = client.post(f"{url}/complete", json={"comment": "checked"}, headers=auth("fenna"))
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "COMPLETED" and done.json()["completed_by"] == "fenna"
    assert client.get(url, headers=auth("fenna")).json()["status"] == "COMPLETED"


def test_assign_and_cancel_need_their_permissions(client: TestClient[Litestar], auth: Auth) -> None:
    task = _draft_task(client, auth)
    url = f"/tasks/{task['id']}"
    assert client.post(f"{url}/assign", json={"assignee": "fenna"}, headers=auth("fenna")).status_code == 403
    assert client.post(f"{url}/assign", json={"assignee": "paul"}, headers=auth("anna")).status_code == 422
    assigned = client.post(f"{url}/assign", json={"assignee": "fenna"}, headers=auth("anna"))
    assert assigned.status_code == 200 and assigned.json()["assignee"] == "fenna"
    assert client.post(f"{url}/assign", json={"who": "fenna"}, headers=auth("anna")).status_code == 400
    assert (
        client.post(f"{url}/cancel", json={"reason": "duplicate"}, headers=auth("fenna")).status_code == 403
    )
    assert client.post(f"{url}/cancel", json={}, headers=auth("anna")).status_code == 400
    cancelled = client.post(f"{url}/cancel", json={"reason": "duplicate intake"}, headers=auth("anna"))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "CANCELLED"
    audit = client.get("/audit", params={"application": task["application_id"]}, headers=auth("anna"))
    assert {"task-assigned", "task-cancelled"} <= {e["action"] for e in audit.json()}


def test_tasks_of_hidden_applications_are_404(client: TestClient[Litestar], auth: Auth) -> None:
    task = _draft_task(client, auth)
    assert client.get(f"/tasks/{task['id']}", headers=auth("paul")).status_code == 200  # his own
    other = new_application(client, auth, applicant="fenna")
    other_task = client.get(f"/applications/{other['id']}/tasks", headers=auth("anna")).json()[0]
    for path in (f"/tasks/{other_task['id']}", f"/tasks/{other_task['id']}/claim"):
        call = client.get if path.endswith(str(other_task["id"])) else client.post
        assert call(path, headers=auth("paul")).status_code == 404
    assert client.get("/tasks/999999", headers=auth("anna")).status_code == 404


def test_supervisor_list(client: TestClient[Litestar], auth: Auth) -> None:
    task = _draft_task(client, auth)
    assert client.get("/tasks/all", headers=auth("fenna")).status_code == 403
    page = client.get("/tasks/all", params={"role": "front_office"}, headers=auth("anna")).json()
    assert task["id"] in [t["id"] for t in page["items"]]


def test_dashboard(client: TestClient[Litestar], auth: Auth) -> None:
    task = _draft_task(client, auth)
    client.post(f"/tasks/{task['id']}/claim", headers=auth("fenna"))
    board = client.get("/dashboard", headers=auth("fenna")).json()
    assert board["username"] == "fenna" and board["my_open_tasks"] == 1 and board["my_overdue"] == 0
    assert "applications_by_state" in board and "due_soon" in board
    assert client.get("/dashboard").status_code == 401


def test_report_charts(client: TestClient[Litestar], auth: Auth) -> None:
    new_application(client, auth)
    svg = client.get("/reports/applications_by_state/chart", headers=auth("anna"))
    assert svg.status_code == 200, svg.text
    assert svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content
    png = client.get("/reports/time_in_state/chart", params={"format": "png"}, headers=auth("anna"))
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert client.get("/reports/overdue/chart", headers=auth("anna")).status_code == 422
    assert client.get("/reports/nope/chart", headers=auth("anna")).status_code == 404
    assert client.get("/reports/applications_by_state/chart", headers=auth("paul")).status_code == 403
