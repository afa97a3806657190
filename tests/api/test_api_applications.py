"""Applications over HTTP: create, read, update data, search; role by role; 404 not 403."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api_support import PDF, Auth, new_application
from litestar import Litestar
from litestar.testing import TestClient

from ims import IMS


def test_create_read_update(client: TestClient[Litestar], auth: Auth) -> None:
    app = new_application(client, auth)
    assert app["state"] == "DRAFT"
    assert app["number"].startswith("BS-")
    read = client.get(f"/applications/{app['id']}", headers=auth("fenna"))
    assert read.status_code == 200
    assert read.headers["etag"] == '"1"'
    patch = client.patch(
        f"/applications/{app['id']}/data",
        json={"data": {"applicant": {"first_name": "Maria", "last_name": "Doe-Pinas"}}},
        headers={**auth("fenna"), "If-Match": '"1"'},
    )
    assert patch.status_code == 200, patch.text
    assert patch.json()["version"] == 2
    assert patch.json()["data"]["applicant"]["last_name"] == "Doe-Pinas"


def test_a_stale_version_is_409_and_writes_nothing(client: TestClient[Litestar], auth: Auth) -> None:
    app = new_application(client, auth)
    body = {"data": {"applicant": {"first_name": "A", "last_name": "B"}}}
    first = client.patch(
        f"/applications/{app['id']}/data", json=body, headers={**auth("fenna"), "If-Match": "1"}
    )
    assert first.status_code == 200
    stale = client.patch(
        f"/applications/{app['id']}/data", json={**body, "version": 1}, headers=auth("fenna")
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    bad = client.patch(
        f"/applications/{app['id']}/data", json=body, headers={**auth("fenna"), "If-Match": "x"}
    )
    assert bad.status_code == 400


def test_roles_that_may_not_create_get_403(client: TestClient[Litestar], auth: Auth) -> None:
    for user in ("carlos", "dirk", "mina", "paul"):
        response = client.post(
            "/applications",
            json={"workflow": "bouwsubsidie", "data": {"applicant": {"first_name": "A", "last_name": "B"}}},
            headers=auth(user),
        )
        assert response.status_code == 403, user
        assert response.json()["error"]["code"] == "permission-denied"
    for user in ("anna", "ivan", "sara", "fenna"):
        response = client.post(
            "/applications",
            json={"workflow": "bouwsubsidie", "data": {"applicant": {"first_name": "A", "last_name": "B"}}},
            headers=auth(user),
        )
        assert response.status_code == 201, (user, response.text)


def test_the_permission_comes_before_the_body(client: TestClient[Litestar], auth: Auth) -> None:
    """paul may not create: 403 whether the body is valid, invalid data, or not even the right shape."""
    valid = {"workflow": "bouwsubsidie", "data": {"applicant": {"first_name": "A", "last_name": "B"}}}
    for body in (
        valid,
        {"workflow": "bouwsubsidie", "data": {"nonsense": 1}},
        {"workflow": "nope", "data": {}},
        {**valid, "priority": 9},
        {**valid, "applicant": "ghost"},
        {"workflow": 3},
        {"state": "CLOSURE"},
    ):
        response = client.post("/applications", json=body, headers=auth("paul"))
        assert response.status_code == 403, (body, response.text)
        assert response.json()["error"]["code"] == "permission-denied"


def test_applicant_and_assignee_must_be_users(ims: IMS, client: TestClient[Litestar], auth: Auth) -> None:
    data = {"applicant": {"first_name": "A", "last_name": "B"}}
    for field in ("applicant", "assignee"):
        response = client.post(
            "/applications",
            json={"workflow": "bouwsubsidie", "data": data, field: "ghost"},
            headers=auth("fenna"),
        )
        assert response.status_code == 422, (field, response.text)
        error = response.json()["error"]
        assert error["code"] == "validation-failed"
        assert error["details"]["problems"] == [f"{field} 'ghost' is not a user"]
        assert "ghost" in error["message"]
    ims.users.create("gone", roles=["staff"])
    ims.users.deactivate("gone")
    inactive = client.post(
        "/applications",
        json={"workflow": "bouwsubsidie", "data": data, "assignee": "gone"},
        headers=auth("fenna"),
    )
    assert inactive.status_code == 422
    assert inactive.json()["error"]["details"]["problems"] == ["assignee 'gone' is inactive"]
    assert client.get("/applications", headers=auth("anna")).json()["items"] == []  # nothing was created
    ok = client.post(
        "/applications",
        json={"workflow": "bouwsubsidie", "data": data, "applicant": "paul", "assignee": "sara"},
        headers=auth("fenna"),
    )
    assert ok.status_code == 201, ok.text


def test_every_application_path_takes_the_id_or_the_number(client: TestClient[Litestar], auth: Auth) -> None:
    app = new_application(client, auth, full=True)
    fenna = auth("fenna")
    for ref in (app["id"], app["number"]):
        read = client.get(f"/applications/{ref}", headers=fenna)
        assert read.status_code == 200 and read.json()["id"] == app["id"], ref
        for path in ("actions", "history", "steps", "documents", "checklist", "tasks"):
            response = client.get(f"/applications/{ref}/{path}", headers=fenna)
            assert response.status_code == 200, (ref, path, response.text)
    number = app["number"]
    patched = client.patch(
        f"/applications/{number}/data",
        json={"data": {"reason": "A new roof for the whole family."}},
        headers=fenna,
    )
    assert patched.status_code == 200, patched.text
    upload = client.post(
        f"/applications/{number}/documents",
        data={"document_type": "national_declaration"},
        files={"file": ("d.pdf", PDF, "application/pdf")},
        headers=fenna,
    )
    assert upload.status_code == 201, upload.text
    missing = client.post(
        f"/applications/{number}/documents/missing",
        json={"document_type": "plot_map", "reason": "The cadastre is closed this week."},
        headers=auth("anna"),
    )
    assert missing.status_code == 201, missing.text
    version = client.get(f"/applications/{number}", headers=fenna).headers["etag"]
    moved = client.post(
        f"/applications/{number}/transitions",
        json={"action": "submit"},
        headers={**fenna, "If-Match": version},
    )
    assert moved.status_code == 201, moved.text
    assert moved.json()["to_state"] == "INTAKE_REVIEW"
    audit = client.get("/audit", params={"application": number}, headers=auth("dirk")).json()
    assert audit == client.get("/audit", params={"application": app["id"]}, headers=auth("dirk")).json()


def test_by_number_an_invisible_application_is_404_like_a_missing_one(
    client: TestClient[Litestar], auth: Auth
) -> None:
    theirs = new_application(client, auth, applicant="pia")
    missing_number = theirs["number"][:-6] + "999999"
    paul = auth("paul")
    for path in ("", "/actions", "/history", "/steps", "/documents", "/checklist", "/tasks"):
        hidden = client.get(f"/applications/{theirs['number']}{path}", headers=paul)
        missing = client.get(f"/applications/{missing_number}{path}", headers=paul)
        assert hidden.status_code == missing.status_code == 404, path
        # the same sentence, naming what was asked for: never the id behind a number
        assert hidden.json()["error"]["message"] == f"application {theirs['number']!r} does not exist"
        assert missing.json()["error"]["message"] == f"application {missing_number!r} does not exist"
    hidden_by_id = client.get(f"/applications/{theirs['id']}", headers=paul)
    assert hidden_by_id.json()["error"]["message"] == f"application '{theirs['id']}' does not exist"
    assert client.get("/applications/999999", headers=paul).json()["error"]["message"] == (
        "application '999999' does not exist"
    )


def test_a_step_is_recorded_only_once_the_workflow_opened_it(
    ims: IMS, client: TestClient[Litestar], auth: Auth
) -> None:
    app = new_application(client, auth)
    report = {"summary": "Roof must be replaced.", "estimated_cost": 43000, "recommendation": "approve"}
    early = client.put(
        f"/applications/{app['id']}/steps/technical_report", json={"data": report}, headers=auth("sara")
    )
    assert early.status_code == 422, early.text
    error = early.json()["error"]
    assert error["code"] == "validation-failed"
    (problem,) = error["details"]["problems"]
    assert problem == (
        f"application {app['number']} has not opened it yet (it is in DRAFT; "
        "the workflow opens it on entering TECHNICAL_REVIEW or SOCIAL_REVIEW)"
    )
    assert client.get(f"/applications/{app['id']}/steps", headers=auth("sara")).json() == []
    assert client.get(f"/applications/{app['id']}", headers=auth("sara")).json()["version"] == app["version"]


def test_mass_assignment_is_refused(client: TestClient[Litestar], auth: Auth) -> None:
    app = new_application(client, auth)
    response = client.patch(
        f"/applications/{app['id']}/data", json={"data": {}, "state": "CLOSURE"}, headers=auth("fenna")
    )
    assert response.status_code == 400
    assert client.get(f"/applications/{app['id']}", headers=auth("fenna")).json()["state"] == "DRAFT"
    response = client.post(
        "/applications",
        json={"workflow": "bouwsubsidie", "data": {}, "state": "CLOSURE"},
        headers=auth("fenna"),
    )
    assert response.status_code == 400


def test_invalid_data_is_422_with_the_problems(client: TestClient[Litestar], auth: Auth) -> None:
    response = client.post(
        "/applications", json={"workflow": "bouwsubsidie", "data": {"nonsense": 1}}, headers=auth("fenna")
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation-failed"
    assert error["details"]["problems"]
    unknown = client.post("/applications", json={"workflow": "nope", "data": {}}, headers=auth("fenna"))
    assert unknown.status_code == 404


def test_an_applicant_sees_only_their_own_and_never_learns_of_others(
    client: TestClient[Litestar], auth: Auth
) -> None:
    mine = new_application(client, auth, applicant="paul")
    theirs = new_application(client, auth, applicant="pia")
    assert client.get(f"/applications/{mine['id']}", headers=auth("paul")).status_code == 200
    hidden = client.get(f"/applications/{theirs['id']}", headers=auth("paul"))
    missing = client.get("/applications/999999", headers=auth("paul"))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"]["code"] == missing.json()["error"]["code"] == "not-found"
    for path in ("actions", "history", "steps", "documents", "checklist", "tasks"):
        assert client.get(f"/applications/{theirs['id']}/{path}", headers=auth("paul")).status_code == 404, (
            path
        )
    transition = client.post(
        f"/applications/{theirs['id']}/transitions", json={"action": "submit"}, headers=auth("paul")
    )
    assert transition.status_code == 404
    listed = client.get("/applications", headers=auth("paul")).json()["items"]
    assert [a["id"] for a in listed] == [mine["id"]]
    assert {a["id"] for a in client.get("/applications", headers=auth("dirk")).json()["items"]} == {
        mine["id"],
        theirs["id"],
    }


def test_search_filters_sorts_and_pages(ims: IMS, client: TestClient[Litestar], auth: Auth) -> None:
    ids = [new_application(client, auth, first=f"Name{i}", full=i % 2 == 0)["id"] for i in range(7)]
    headers = auth("anna")
    everything = client.get("/applications", params={"sort": "id", "limit": 3}, headers=headers).json()
    assert [a["id"] for a in everything["items"]] == ids[:3]
    assert everything["has_more"] is True
    walked = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"sort": "-created_at", "limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/applications", params=params, headers=headers).json()
        walked += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(walked) == ids and len(walked) == len(set(walked))
    second = client.get("/applications", params={"sort": "id", "limit": 3, "page": 2}, headers=headers).json()
    assert [a["id"] for a in second["items"]] == ids[3:6]
    by_name = client.get("/applications", params={"q": "name3"}, headers=headers).json()["items"]
    assert [a["id"] for a in by_name] == [ids[3]]
    number = by_name[0]["number"]
    assert (
        client.get("/applications", params={"q": number}, headers=headers).json()["items"][0]["id"] == ids[3]
    )
    district = client.get("/applications", params={"district": "paramaribo"}, headers=headers).json()["items"]
    full = ims.applications.get(ids[0]).data["applicant"].get("district")
    assert {a["id"] for a in district} == (
        {ids[0], ids[2], ids[4], ids[6]} if full == "paramaribo" else set()
    )
    assert client.get("/applications", params={"state": "DRAFT", "priority": 3}, headers=headers).json()[
        "items"
    ]
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert client.get("/applications", params={"created_from": future}, headers=headers).json()["items"] == []
    assert client.get("/applications", params={"sort": "bogus"}, headers=headers).status_code == 400
    bad_cursor = client.get("/applications", params={"cursor": "!!!"}, headers=headers)
    assert bad_cursor.status_code == 400  # a malformed query parameter, like any other
    assert bad_cursor.json()["error"]["details"]["problems"][0]["key"] == "cursor"
    other_order = client.get("/applications", params={"sort": "id", "limit": 3}, headers=headers).json()
    wrong = client.get("/applications", params={"cursor": other_order["next_cursor"]}, headers=headers)
    assert wrong.status_code == 400  # a cursor of another sort order
    assert client.get("/applications", params={"q": "x\x00y"}, headers=headers).status_code in (200, 422)
