"""Helpers of the HTTP API tests (the fixtures are in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from ims import IMS
from ims.api import create_app
from ims.demo import applicant_data

REPO = Path(__file__).resolve().parents[2]
REFERENCE_CONFIG = REPO / "config" / "ims.yaml"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
#: a minimal JPEG (SOI, JFIF APP0, EOI): enough for the type to be sniffed
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"

Headers = dict[str, str]
Auth = Callable[[str], Headers]


def make_app(ims: IMS, **api: Any) -> Litestar:
    """The app with API settings changed for a test (no identity cache: changes show at once)."""
    settings = ims.config.settings.api.model_copy(update=api)
    return create_app(ims, settings=settings, identity_cache_seconds=0)


def new_application(
    client: TestClient[Litestar],
    auth: Auth,
    *,
    applicant: str = "paul",
    full: bool = False,
    first: str = "Maria",
) -> dict[str, Any]:
    data = applicant_data(first, "Doe") if full else {"applicant": {"first_name": first, "last_name": "Doe"}}
    response = client.post(
        "/applications",
        json={"workflow": "bouwsubsidie", "data": data, "applicant": applicant},
        headers=auth("fenna"),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@contextmanager
def running_server(app: Litestar) -> Iterator[str]:
    """``app`` on a real uvicorn server on loopback (a free port), in a thread; yields its base URL."""
    import threading
    import time

    import uvicorn

    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
