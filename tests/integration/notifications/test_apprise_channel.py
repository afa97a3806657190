"""The built-in apprise channel passes the channel conformance suite against a local SMTP sink."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from notifications_support import SmtpSink, free_port

from ims.default_plugins.apprise_channel import AppriseChannel
from ims.testing.channels import ChannelConformance, Received, make_message


class TestAppriseEmail(ChannelConformance):
    supports_idempotency_key = True
    secrets = ("mode=insecure", "127.0.0.1")

    @pytest.fixture
    def channel(self, smtp: SmtpSink) -> AppriseChannel:
        return AppriseChannel("email", smtp.url, timeout=5)

    @pytest.fixture
    def broken_channel(self) -> AppriseChannel:
        # nothing listens on this port
        return AppriseChannel(
            "email", f"mailto://127.0.0.1:{free_port()}?from=ims@x.sr&mode=insecure", timeout=5
        )

    @pytest.fixture
    def received(self, smtp: SmtpSink) -> Callable[[], list[Received]]:
        def read() -> list[Received]:
            return [Received(m.subject, m.body, m.headers["Idempotency-Key"], m.to[0]) for m in smtp.messages]

        return read

    def test_mails_the_message_address(self, channel: AppriseChannel, smtp: SmtpSink) -> None:
        channel.send(make_message("maria.doe@example.sr"))
        assert [m.to for m in smtp.messages] == [["maria.doe@example.sr"]]


def test_urls_get_the_address_and_the_key() -> None:
    message = make_message("jan@example.sr", key="app1-v2:state_entered:X:jan:email")
    mail = AppriseChannel("email", "mailtos://u:p@smtp.example.sr?from=ims@example.sr")
    assert mail.url_for(message) == (
        "mailtos://u:p@smtp.example.sr?from=ims@example.sr"
        "&to=jan@example.sr&+Idempotency-Key=app1-v2%3Astate_entered%3AX%3Ajan%3Aemail"
    )
    hook = AppriseChannel("hook", "json://hooks.example.sr/ims")
    assert (
        hook.url_for(message)
        == "json://hooks.example.sr/ims?+Idempotency-Key=app1-v2%3Astate_entered%3AX%3Ajan%3Aemail"
    )
    slack = AppriseChannel("chat", "slack://T1/B1/token/#ims")
    assert slack.url_for(message) == "slack://T1/B1/token/#ims"
    assert "token" not in repr(slack)


def test_a_message_without_address_is_a_permanent_error() -> None:
    from dataclasses import replace

    from ims.hooks.protocols import DeliveryError

    channel = AppriseChannel("email", "mailto://127.0.0.1:9?from=ims@x.sr")
    with pytest.raises(DeliveryError) as caught:
        channel.send(replace(make_message("x@y.sr"), address=None))
    assert caught.value.permanent
