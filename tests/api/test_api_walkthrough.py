"""The walkthrough of docs/http-api.md, step by step: an application from DRAFT to CLOSURE over HTTP.

Each step is the request the document shows with curl (same method, path and body).
"""

from __future__ import annotations

from typing import Any

from api_support import JPEG, PDF, Auth
from litestar import Litestar
from litestar.testing import TestClient

from ims import IMS
from ims.demo import REQUIRED_ALWAYS, applicant_data


def _do(client: TestClient[Litestar], auth: Auth, app_id: int, user: str, action: str, **extra: Any) -> None:
    version = client.get(f"/applications/{app_id}", headers=auth(user)).headers["etag"]
    response = client.post(
        f"/applications/{app_id}/transitions",
        json={"action": action, **extra},
        headers={**auth(user), "If-Match": version},
    )
    assert response.status_code == 201, (action, response.text)


def _upload(
    client: TestClient[Litestar], auth: Auth, app_id: int, user: str, doc_type: str, name: str
) -> int:
    content = JPEG + name.encode() if name.endswith(".jpg") else PDF + name.encode()
    response = client.post(
        f"/applications/{app_id}/documents",
        data={"document_type": doc_type},
        files={"file": (name, content, "application/octet-stream")},
        headers=auth(user),
    )
    assert response.status_code == 201, (doc_type, response.text)
    doc_id: int = response.json()["id"]
    return doc_id


def _step(client: TestClient[Litestar], auth: Auth, app_id: int, user: str, step: str, data: Any) -> None:
    response = client.put(f"/applications/{app_id}/steps/{step}", json={"data": data}, headers=auth(user))
    assert response.status_code == 200, (step, response.text)


def test_draft_to_closure_over_http(ims: IMS, client: TestClient[Litestar], auth: Auth) -> None:
    # 1. fenna (front office) creates the draft for paul
    created = client.post(
        "/applications",
        json={
            "workflow": "bouwsubsidie",
            "data": {"applicant": {"first_name": "Maria", "last_name": "Doe"}},
            "applicant": "paul",
        },
        headers=auth("fenna"),
    )
    assert created.status_code == 201
    app_id = created.json()["id"]

    # 2. submit is blocked, and the actions say why
    actions = client.get(f"/applications/{app_id}/actions", headers=auth("fenna")).json()
    submit = next(a for a in actions if a["action"] == "submit")
    assert submit["allowed"] is False and submit["reasons"]
    refused = client.post(
        f"/applications/{app_id}/transitions", json={"action": "submit"}, headers=auth("fenna")
    )
    assert refused.status_code == 422 and refused.json()["error"]["details"]["reasons"]

    # 3. complete the data, upload the declaration, submit
    patch = client.patch(
        f"/applications/{app_id}/data", json={"data": applicant_data("Maria", "Doe")}, headers=auth("fenna")
    )
    assert patch.status_code == 200
    _upload(client, auth, app_id, "fenna", "national_declaration", "national_declaration.pdf")
    _do(client, auth, app_id, "fenna", "submit")

    # 4. the other required documents, then intake review passes
    for doc_type in (*REQUIRED_ALWAYS[1:], "pay_slip", "employer_declaration"):
        _upload(client, auth, app_id, "fenna", doc_type, f"{doc_type}.pdf")
    checklist = client.get(f"/applications/{app_id}/checklist", headers=auth("fenna")).json()
    assert all(item["status"] != "MISSING" for item in checklist if item["required"])
    _do(client, auth, app_id, "fenna", "accept_intake")

    # 5. anna assigns the control officer and the visit date, schedules the visit
    patch = client.patch(
        f"/applications/{app_id}/data",
        json={"data": {"control_officer": "carlos", "visit_date": "2026-12-02"}},
        headers=auth("anna"),
    )
    assert patch.status_code == 200, patch.text
    _do(client, auth, app_id, "anna", "schedule_visit")

    # 6. carlos visits, records it, uploads four photos
    _do(client, auth, app_id, "carlos", "start_visit")
    visit = {"visit_date": "2026-12-02", "completed": True, "findings": "Roof leaks.", "photo_count": 4}
    _step(client, auth, app_id, "carlos", "control_visit", visit)
    for i in range(4):
        _upload(client, auth, app_id, "carlos", "photo", f"site-{i + 1}.jpg")
    _do(client, auth, app_id, "carlos", "to_technical_review")

    # 7. sara writes both reports; every document is verified; to the director
    technical = {"summary": "Roof must be replaced.", "estimated_cost": 43000, "recommendation": "approve"}
    _step(client, auth, app_id, "sara", "technical_report", technical)
    _do(client, auth, app_id, "sara", "to_social_review")
    social = {"summary": "Household of five in two rooms.", "household_size": 5, "recommendation": "approve"}
    _step(client, auth, app_id, "sara", "social_report", social)
    for doc in client.get(f"/applications/{app_id}/documents", headers=auth("sara")).json():
        verified = client.post(f"/documents/{doc['id']}/verify", headers=auth("sara"))
        assert verified.status_code == 200, verified.text
    _do(client, auth, app_id, "sara", "to_director")

    # 8. the director recommends, the minister approves
    _step(
        client,
        auth,
        app_id,
        "dirk",
        "director_recommendation",
        {"recommendation": "approve", "recommended_amount": 43000},
    )
    _do(client, auth, app_id, "dirk", "recommend")
    _step(
        client, auth, app_id, "mina", "minister_decision", {"decision": "approve", "amount_approved": 43000}
    )
    _do(client, auth, app_id, "mina", "approve")

    final = client.get(f"/applications/{app_id}", headers=auth("paul")).json()
    assert final["state"] == "CLOSURE"
    history = client.get(f"/applications/{app_id}/history", headers=auth("paul")).json()
    assert history[-1]["to_state"] == "CLOSURE"
    assert any(n["event"] for n in client.get("/inbox", headers=auth("paul")).json())
    assert ims.audit.verify().broken == []
