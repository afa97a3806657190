"""A conformance suite for notification channels: subclass it, give it the fixtures.

Every channel ims ships passes it, and so should a plugin's::

    import pytest
    from ims.testing.channels import ChannelConformance, Received

    from ims_sms import SmsChannel


    class TestSmsChannel(ChannelConformance):
        supports_idempotency_key = True
        delivers_subject = False

        @pytest.fixture
        def channel(self, sms_sandbox):
            return SmsChannel("sms", sms_sandbox.url)

        @pytest.fixture
        def broken_channel(self):
            return SmsChannel("sms", "http://127.0.0.1:9")  # nothing listens there

        @pytest.fixture
        def received(self, sms_sandbox):
            def read():
                return [Received(None, m.text, m.headers.get("Idempotency-Key")) for m in sms_sandbox.sent]

            return read

Fixtures:

``channel``
    The channel under test, delivering to a receiver the test can read.
``broken_channel``
    The same channel pointed at a receiver that fails or does not exist.
``received``
    A callable returning what arrived so far, as :class:`Received` items.
``address``
    The address messages are sent to (default ``jan@example.sr``); override it for
    channels whose addresses are phone numbers or chat ids.

What the suite holds a channel to (the contract of :class:`ims.hooks.protocols.Channel`):

* it has a ``name`` and follows the protocol;
* ``send`` delivers subject and body (a channel without subjects may leave it out:
  set ``delivers_subject = False``);
* a failed delivery raises :class:`~ims.hooks.protocols.DeliveryError`, never
  returns quietly and never raises anything else;
* with ``supports_idempotency_key = True`` the receiver sees the message's key;
* sending the same message twice delivers it twice (dropping duplicates is the
  receiver's job, by the key): the channel keeps no state between sends;
* ``repr(channel)`` shows no secret of its configuration (set ``secrets``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from ims.hooks.protocols import Channel, DeliveryError, OutgoingMessage


@dataclass(frozen=True)
class Received:
    """One message as the receiver saw it."""

    subject: str | None
    body: str
    idempotency_key: str | None = None
    address: str | None = None


def make_message(
    address: str, *, id: int = 1, key: str = "app1-v2:state_entered:INTAKE_REVIEW:jan:test"
) -> OutgoingMessage:
    """A realistic message, with Dutch text (non-ASCII included)."""
    return OutgoingMessage(
        id=id,
        idempotency_key=key,
        channel="test",
        event="state-entered",
        template="state_entered",
        subject="Aanvraag BS-2026-000001: Intakecontrole",
        body="Aanvraag BS-2026-000001 staat nu in de status “Intakecontrole”. Één taak.",
        recipient="jan",
        address=address,
        language="nl",
        application_number="BS-2026-000001",
        payload={"number": "BS-2026-000001"},
    )


class ChannelConformance:
    """Tests every notification channel must pass (see the module docstring)."""

    #: the receiver can read the idempotency key of each message
    supports_idempotency_key: bool = False
    #: the receiver gets a subject
    delivers_subject: bool = True
    #: texts from the channel's configuration that ``repr`` must not show
    secrets: Sequence[str] = ()

    @pytest.fixture
    def address(self) -> str:
        return "jan@example.sr"

    def test_follows_the_protocol(self, channel: Any) -> None:
        assert isinstance(channel, Channel)
        assert isinstance(channel.name, str) and channel.name

    def test_delivers_a_message(
        self, channel: Any, received: Callable[[], list[Received]], address: str
    ) -> None:
        message = make_message(address)
        channel.send(message)
        got = received()
        assert len(got) == 1, got
        assert message.body in got[0].body
        if self.delivers_subject:
            assert got[0].subject == message.subject

    def test_a_failure_raises_delivery_error(self, broken_channel: Any, address: str) -> None:
        with pytest.raises(DeliveryError):
            broken_channel.send(make_message(address))

    def test_passes_the_idempotency_key(
        self, channel: Any, received: Callable[[], list[Received]], address: str
    ) -> None:
        if not self.supports_idempotency_key:
            pytest.skip("this channel cannot pass an idempotency key")
        message = make_message(address, key="app7-v3:application_approved:CLOSURE:paul:email")
        channel.send(message)
        assert [r.idempotency_key for r in received()] == [message.idempotency_key]

    def test_sending_twice_delivers_twice(
        self, channel: Any, received: Callable[[], list[Received]], address: str
    ) -> None:
        message = make_message(address)
        channel.send(message)
        channel.send(message)
        got = received()
        assert len(got) == 2
        if self.supports_idempotency_key:
            assert got[0].idempotency_key == got[1].idempotency_key == message.idempotency_key

    def test_repr_shows_no_secret(self, channel: Any) -> None:
        shown = repr(channel)
        for secret in self.secrets:
            assert secret not in shown
