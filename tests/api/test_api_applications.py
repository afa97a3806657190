"""Applications over HTTP: create, read, update data, search; role by role; 404 not 403."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api_support import Auth, new_application
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
    assert bad_cursor.status_code == 422
    assert client.get("/applications", params={"q": "x\x00y"}, headers=headers).status_code in (200, 422)
