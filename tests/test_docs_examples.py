"""The examples of docs/plugins.md work: each file is loaded into an IMS and exercised.

tests/test_docs.py checks that docs/plugins.md shows these files as they are.
"""

from __future__ import annotations

import importlib.util
import io
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from hooks_support import build, deployment, ready_draft
from ims import PermissionDenied, TransitionRefused
from ims.hooks.protocols import Channel, DeliveryError, DocumentStore, OutgoingMessage, ReportParams
from ims.rules import Actor, EvalContext, Snapshot, evaluate, parse_condition
from ims.testing.files import pdf
from ims.testing.stores import DocumentStoreConformance

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples" / "plugins"


def load_example(name: str) -> ModuleType:
    """Import docs/examples/plugins/<name>.py as a fresh module (as a plugins/ file is)."""
    spec = importlib.util.spec_from_file_location(f"docs_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ims.db'}"


def test_every_example_is_tested() -> None:
    tested = {
        name.removeprefix("test_").split("_example")[0] for name in globals() if name.startswith("test_")
    }
    for path in EXAMPLES.glob("*.py"):
        assert path.stem in tested, f"docs/examples/plugins/{path.name} has no test_{path.stem}_example"


# --------------------------------------------------------------------------- register_predicates


def test_district_limit_example(url: str, tmp_path: Path) -> None:
    with build(url, tmp_path, load_example("district_limit")) as ims:
        predicates = ims.runtime.engine.predicates
        assert "within_district_limit" in predicates
        rule = parse_condition(
            {
                "predicate": "within_district_limit",
                "args": {"default": 60000, "limits": {"sipaliwini": 90000}},
            }
        )

        def failures(district: str, amount: int, language: str) -> list[str]:
            snapshot = Snapshot(
                workflow="bouwsubsidie",
                state="DRAFT",
                previous_state=None,
                data={"applicant": {"district": district}, "requested_amount": amount},
                documents=(),
                steps={},
                state_entered_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
            ctx = EvalContext(
                snapshot, None, datetime(2026, 1, 2, tzinfo=UTC), ims.config, predicates, language=language
            )
            return [f.message for f in evaluate(rule, ctx)]

        assert failures("sipaliwini", 80000, "en") == []
        assert failures("wanica", 80000, "en") == [
            "the requested amount 80000 is above the limit of 60000 for this district"
        ]
        assert failures("wanica", 80000, "nl") == [
            "het gevraagde bedrag 80000 is hoger dan het maximum van 60000 voor dit district"
        ]


# --------------------------------------------------------------------------- register_channels


class _Receiver(BaseHTTPRequestHandler):
    status = 200
    received: list[tuple[dict[str, str], Any]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, type[_Receiver]]]:
    handler = type("Receiver", (_Receiver,), {"received": [], "status": 200})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hooks/ims", handler
    finally:
        server.shutdown()
        server.server_close()


def test_webhook_channel_example(url: str, tmp_path: Path, webhook: tuple[str, type[_Receiver]]) -> None:
    endpoint, receiver = webhook
    module = load_example("webhook_channel")
    with build(url, tmp_path, module) as ims:
        channels: list[Channel] = []
        settings = {"office_chat": {"plugin": "webhook", "url": endpoint}, "email": {"plugin": "apprise"}}
        ims.plugins.hook.register_channels(register=channels.append, ims=ims, settings=settings)
        mine = [c for c in channels if isinstance(c, module.WebhookChannel)]
        assert [c.name for c in mine] == ["office_chat"]
        channel = mine[0]
        assert isinstance(channel, Channel)

        message = OutgoingMessage(
            id=7,
            idempotency_key="app1-v2:state_entered:INTAKE_REVIEW:fenna:office_chat",
            channel="office_chat",
            event="state_entered",
            template="state_entered",
            subject="BS-2026-000001: Intakecontrole",
            body="De aanvraag wacht op controle.",
            recipient="fenna",
            address=None,
            language="nl",
            application_number="BS-2026-000001",
        )
        channel.send(message)
        headers, body = receiver.received[-1]
        assert headers["Idempotency-Key"] == message.idempotency_key
        assert body == {
            "event": "state_entered",
            "subject": "BS-2026-000001: Intakecontrole",
            "body": "De aanvraag wacht op controle.",
            "recipient": "fenna",
            "application": "BS-2026-000001",
        }

        receiver.status = 503
        with pytest.raises(DeliveryError, match="HTTP 503") as temporary:
            channel.send(message)
        assert not temporary.value.permanent
        receiver.status = 404
        with pytest.raises(DeliveryError) as permanent:
            channel.send(message)
        assert permanent.value.permanent
        with pytest.raises(DeliveryError, match="unreachable") as down:
            module.WebhookChannel("down", "http://127.0.0.1:9/", timeout=2).send(message)
        assert "127.0.0.1" not in str(down.value)


# --------------------------------------------------------------------------- register_document_stores


class TestDirectoryStoreConformance(DocumentStoreConformance):
    """The example store keeps the contract every store must keep."""

    @pytest.fixture
    def document_store(self, tmp_path: Path) -> DocumentStore:
        store: DocumentStore = load_example("directory_store").DirectoryStore(tmp_path / "blobs")
        return store


def test_directory_store_example(url: str, tmp_path: Path) -> None:
    module = load_example("directory_store")
    config = deployment(
        tmp_path / "deployment", document_store="directory", document_stores={"directory": {"root": "blobs"}}
    )
    with build(url, tmp_path, module, config=config) as ims:
        assert isinstance(ims.documents.store, module.DirectoryStore)
        number = ready_draft(ims)
        doc = ims.documents.upload(number, "plot_map", "plot.pdf", io.BytesIO(pdf()), actor="fenna")
        assert (tmp_path / "data" / "blobs" / doc.sha256).read_bytes() == pdf()
        token = ims.documents.download_token(doc.id, actor="fenna")
        _, stream = ims.documents.open_download(token)
        with stream:
            assert stream.read() == pdf()


# --------------------------------------------------------------------------- register_reports


def test_documents_report_example(url: str, tmp_path: Path) -> None:
    clock_now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with build(url, tmp_path, load_example("documents_report"), clock=lambda: clock_now) as ims:
        assert ("documents_by_status", "Documents by type and status") in ims.reports.list()
        number = ready_draft(ims)
        ims.documents.add(number, "plot_map", "plot.pdf", actor="fenna", content=b"%PDF-1.4 plot")
        plot = next(d for d in ims.documents.list(number) if d.document_type == "plot_map")
        ims.documents.verify(plot.id, actor="anna")

        result = ims.reports.run("documents_by_status", ReportParams(workflow="bouwsubsidie"))
        assert result.columns == ("document_type", "status", "count")
        assert result.rows == (("national_declaration", "PENDING", 1), ("plot_map", "VERIFIED", 1))
        assert result.title == "Documents by type and status"
        svg = ims.reports.render("documents_by_status", ReportParams(workflow="bouwsubsidie"), format="svg")
        assert isinstance(svg, bytes) and b"plot_map" in svg
        assert ims.reports.run("documents_by_status", ReportParams(workflow="other")).rows == ()
        later = ReportParams(date_from=clock_now + timedelta(days=1))
        assert ims.reports.run("documents_by_status", later).rows == ()


# --------------------------------------------------------------------------- before_transition


def test_amount_cap_example(url: str, tmp_path: Path) -> None:
    config = deployment(tmp_path / "deployment", plugins={"amount_cap": {"max_amount": 40000}})
    with build(url, tmp_path, load_example("amount_cap"), config=config) as ims:
        number = ready_draft(ims)  # asks 45000
        with pytest.raises(TransitionRefused) as refused:
            ims.workflow.transition(number, "submit", actor="fenna")
        assert refused.value.reasons == ["the requested amount 45000 is more than the budget of 40000 allows"]
        assert ims.applications.get(number).state == "DRAFT"
        ims.applications.update_data(number, {"requested_amount": 40000}, actor="fenna")
        assert ims.workflow.transition(number, "submit", actor="fenna").to_state == "INTAKE_REVIEW"


# --------------------------------------------------------------------------- after_transition


def test_transition_log_example(url: str, tmp_path: Path) -> None:
    with build(url, tmp_path, load_example("transition_log")) as ims:
        number = ready_draft(ims)
        result = ims.workflow.transition(number, "submit", actor="fenna")
        lines = (tmp_path / "data" / "transitions.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {
            "number": number,
            "actor": "fenna",
            "id": result.event_id,
            "action": "submit",
            "from_state": "DRAFT",
            "to_state": "INTAKE_REVIEW",
            "reason": None,
            "comment": None,
            "at": result.application.state_entered_at.isoformat(),
        }
    ]


# --------------------------------------------------------------------------- resolve_actor


def test_proxy_identity_example(url: str, tmp_path: Path) -> None:
    with build(url, tmp_path, load_example("proxy_identity")) as ims:
        erik = ims.identity.resolve(
            {"type": "proxy", "user": "erik", "groups": ["ims-front-office", "staff"]}
        )
        assert erik == Actor("erik", frozenset({"front_office"}))
        with pytest.raises(PermissionDenied):
            ims.identity.resolve({"type": "proxy", "user": "eve", "groups": ["staff"]})
        assert ims.identity.resolve({"type": "user", "username": "fenna"}).roles == {"front_office"}

        number = ready_draft(ims)
        assert ims.workflow.transition(number, "submit", actor=erik).to_state == "INTAKE_REVIEW"
        assert ims.workflow.history(number)[-1].actor == "erik"
