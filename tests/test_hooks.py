"""Every hook spec has a test named ``test_hook_<name>``; plugins load from entry points and files."""

from __future__ import annotations

import importlib.metadata
import inspect
import logging
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import pytest
from sqlalchemy import func, select

from hooks_support import REFERENCE, build, deployment, ready_draft
from ims import IMS, NotFound, PermissionDenied, TransitionRefused
from ims.errors import ConfigError
from ims.facade import load_everything
from ims.hooks import hookimpl, specs
from ims.hooks.manager import (
    PluginLoadError,
    call_each,
    call_each_logged,
    describe_plugins,
    make_plugin_manager,
)
from ims.hooks.protocols import Channel, ReportParams, ReportResult, StoredBlob
from ims.rules import Actor
from ims.store.models import AuditLog, User, WorkflowEvent

PLUGINS = Path(__file__).parent / "plugins"


@pytest.fixture
def ims(db_url: str, tmp_path: Path) -> Iterator[IMS]:
    """The reference deployment on each test database, a user per role."""
    instance = build(db_url, tmp_path)
    try:
        yield instance
    finally:
        instance.close()


@contextmanager
def registered(ims: IMS, *plugins: object) -> Iterator[None]:
    """Register plugin objects for the duration of the block (hooks called at run time)."""
    names = [ims.plugins.register(p, name=f"{type(p).__name__.lower()}-{i}") for i, p in enumerate(plugins)]
    try:
        yield
    finally:
        for name in names:
            ims.plugins.unregister(name=name)


def counts(ims: IMS) -> tuple[int, int]:
    """History events and audit rows: what a transition writes."""
    with ims.runtime.sessions() as s:
        events = s.scalar(select(func.count()).select_from(WorkflowEvent))
        audits = s.scalar(select(func.count()).select_from(AuditLog))
    return int(events or 0), int(audits or 0)


def test_every_hook_has_a_test() -> None:
    module = sys.modules[__name__]
    for name, fn in inspect.getmembers(specs, inspect.isfunction):
        if hasattr(fn, "ims_spec"):
            assert hasattr(module, f"test_hook_{name}"), f"no test_hook_{name}"


def test_hook_register_predicates(tmp_path: Path) -> None:
    from ims.config import load
    from ims.engine import Actor, Engine, Snapshot

    pm = make_plugin_manager(PLUGINS, env={"IMS_LOAD_PLUGINS": ""})
    found: dict[str, object] = {}
    pm.hook.register_predicates(register=lambda n, f: found.setdefault(n, f), ims=None)
    assert {"income_below", "age_at_least"} <= set(found)

    root = tmp_path / "ims.yaml"
    root.write_text(
        """version: 1
roles: {roles: {clerk: {}}}
reference: {}
workflows:
  - name: grant
    initial_state: OPEN
    states: {OPEN: {}, DONE: {final: true}}
    transitions:
      - name: finish
        from: OPEN
        to: DONE
        when: {predicate: income_below, args: {limit: 1000}}
"""
    )
    with pytest.raises(ConfigError, match="unknown-predicate"):
        load(root, known_predicates={"age_at_least"})
    config = load(root, known_predicates=set(found))
    engine = Engine(config, found)  # type: ignore[arg-type]
    now = datetime(2026, 1, 1, tzinfo=UTC)

    def snap(income: int) -> Snapshot:
        return Snapshot(
            workflow="grant",
            state="OPEN",
            previous_state=None,
            data={"applicant": {"income": income}},
            documents=(),
            steps={},
            state_entered_at=now,
        )

    clerk = Actor("c", frozenset({"clerk"}))
    assert engine.decide(snap(900), clerk, "finish", now=now).allowed
    refused = engine.decide(snap(1500), clerk, "finish", now=now)
    assert refused.reasons == ["household income must be at most 1000 (is 1500)"]


def test_plugins_report_where_they_come_from() -> None:
    pm = make_plugin_manager(PLUGINS, env={"IMS_LOAD_PLUGINS": ""})
    info = {p.name: p for p in describe_plugins(pm)}
    assert info["ims.default_plugins.predicates"].source == "built in"
    local = info["age_and_income"]
    assert local.source.startswith("file ")
    assert local.hooks == ("register_predicates",)


def test_a_broken_plugin_file_is_reported_by_name(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import does_not_exist\n")
    with pytest.raises(PluginLoadError, match=r"broken\.py failed to load: ModuleNotFoundError"):
        make_plugin_manager(tmp_path, env={"IMS_LOAD_PLUGINS": ""})


def test_registered_class_plugins_are_found() -> None:
    pm = make_plugin_manager(None, env={"IMS_LOAD_PLUGINS": ""})

    class Extra:
        @hookimpl
        def register_predicates(self, register):  # type: ignore[no-untyped-def]
            register("always", lambda ctx, args: None)

    pm.register(Extra(), name="extra")
    try:
        names: list[str] = []
        pm.hook.register_predicates(register=lambda n, f: names.append(n), ims=None)
        assert "always" in names
    finally:
        pm.unregister(name="extra")


# --------------------------------------------------------------------------- calling hooks one by one


class _Fails:
    @hookimpl
    def register_predicates(self, register: Any) -> None:
        limits: dict[str, int] = {}
        register("never", lambda ctx, args: limits["limit"])
        raise KeyError("limit")


def test_a_failing_registration_names_the_plugin_and_the_hook() -> None:
    with pytest.raises(PluginLoadError) as failed:
        load_everything(REFERENCE, env={"IMS_LOAD_PLUGINS": ""}, extra_plugins=[_Fails()])
    assert str(failed.value) == "plugin '_Fails' failed in register_predicates: KeyError: 'limit'"
    assert isinstance(failed.value.__cause__, KeyError)


def test_call_each_runs_in_pluggy_order_and_keeps_wrappers() -> None:
    pm = make_plugin_manager(None, env={"IMS_LOAD_PLUGINS": ""})
    calls: list[str] = []

    class First:
        @hookimpl(tryfirst=True)
        def register_reports(self) -> str:
            calls.append("first")
            return "first"

    class Later:
        @hookimpl
        def register_reports(self) -> str:
            calls.append("later")
            return "later"

    class Around:
        @hookimpl(wrapper=True)
        def register_reports(self) -> Iterator[None]:
            calls.append("(")
            result = yield
            calls.append(")")
            return result  # type: ignore[no-any-return]

    for plugin in (First(), Later(), Around()):
        pm.register(plugin)
    results = call_each(pm, "register_reports", register=lambda r: None, ims=None)
    assert results[:2] == ["first", "later"]
    assert calls[:6] == ["(", "first", ")", "(", "later", ")"]


def test_call_each_logged_logs_and_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    pm = make_plugin_manager(None, env={"IMS_LOAD_PLUGINS": ""})
    seen: list[str] = []

    class Good:
        @hookimpl
        def after_transition(self, event: Mapping[str, Any]) -> None:
            seen.append(event["action"])

    class Bad:
        @hookimpl
        def after_transition(self) -> None:
            raise RuntimeError("index down")

    pm.register(Good(), name="good")
    pm.register(Bad(), name="bad")  # called first: registered last
    with caplog.at_level(logging.ERROR, logger="ims.hooks"):
        call_each_logged(
            pm, "after_transition", ims=None, application=None, actor=None, event={"action": "x"}
        )
    assert seen == ["x"]
    assert [r.getMessage() for r in caplog.records] == [
        "plugin 'bad' failed in after_transition: RuntimeError: index down"
    ]


def test_host_application_plugins_are_registered_once() -> None:
    from ims.default_plugins import predicates

    class Mine:
        @hookimpl
        def register_predicates(self, register: Any) -> None:
            register("mine", lambda ctx, args: None)

    mine = Mine()
    pm = make_plugin_manager(None, env={"IMS_LOAD_PLUGINS": ""}, extra=[mine, predicates])
    info = {p.name: p for p in describe_plugins(pm)}
    assert info["Mine"].source == "passed by the host application"
    assert pm.get_name(predicates) == "ims.default_plugins.predicates"  # already loaded: kept as built in


def test_an_installed_plugin_package_is_found_by_its_entry_point() -> None:
    try:
        importlib.metadata.distribution("ims-income")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("the example package is not installed: pip install -e examples/ims-income")
    loaded = {p.name: p for p in describe_plugins(make_plugin_manager(None, env={}))}
    assert loaded["income"].source.startswith("entry point ims_income (ims-income)")
    for selection, expected in [("", False), ("income", True), ("ims-income", True), ("other", False)]:
        pm = make_plugin_manager(None, env={"IMS_LOAD_PLUGINS": selection})
        assert pm.has_plugin("income") is expected, selection


# --------------------------------------------------------------------------- registration hooks


class _Recorder:
    """Remembers the arguments of the registration hooks it implements."""

    def __init__(self) -> None:
        self.calls: dict[str, dict[str, Any]] = {}

    @hookimpl
    def register_channels(self, register: Any, ims: Any, settings: Any) -> None:
        self.calls["register_channels"] = {"register": register, "ims": ims, "settings": settings}

    @hookimpl
    def register_document_stores(self, register: Any, ims: Any) -> None:
        self.calls["register_document_stores"] = {"register": register, "ims": ims}

    @hookimpl
    def register_reports(self, register: Any, ims: Any) -> None:
        self.calls["register_reports"] = {"register": register, "ims": ims}


def test_hook_register_channels(tmp_path: Path) -> None:
    class Null:
        name = "null"

        def send(self, message: Any) -> None:
            pass

    recorder = _Recorder()
    with build(f"sqlite:///{tmp_path / 'ims.db'}", tmp_path, recorder) as ims:
        call = recorder.calls.get("register_channels")
        assert call is not None, "register_channels is not called while the IMS is built"
        assert call["ims"] is ims
        assert isinstance(call["settings"], Mapping)
        assert isinstance(Null(), Channel)
        call["register"](Null())  # accepted


def test_hook_register_document_stores(tmp_path: Path) -> None:
    class MemoryStore:
        name = "memory"

        def __init__(self, label: str) -> None:
            self.label = label
            self.blobs: dict[str, bytes] = {}

        def put(self, stream: IO[bytes], *, sha256: str, size: int) -> StoredBlob:
            self.blobs[sha256] = stream.read()
            return StoredBlob(sha256, sha256, size)

        def open(self, key: str) -> IO[bytes]:
            import io

            return io.BytesIO(self.blobs[key])

        def exists(self, key: str) -> bool:
            return key in self.blobs

        def delete(self, key: str) -> None:
            self.blobs.pop(key, None)

        def keys(self) -> Iterator[str]:
            return iter(list(self.blobs))

    class Memory:
        @hookimpl
        def register_document_stores(self, register: Any, ims: Any) -> None:
            assert ims.config is not None
            register("memory", lambda options: MemoryStore(**options))

    recorder = _Recorder()
    config = deployment(
        tmp_path / "deployment", document_store="memory", document_stores={"memory": {"label": "x"}}
    )
    with build(f"sqlite:///{tmp_path / 'ims.db'}", tmp_path, Memory(), recorder, config=config) as ims:
        assert recorder.calls["register_document_stores"]["ims"] is ims
        assert isinstance(ims.documents.store, MemoryStore)
        assert ims.documents.store.label == "x"
        number = ready_draft(ims)
        doc = ims.documents.list(number)[0]
        assert ims.documents.store.exists(doc.sha256 or "")


def test_hook_register_reports(tmp_path: Path) -> None:
    class UserCount:
        name = "user_count"
        title = "Users"

        def run(self, ims: IMS, params: ReportParams) -> ReportResult:
            with ims.runtime.sessions() as s:
                n = s.scalar(select(func.count()).select_from(User))
            return ReportResult(("users",), ((n,),))

    class Reports:
        @hookimpl
        def register_reports(self, register: Any, ims: Any) -> None:
            assert ims is not None
            register(UserCount())

    recorder = _Recorder()
    with build(f"sqlite:///{tmp_path / 'ims.db'}", tmp_path, Reports(), recorder) as ims:
        assert recorder.calls["register_reports"]["ims"] is ims
        assert ("user_count", "Users") in ims.reports.list()
        assert ("applications_by_state", "Applications by workflow and state") in ims.reports.list()
        result = ims.reports.run("user_count")
        assert result == ReportResult(("users",), ((8,),), "Users")  # the title defaults to the report's
        assert ims.reports.render("user_count", format="csv") == "users\n8\n"  # rendered like a built-in
        known = r"no report 'nope' \(known: applications_by_state, .*, user_count, "
        with pytest.raises(NotFound, match=known):
            ims.reports.run("nope")

    class Twice:
        @hookimpl
        def register_reports(self, register: Any) -> None:
            register(UserCount())
            register(UserCount())

    with pytest.raises(
        PluginLoadError, match="plugin 'Twice' failed in register_reports: ValueError: a report"
    ):
        build(f"sqlite:///{tmp_path / 'other.db'}", tmp_path, Twice())


# --------------------------------------------------------------------------- transition hooks


def test_hook_before_transition(ims: IMS) -> None:
    number = ready_draft(ims)
    before = ims.applications.get(number)
    written = counts(ims)
    seen: list[tuple[Any, ...]] = []

    class Budget:
        @hookimpl
        def before_transition(self, ims: Any, application: Any, actor: Actor, decision: Any) -> str:
            seen.append((ims, application.state, application.version, actor.username, decision.to_state))
            return "the budget for 2026 is spent"

    class Quiet:
        @hookimpl
        def before_transition(self, application: Any) -> None:
            seen.append(("quiet", application.number))

    class Closed:
        @hookimpl
        def before_transition(self) -> str:
            return "the office is closed today"

    with registered(ims, Budget(), Quiet(), Closed()), pytest.raises(TransitionRefused) as refused:
        ims.workflow.transition(number, "submit", actor="fenna")
    assert sorted(refused.value.reasons) == ["the budget for 2026 is spent", "the office is closed today"]
    assert refused.value.state == "DRAFT"
    assert (ims, "DRAFT", before.version, "fenna", "INTAKE_REVIEW") in seen
    assert ("quiet", number) in seen  # every implementation runs
    assert ims.applications.get(number) == before
    assert counts(ims) == written  # nothing written

    class Broken:
        @hookimpl
        def before_transition(self) -> None:
            raise RuntimeError("rates service down")

    with registered(ims, Broken()), pytest.raises(RuntimeError, match="rates service down"):
        ims.workflow.transition(number, "submit", actor="fenna")
    assert counts(ims) == written

    with registered(ims, Quiet()):
        assert ims.workflow.transition(number, "submit", actor="fenna").to_state == "INTAKE_REVIEW"


def test_hook_after_transition(ims: IMS, caplog: pytest.LogCaptureFixture) -> None:
    number = ready_draft(ims)
    events: list[tuple[Any, ...]] = []

    class Observer:
        @hookimpl
        def after_transition(
            self, ims: IMS, application: Any, actor: Actor, event: Mapping[str, Any]
        ) -> None:
            committed = ims.applications.get(application.number)  # a new transaction sees the change
            events.append((application, actor.username, dict(event), committed.state))

    class Broken:
        @hookimpl
        def after_transition(self) -> None:
            raise RuntimeError("search index down")

    # Broken is registered last, so it runs first: its failure must not stop Observer
    with registered(ims, Observer(), Broken()), caplog.at_level(logging.ERROR, logger="ims.hooks"):
        result = ims.workflow.transition(number, "submit", actor="fenna", comment="complete")
        with pytest.raises(TransitionRefused):
            ims.workflow.transition(number, "accept_intake", actor="fenna")  # refused: no event
        with ims.runtime.sessions.begin() as session:  # the caller owns the commit: no event
            ims.workflow.transition(number, "reject", actor="fenna", reason="duplicate", session=session)

    assert len(events) == 1
    application, username, event, committed_state = events[0]
    assert application == result.application
    assert (username, committed_state) == ("fenna", "INTAKE_REVIEW")
    assert event == {
        "id": result.event_id,
        "action": "submit",
        "from_state": "DRAFT",
        "to_state": "INTAKE_REVIEW",
        "reason": None,
        "comment": "complete",
        "at": event["at"],
    }
    assert event["at"].tzinfo is not None
    assert ims.applications.get(number).state == "REJECTED"
    assert [r.getMessage() for r in caplog.records] == [
        "plugin 'broken-1' failed in after_transition: RuntimeError: search index down"
    ]


# --------------------------------------------------------------------------- identity


def test_hook_resolve_actor(ims: IMS) -> None:
    assert ims.identity.resolve({"type": "user", "username": "fenna"}) == Actor(
        "fenna", frozenset({"front_office"})
    )
    with pytest.raises(PermissionDenied, match="credentials of type 'user' are not recognised"):
        ims.identity.resolve({"type": "user", "username": "nobody"})
    ims.users.deactivate("carlos")
    with pytest.raises(PermissionDenied):
        ims.identity.resolve({"type": "user", "username": "carlos"})

    class ApiKeys:
        @hookimpl
        def resolve_actor(self, ims: Any, credentials: Mapping[str, Any]) -> Actor | None:
            assert ims is not None
            if credentials.get("type") == "api_key" and credentials.get("key") == "k-123":
                return Actor("reporting-robot", frozenset({"it"}))
            return None

    class Sso:
        @hookimpl
        def resolve_actor(self, credentials: Mapping[str, Any]) -> Actor | None:
            if credentials.get("type") == "user":  # trusts its own directory: wins over the built-in
                return Actor(str(credentials["username"]), frozenset({"director"}))
            return None

    with registered(ims, ApiKeys()):
        assert ims.identity.resolve({"type": "api_key", "key": "k-123"}).username == "reporting-robot"
        with pytest.raises(PermissionDenied) as denied:
            ims.identity.resolve({"type": "api_key", "key": "guessed-secret"})
        assert "guessed-secret" not in str(denied.value)
    with registered(ims, Sso()):
        assert ims.identity.resolve({"type": "user", "username": "fenna"}).roles == {"director"}
    with pytest.raises(PermissionDenied, match="'type'"):
        ims.identity.resolve("fenna")  # type: ignore[arg-type]
