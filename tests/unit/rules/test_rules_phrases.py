"""Sentences in each language: every message id renders, and Dutch reads as Dutch."""

from __future__ import annotations

import string
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rules_support import NOW

from ims.config import load
from ims.config.models import ImsConfig
from ims.engine import Engine
from ims.rules import Actor, DocumentFact, EvalContext, Snapshot, evaluate, parse_condition
from ims.rules._phrases import MESSAGE_IDS, PHRASES, phrases_for, say

REFERENCE_CONFIG = Path(__file__).resolve().parents[3] / "config" / "ims.yaml"

#: a value for every placeholder any template uses
SAMPLE: dict[str, Any] = {
    "field": "requested amount",
    "value": "1",
    "options": "'a' or 'b'",
    "actual": "0",
    "size": 3,
    "category": "district",
    "what": "plot map",
    "count": 2,
    "status": "uploaded",
    "have": "(2 uploaded)",
    "min": 4,
    "max": 1,
    "missing": 3,
    "total": 12,
    "level": "verified",
    "names": "plot map, pay slip",
    "step": "technical report",
    "sentence": "decision must be 'approve' (is 'reject')",
    "description": "district is 'wanica'",
    "roles": "director",
    "doing": "submit",
    "you": "(you are: staff)",
    "hours": 48,
    "so_far": 12,
    "parts": "a; b",
    "name": "geo",
    "action": "approve",
    "state": "DRAFT",
    "available": "submit, hold",
    "workflow": "bouwsubsidie",
}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_language_has_every_message_id() -> None:
    assert set(PHRASES) == {"en", "nl"}
    for language, table in PHRASES.items():
        assert set(table) == set(MESSAGE_IDS), language


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("message_id", MESSAGE_IDS)
def test_message_renders(message_id: str, language: str) -> None:
    template = PHRASES[language][message_id]
    assert placeholders(template) <= set(SAMPLE)
    text = say(language, message_id, **SAMPLE)
    assert text.strip() == text
    assert text
    assert "{" not in text and "}" not in text


def test_language_fallback() -> None:
    assert phrases_for("nl-SR") is PHRASES["nl"]
    assert phrases_for("nl_SR") is PHRASES["nl"]
    assert phrases_for("fr") is PHRASES["en"]
    assert say("fr", "engine.reason-required") == "a reason is required"
    assert say("nl-SR", "engine.reason-required") == "een reden is verplicht"


# --------------------------------------------------------------------- exact Dutch sentences


@pytest.fixture(scope="module")
def reference() -> ImsConfig:
    return load(REFERENCE_CONFIG, env={})


def snapshot(state: str = "DRAFT", **facts: Any) -> Snapshot:
    return Snapshot(
        workflow="bouwsubsidie",
        state=state,
        previous_state=None,
        data=facts.pop("data", {}),
        documents=tuple(DocumentFact(t, s) for t, s in facts.pop("documents", ())),
        steps=facts.pop("steps", {}),
        state_entered_at=facts.pop("entered", NOW),
        **facts,
    )


def dutch(config: ImsConfig, raw: dict[str, Any], snap: Snapshot, *roles: str) -> list[str]:
    ctx = EvalContext(snap, Actor("u", frozenset(roles)), NOW, config, {}, "nl")
    return [f.message for f in evaluate(parse_condition(raw), ctx)]


EMPLOYED_OWNER = {
    "applicant": {"employment_status": "employed"},
    "property": {"applicant_is_owner": True, "has_mortgage": False},
}


def test_dutch_required_documents(reference: ImsConfig) -> None:
    verified = ("national_declaration", "id_copies", "ownership_deed", "commissioner_declaration")
    snap = snapshot(data=EMPLOYED_OWNER, documents=[(t, "VERIFIED") for t in verified])
    assert dutch(reference, {"required_documents": "verified"}, snap) == [
        "4 van 8 verplichte documenten zijn niet geverifieerd: familie-uittreksel, perceelkaart,"
        " recente loonstrook, werkgeversverklaring"
    ]


def test_dutch_fields(reference: ImsConfig) -> None:
    snap = snapshot(data={"applicant": {"district": "Foo"}, "requested_amount": 0})
    cond = {
        "all": [
            {"field": "applicant.national_id", "present": True},
            {"field": "requested_amount", "gte": 1},
            {"field": "applicant.district", "in_reference": "district"},
            {"field": "applicant.district", "in": ["paramaribo", "wanica"]},
            {"field": "reason", "min_length": 10},
        ]
    }
    assert dutch(reference, cond, snap) == [
        "national id is verplicht",
        "requested amount moet minstens 1 zijn (is 0)",
        "district 'Foo' staat niet in de lijst district",
        "district moet 'paramaribo' of 'wanica' zijn (is 'Foo')",
        "reason is verplicht",
    ]
    assert dutch(reference, {"field": "x", "lt": 2.5}, snapshot(data={"x": 3.5})) == [
        "x moet minder dan 2,5 zijn (is 3,5)"
    ]


def test_dutch_documents_and_time(reference: ImsConfig) -> None:
    snap = snapshot(
        documents=[("photo", "PENDING"), ("photo", "VERIFIED")],
        entered=NOW - timedelta(hours=12),
    )
    assert dutch(reference, {"documents": {"type": "photo", "min": 4}}, snap) == [
        "er zijn minstens 4 foto's controlebezoek nodig (2 geüpload)"
    ]
    assert dutch(reference, {"documents": {"type": "plot_map"}}, snap) == [
        "perceelkaart is nodig (geen geüpload)"
    ]
    assert dutch(reference, {"time_in_state": {"min_hours": 48}}, snap) == [
        "de aanvraag moet minstens 48 uur in deze status zijn (12 tot nu toe)"
    ]


def test_dutch_steps_roles_and_combinators(reference: ImsConfig) -> None:
    snap = snapshot(
        "MINISTER_DECISION",
        steps={"minister_decision": "COMPLETED"},
        step_data={"minister_decision": {"decision": "reject"}},
        data={"applicant": {"marital_status": "married"}},
    )
    decision = {"step": "minister_decision", "field": "decision", "eq": "approve"}
    assert dutch(reference, decision, snap) == [
        "stap 'besluit minister': decision moet 'approve' zijn (is 'reject')"
    ]
    assert dutch(reference, {"step": "technical_report"}, snap) == [
        "stap 'technisch rapport' is niet afgerond"
    ]
    assert dutch(reference, {"role": ["director", "minister"]}, snap, "staff") == [
        "alleen directeur of minister mag dit doen (u bent: beoordelaar)"
    ]
    married = {"not": {"field": "applicant.marital_status", "in": ["married", "common_law"]}}
    assert dutch(reference, married, snap) == [
        "niet toegestaan, want marital status is 'married' of 'common_law'"
    ]
    either = {"any": [{"field": "a", "present": True}, {"step": "social_report"}]}
    assert dutch(reference, either, snap) == [
        "aan geen van deze voorwaarden is voldaan: a is verplicht; stap 'sociaal rapport' is niet afgerond"
    ]


def test_dutch_engine_sentences(reference: ImsConfig) -> None:
    engine = Engine(reference)  # settings.language: nl
    staff = Actor("sara", frozenset({"staff"}))
    reasons = engine.decide(snapshot(), staff, "submit", now=NOW).reasons
    assert reasons[:3] == [
        "alleen frontoffice mag indienen (u bent: beoordelaar)",
        "national id is verplicht",
        "first name is verplicht",
    ]
    assert reasons[-1] == "upload ten minste één document"  # the workflow's own message
    clerk = Actor("fenna", frozenset({"front_office"}))
    reject = engine.decide(snapshot("INTAKE_REVIEW"), clerk, "reject", now=NOW)
    assert reject.reasons == ["een reden is verplicht"]
    unknown = engine.decide(snapshot("INTAKE_REVIEW"), clerk, "fly", now=NOW)
    assert unknown.reasons == [
        "'fly' is geen actie van status INTAKE_REVIEW; beschikbaar: accept_intake, reject, hold"
    ]
    closed = engine.decide(snapshot("REJECTED"), clerk, "submit", now=NOW)
    assert closed.reasons == ["de aanvraag is afgesloten (REJECTED)"]
    minister = Actor("mina", frozenset({"minister"}))
    resume = engine.decide(snapshot("ON_HOLD"), minister, "resume", now=NOW)
    assert resume.reasons == ["er is geen vorige status om naar terug te keren"]
    english = engine.decide(snapshot(), staff, "submit", now=NOW, language="en")
    assert english.reasons[:2] == [
        "only front office may submit (you are: reviewer)",
        "national id is required",
    ]
