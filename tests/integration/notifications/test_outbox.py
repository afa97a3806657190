"""The outbox: enqueue in the transition's transaction, deliver with retries, dead-letter, retry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from notifications_support import SmtpSink, submitted
from sqlalchemy import select

from ims import IMS, hookimpl
from ims.hooks.protocols import DeliveryError, OutgoingMessage
from ims.services.outbox import backoff_delay
from ims.store.models import AuditLog, Notification
from ims.testing.fixtures import Clock


class Recording:
    """A channel plugin named ``email`` that records, or fails ``failures`` times first."""

    def __init__(self, failures: int = 0, *, permanent: bool = False) -> None:
        self.failures = failures
        self.permanent = permanent
        self.sent: list[OutgoingMessage] = []
        self.calls = 0
        self.name = "email"

    def send(self, message: OutgoingMessage) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise DeliveryError("smtp.example.sr refused: 451 try again later", permanent=self.permanent)
        self.sent.append(message)

    @hookimpl
    def register_channels(self, register: Any) -> None:
        register(self)


def rows(ims: IMS, channel: str = "email") -> list[Notification]:
    with ims.runtime.sessions() as s:
        return list(
            s.scalars(select(Notification).where(Notification.channel == channel).order_by(Notification.id))
        )


def test_a_transition_sends_dutch_mail_through_apprise(make_ims: Any, smtp: SmtpSink) -> None:
    ims = make_ims(smtp.url)
    number = submitted(ims)
    [row] = rows(ims)
    assert (row.status, row.recipient, row.attempts) == ("PENDING", "fenna", 0)
    assert row.idempotency_key.endswith(":state_entered:INTAKE_REVIEW:fenna:email")
    assert smtp.messages == []  # nothing is sent inside the transaction

    report = ims.outbox.deliver()

    assert (report.sent, report.failed, report.dead) == (1, 0, 0)
    [mail] = smtp.messages
    assert mail.to == ["fenna@housing.example.sr"]
    assert f"Aanvraag {number}: Intakecontrole" == mail.subject
    assert (
        f'Aanvraag {number} van Maria Doe staat nu in de status "Intakecontrole" (was: Concept).' in mail.body
    )
    assert row.idempotency_key == mail.headers["Idempotency-Key"]
    [row] = rows(ims)
    assert (row.status, row.attempts) == ("SENT", 1)
    assert row.sent_at is not None
    # the inbox has the same text
    [inbox] = ims.notifications.inbox(actor="fenna")
    assert inbox.subject == mail.subject
    assert ims.outbox.deliver().claimed == 0


def test_the_applicant_without_an_account_is_mailed_at_the_address_in_the_data(
    make_ims: Any, smtp: SmtpSink
) -> None:
    ims = make_ims(smtp.url)
    number = submitted(ims, "Jan", "Pinas", applicant=None)
    ims.workflow.transition(number, "reject", actor="fenna", reason="Het perceel ligt buiten het gebied.")
    ims.outbox.deliver()
    to_applicant = [m for m in smtp.messages if m.to == ["jan.pinas@example.sr"]]
    assert len(to_applicant) == 1
    assert f"Uw aanvraag {number} is afgewezen" == to_applicant[0].subject
    assert "Beste Jan Pinas," in to_applicant[0].body
    assert "Reden: Het perceel ligt buiten het gebied." in to_applicant[0].body
    [row] = [r for r in rows(ims) if r.template == "application_rejected"]
    assert (row.recipient, row.recipient_role) == (None, "applicant")
    assert row.idempotency_key.endswith(":application_rejected:REJECTED:applicant:email")


def test_failures_back_off_exponentially_then_dead_then_retry(make_ims: Any, clock: Clock) -> None:
    channel = Recording(failures=100)
    ims = make_ims(plugins=(channel,))
    submitted(ims)
    settings = ims.config.notifications.delivery
    now = clock.now
    delays = []
    for attempt in range(1, settings.max_attempts + 1):
        report = ims.outbox.deliver(now=now)
        [row] = rows(ims)
        assert row.attempts == attempt
        assert "451 try again later" in (row.last_error or "")
        if attempt < settings.max_attempts:
            assert (report.sent, report.failed, report.dead) == (0, 1, 0)
            assert row.status == "FAILED"
            assert row.next_attempt_at is not None
            delay = (row.next_attempt_at - now).total_seconds()
            delays.append(delay)
            low = backoff_delay(settings, attempt, -1)
            high = backoff_delay(settings, attempt, 1)
            assert low <= delay <= high
            assert ims.outbox.deliver(now=now + timedelta(seconds=delay - 1)).claimed == 0  # not yet due
            now = row.next_attempt_at
        else:
            assert (report.sent, report.failed, report.dead) == (0, 0, 1)
            assert row.status == "DEAD"
            assert row.next_attempt_at is None
    assert channel.calls == settings.max_attempts
    # 30 s doubling, capped at an hour, each within +/- 20 %
    assert delays[0] == pytest.approx(30, rel=0.2)
    assert delays[3] == pytest.approx(240, rel=0.2)
    assert delays[-1] <= 3600 * 1.2
    assert ims.outbox.deliver(now=now + timedelta(days=30)).claimed == 0  # dead stays dead
    assert [i.id for i in ims.outbox.list(status="DEAD")] == [rows(ims)[0].id]

    channel.failures = 0
    assert ims.outbox.retry() == [rows(ims)[0].id]
    [row] = rows(ims)
    assert (row.status, row.attempts, row.next_attempt_at) == ("PENDING", 0, None)
    assert ims.outbox.deliver(now=now).sent == 1
    assert rows(ims)[0].status == "SENT"
    with ims.runtime.sessions() as s:
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "notifications-retried")).all()
    assert len(audit) == 1


def test_a_permanent_error_is_dead_at_once(make_ims: Any) -> None:
    ims = make_ims(plugins=(Recording(failures=1, permanent=True),))
    submitted(ims)
    assert ims.outbox.deliver().dead == 1
    assert rows(ims)[0].status == "DEAD"


def test_a_failing_channel_never_blocks_or_rolls_back_a_transition(make_ims: Any) -> None:
    class Exploding(Recording):
        def send(self, message: OutgoingMessage) -> None:
            raise RuntimeError("boom")

    ims = make_ims(plugins=(Exploding(),))
    number = submitted(ims)
    assert ims.applications.get(number).state == "INTAKE_REVIEW"
    assert [r.status for r in rows(ims)] == ["PENDING"]
    report = ims.outbox.deliver()
    assert report.failed == 1
    assert rows(ims)[0].last_error == "RuntimeError: boom"
    assert ims.applications.get(number).state == "INTAKE_REVIEW"


def test_an_error_never_shows_the_channel_url(make_ims: Any) -> None:
    class Leaky(Recording):
        def send(self, message: OutgoingMessage) -> None:
            raise OSError("cannot reach mailtos://ims:s3cr3t-pass@smtp.example.sr?from=x")

    ims = make_ims("mailtos://ims:s3cr3t-pass@smtp.example.sr?from=x", plugins=(Leaky(),))
    submitted(ims)
    ims.outbox.deliver()
    error = rows(ims)[0].last_error or ""
    assert "s3cr3t-pass" not in error
    assert "OSError" in error
    assert "s3cr3t-pass" not in repr(ims.config.notifications)


def test_an_expired_lease_is_claimed_again(make_ims: Any, clock: Clock) -> None:
    channel = Recording()
    ims = make_ims(plugins=(channel,))
    submitted(ims)
    claimed = ims.outbox.claim(10)  # a worker claims, then dies before sending
    assert len(claimed) == 1
    assert ims.outbox.deliver().claimed == 0  # leased
    lease = ims.config.notifications.delivery.lease_seconds
    clock.advance(seconds=lease + 1)
    assert ims.outbox.deliver().sent == 1
    assert [m.idempotency_key for m in channel.sent] == [claimed[0].message.idempotency_key]
    [row] = rows(ims)
    assert (row.status, row.attempts) == ("SENT", 2)


def test_backlog(make_ims: Any, clock: Clock) -> None:
    ims = make_ims(plugins=(Recording(),))
    assert ims.outbox.backlog() == (0, None)
    submitted(ims)
    clock.advance(minutes=5)
    assert ims.outbox.backlog() == (1, timedelta(minutes=5))
    ims.outbox.deliver()
    assert ims.outbox.backlog() == (0, None)
    assert ims.outbox.counts() == {"PENDING": 0, "FAILED": 0, "SENT": 1, "DEAD": 0}


def test_document_rejected_goes_to_the_uploader_and_the_applicant(make_ims: Any) -> None:
    channel = Recording()
    ims = make_ims(plugins=(channel,))
    number = submitted(ims, applicant=None)
    [doc] = ims.documents.list(number)
    ims.documents.reject(doc.id, "Onleesbare kopie", actor="fenna")
    ims.outbox.deliver()
    sent = [m for m in channel.sent if m.template == "document_rejected"]
    assert sorted(m.address or "" for m in sent) == ["fenna@housing.example.sr", "maria.doe@example.sr"]
    assert sent[0].subject.startswith("Document afgekeurd: ")
    assert "Reden: Onleesbare kopie" in sent[0].body
    inbox = ims.notifications.inbox(actor="fenna")
    assert any(i.event == "document-rejected" for i in inbox)


def test_a_disabled_channel_writes_no_rows(db_url: str, tmp_path: Any) -> None:
    from notifications_support import REFERENCE_CONFIG

    with IMS.from_config(
        REFERENCE_CONFIG,
        env={"IMS_DATA_DIR": str(tmp_path / "data")},  # IMS_EMAIL_ENABLED not set: off
        database_url=db_url,
        auto_upgrade=True,
    ) as ims:
        from ims.demo import USERS

        for username, (name, role) in USERS.items():
            ims.users.create(username, display_name=name, roles=[role], email=f"{username}@x.sr")
        submitted(ims)
        assert rows(ims) == []
        assert ims.notifications.inbox(actor="fenna")
