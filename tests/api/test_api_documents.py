"""Documents over HTTP: multipart upload with 413/415, list, verify/reject by role, signed download."""

from __future__ import annotations

from api_support import PDF, Auth, make_app, new_application
from litestar import Litestar
from litestar.testing import TestClient

from ims import IMS


def _upload(
    client: TestClient[Litestar],
    auth: Auth,
    app_id: int,
    content: bytes,
    name: str = "a.pdf",
    user: str = "fenna",
    doc_type: str = "plot_map",
) -> dict:  # type: ignore[type-arg]
    response = client.post(
        f"/applications/{app_id}/documents",
        data={"document_type": doc_type},
        files={"file": (name, content, "application/pdf")},
        headers=auth(user),
    )
    return {**response.json(), "http": response.status_code}


def test_upload_list_verify_download(ims: IMS, client: TestClient[Litestar], auth: Auth) -> None:
    app = new_application(client, auth)
    uploaded = _upload(client, auth, app["id"], PDF)
    assert uploaded["http"] == 201
    assert uploaded["mime_type"] == "application/pdf"
    assert len(uploaded["sha256"]) == 64
    listed = client.get(f"/applications/{app['id']}/documents", headers=auth("paul")).json()
    assert [d["id"] for d in listed] == [uploaded["id"]]
    assert client.post(f"/documents/{uploaded['id']}/verify", headers=auth("carlos")).status_code == 403
    assert client.post(f"/documents/{uploaded['id']}/verify", headers=auth("paul")).status_code == 403
    verified = client.post(f"/documents/{uploaded['id']}/verify", headers=auth("fenna"))
    assert verified.json()["status"] == "VERIFIED"
    rejected = client.post(
        f"/documents/{uploaded['id']}/reject", json={"reason": "blurred"}, headers=auth("sara")
    )
    assert rejected.json()["status"] == "REJECTED"
    assert (
        client.post(f"/documents/{uploaded['id']}/reject", json={}, headers=auth("sara")).status_code == 400
    )
    link = client.post(f"/documents/{uploaded['id']}/download-link", headers=auth("paul")).json()
    download = client.get(link["url"])  # no credentials: the link is the capability
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"].startswith("application/pdf")
    assert client.get("/documents/download/forged.token.value").status_code == 403
    missing = client.post(
        f"/applications/{app['id']}/documents/missing",
        json={"document_type": "pension_statement", "reason": "not a pensioner"},
        headers=auth("fenna"),
    )
    assert missing.status_code == 201 and missing.json()["status"] == "MISSING"


def test_oversize_is_413_and_wrong_type_is_415(client: TestClient[Litestar], auth: Auth) -> None:
    app = new_application(client, auth)
    too_big = _upload(client, auth, app["id"], PDF + b"0" * 10_000_001)
    assert too_big["http"] == 413
    assert too_big["error"]["code"] == "too-large"
    exe = _upload(client, auth, app["id"], b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, name="plot.pdf")
    assert exe["http"] == 415
    assert exe["error"]["code"] == "unsupported-type"
    html = _upload(client, auth, app["id"], b"<!DOCTYPE html><html><body>x</body></html>", name="plot.pdf")
    assert html["http"] == 415
    duplicate = _upload(client, auth, app["id"], PDF)
    assert duplicate["http"] == 201
    assert _upload(client, auth, app["id"], PDF)["http"] == 409


def test_a_body_over_the_request_limit_is_413_before_it_is_read(ims: IMS, auth: Auth) -> None:
    with TestClient(make_app(ims, rate_limit_per_minute=0, max_request_body_mb=0.001)) as c:
        app = c.post(
            "/applications",
            json={"workflow": "bouwsubsidie", "data": {"applicant": {"first_name": "A", "last_name": "B"}}},
            headers=auth("fenna"),
        ).json()
        response = _upload(c, auth, app["id"], PDF + b"0" * 5000)
        assert response["http"] == 413


def test_documents_of_hidden_applications_are_404(client: TestClient[Litestar], auth: Auth) -> None:
    theirs = new_application(client, auth, applicant="pia")
    doc = _upload(client, auth, theirs["id"], PDF)
    for method, path in (
        ("GET", f"/documents/{doc['id']}"),
        ("POST", f"/documents/{doc['id']}/download-link"),
    ):
        assert client.request(method, path, headers=auth("paul")).status_code == 404
    assert client.get(f"/documents/{doc['id']}", headers=auth("pia")).status_code == 200
    upload = _upload(client, auth, theirs["id"], PDF + b"1", user="paul")
    assert upload["http"] == 404
