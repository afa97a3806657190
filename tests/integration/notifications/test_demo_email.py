"""The demo with e-mail switched on: in-app and e-mail notifications over a full application's life."""

from __future__ import annotations

from collections.abc import Callable

from notifications_support import SmtpSink

from ims import IMS
from ims.demo import Demo


def test_demo_sends_inbox_and_email_for_every_step(make_ims: Callable[..., IMS], smtp: SmtpSink) -> None:
    ims = make_ims(url=smtp.url)
    lines: list[str] = []
    result = Demo(ims, lines.append).run()
    closed = result["applications"][0]
    assert ims.applications.get(closed).state == "CLOSURE"
    about_closed = [m for m in smtp.messages if closed in m.subject]
    # every state the approved application entered that notifies someone produced mail
    assert len(about_closed) >= 8
    recipients = {r for m in about_closed for r in m.to}
    assert {"fenna@housing.example.sr", "dirk@housing.example.sr", "mina@housing.example.sr"} <= recipients
    # the applicant hears of the decision (the demo's applicant user is paul)
    assert any("paul@housing.example.sr" in m.to for m in about_closed)
    counts = ims.outbox.counts()
    assert counts.get("PENDING", 0) == 0
    assert counts.get("SENT", 0) >= len(smtp.messages)
    assert any(line.strip().startswith("outbox:") for line in lines)
    inbox = ims.notifications.inbox(actor="fenna")
    assert inbox and all(i.subject for i in inbox)
