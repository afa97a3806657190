"""What the services refuse before anything is written, whoever calls them (Python API, CLI, HTTP):
the permission before the data, users that do not exist, steps the workflow has not opened,
and an application named by its id or its number."""

from __future__ import annotations

import pytest

from ims import IMS, NotFound, PermissionDenied, ValidationFailed
from ims.demo import applicant_data
from ims.services.applications import application_ref
from ims.store.models import Application


def test_the_permission_is_checked_before_the_data(ims: IMS) -> None:
    for data, kwargs in (
        ({"nonsense": 1}, {}),
        (applicant_data("A", "B"), {"priority": 9}),
        (applicant_data("A", "B"), {"applicant": "ghost"}),
    ):
        with pytest.raises(PermissionDenied, match=r"application\.create"):
            ims.applications.create("bouwsubsidie", data, actor="paul", **kwargs)
    with pytest.raises(PermissionDenied):
        ims.applications.create("no-such-workflow", {}, actor="paul")
    assert ims.applications.list() == []


@pytest.mark.parametrize("field", ["applicant", "assignee"])
def test_applicant_and_assignee_must_be_users(ims: IMS, field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        ims.applications.create("bouwsubsidie", applicant_data("A", "B"), actor="fenna", **{field: "ghost"})
    assert info.value.problems == [f"{field} 'ghost' is not a user"]
    assert ims.applications.list() == []


def test_an_inactive_user_may_not_be_the_assignee(ims: IMS) -> None:
    ims.users.create("gone", roles=["staff"])
    ims.users.deactivate("gone")
    with pytest.raises(ValidationFailed, match="inactive"):
        ims.applications.create("bouwsubsidie", applicant_data("A", "B"), actor="fenna", assignee="gone")
    app = ims.applications.create("bouwsubsidie", applicant_data("A", "B"), actor="fenna", assignee="sara")
    with pytest.raises(ValidationFailed, match="assignee 'ghost' is not a user"):
        ims.applications.set_assignee(app.number, "ghost", actor="fenna")
    assert ims.applications.set_assignee(app.number, "carlos", actor="fenna").assignee == "carlos"
    assert ims.applications.set_assignee(app.number, None, actor="fenna").assignee is None


def test_a_step_the_workflow_has_not_opened_cannot_be_recorded(ims: IMS) -> None:
    number = ims.applications.create("bouwsubsidie", applicant_data("A", "B"), actor="fenna").number
    report = {"summary": "Roof must be replaced.", "estimated_cost": 1, "recommendation": "approve"}
    with pytest.raises(ValidationFailed) as info:
        ims.steps.record(number, "technical_report", report, actor="sara")
    assert info.value.problems == [
        f"application {number} has not opened it yet (it is in DRAFT; "
        "the workflow opens it on entering TECHNICAL_REVIEW or SOCIAL_REVIEW)"
    ]
    with pytest.raises(ValidationFailed, match="on entering CONTROL_IN_PROGRESS"):
        ims.steps.record(number, "control_visit", {}, actor="carlos")
    assert ims.steps.list(number) == []
    assert ims.applications.get(number).version == 1  # nothing written


@pytest.mark.parametrize(
    ("text", "as_id"),
    [
        ("17", 17),
        (" 17 ", 17),
        ("2147483647", 2147483647),
        ("BS-2026-000017", None),
        ("2147483648", None),  # past the ids: only a number
        ("0", None),
        ("٣", None),  # a digit, but not an ASCII one
    ],
)
def test_application_ref_tries_digits_as_the_id(text: str, as_id: int | None) -> None:
    ref = application_ref(text)
    assert ref == text.strip() and ref.as_id() == as_id


def test_an_application_by_id_or_number(ims: IMS) -> None:
    app = ims.applications.create("bouwsubsidie", applicant_data("A", "B"), actor="fenna", applicant="paul")
    assert ims.applications.get(application_ref(str(app.id))).number == app.number
    assert ims.applications.get(application_ref(app.number)).id == app.id
    assert ims.workflow.history(application_ref(app.number))
    with pytest.raises(NotFound, match="application '999999' does not exist"):
        ims.applications.get(application_ref("999999"))
    with pytest.raises(NotFound):
        ims.applications.get(str(app.id))  # a plain str is always a number in the Python API
    ims.users.create("pia", roles=["applicant"])
    with pytest.raises(NotFound, match=f"application '{app.number}' does not exist"):
        ims.applications.get(app.number, actor="pia")
    with pytest.raises(NotFound, match=f"application {app.id} does not exist"):
        ims.applications.require_visible(app.id, actor="pia")


def test_digits_that_are_no_id_are_tried_as_the_number(ims: IMS) -> None:
    """A deployment whose numbers are digits (``{year}{seq:06d}``) finds them by number too."""
    app = ims.applications.create("bouwsubsidie", applicant_data("A", "B"), actor="fenna")
    digits = "2026000017"
    with ims.runtime.transaction() as s:
        s.get(Application, app.id).number = digits
    assert ims.applications.get(application_ref(digits)).id == app.id
    assert ims.workflow.transition(application_ref(digits), "hold", actor="dirk", reason="Waiting.").to_state
