"""Many clients over real HTTP transitioning the same applications: one winner per version, the rest 409."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import httpx
from api_support import Auth, make_app, running_server

from ims import IMS
from ims.demo import applicant_data

CLIENTS = 12
APPLICATIONS = 3


def test_one_winner_per_version(ims: IMS, auth: Auth) -> None:
    apps = []
    for i in range(APPLICATIONS):
        app = ims.applications.create("bouwsubsidie", applicant_data(f"C{i}", "Doe"), actor="fenna")
        ims.documents.add(
            app.id, "national_declaration", "d.pdf", actor="fenna", content=f"%PDF-1.4 {i}".encode()
        )
        apps.append(ims.applications.get(app.id))
    headers = auth("fenna")
    with running_server(make_app(ims, rate_limit_per_minute=0)) as base:
        for app in apps:
            barrier = Barrier(CLIENTS)

            def attempt(
                _: int, app_id: int = app.id, version: int = app.version, barrier: Barrier = barrier
            ) -> int:
                with httpx.Client(base_url=base, timeout=30) as client:
                    barrier.wait()
                    response = client.post(
                        f"/applications/{app_id}/transitions",
                        json={"action": "submit"},
                        headers={**headers, "If-Match": f'"{version}"'},
                    )
                    return response.status_code

            with ThreadPoolExecutor(CLIENTS) as pool:
                statuses = list(pool.map(attempt, range(CLIENTS)))
            assert sorted(statuses) == [201] + [409] * (CLIENTS - 1), statuses
            after = ims.applications.get(app.id)
            assert after.state == "INTAKE_REVIEW"
            assert after.version == app.version + 1
            submits = [e for e in ims.workflow.history(app.id) if e.action == "submit"]
            assert len(submits) == 1
    assert ims.audit.verify().broken == []
