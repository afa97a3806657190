"""One transition is one transaction: a failure anywhere leaves nothing behind."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from ims import IMS
from ims.demo import applicant_data
from ims.store import audit
from ims.store.models import ApplicationStep, AuditLog, Notification, Task, WorkflowEvent


def counts(ims: IMS) -> dict[str, int]:
    with ims.runtime.sessions() as s:
        return {
            model.__name__: s.scalar(select(func.count()).select_from(model)) or 0
            for model in (WorkflowEvent, AuditLog, Task, Notification, ApplicationStep)
        }


class Boom(Exception):
    pass


@pytest.mark.parametrize("where", ["audit", "notify"])
def test_failure_mid_transition_writes_nothing(ims: IMS, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    number = ims.applications.create("bouwsubsidie", applicant_data("A", "B"), actor="fenna").number
    ims.documents.add(number, "national_declaration", "n.pdf", actor="fenna", content=b"x")
    before_app = ims.applications.get(number)
    before = counts(ims)

    def explode(*args: Any, **kwargs: Any) -> None:
        raise Boom(where)

    if where == "audit":
        monkeypatch.setattr(audit, "append", explode)
    else:
        from ims.services import _effects

        monkeypatch.setattr(_effects, "notify", explode)
    with pytest.raises(Boom):
        ims.workflow.transition(number, "submit", actor="fenna")
    monkeypatch.undo()
    after_app = ims.applications.get(number)
    assert (after_app.state, after_app.version) == (before_app.state, before_app.version)
    assert counts(ims) == before
    # and the same transition then succeeds whole
    ims.workflow.transition(number, "submit", actor="fenna")
    assert ims.applications.get(number).state == "INTAKE_REVIEW"
    assert ims.audit.verify().broken == []
