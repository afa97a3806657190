"""A notification channel: POST every message as JSON to a webhook.

Configure one channel per webhook in the notifications configuration:

    channels:
      office_chat:
        plugin: webhook
        url: "{env:IMS_CHAT_WEBHOOK}"
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from ims import hookimpl
from ims.hooks.protocols import Channel, DeliveryError, OutgoingMessage


class WebhookChannel:
    def __init__(self, name: str, url: str, *, timeout: float = 10.0) -> None:
        self.name = name
        self.url = url
        self.timeout = timeout

    def send(self, message: OutgoingMessage) -> None:
        body = {
            "event": message.event,
            "subject": message.subject,
            "body": message.body,
            "recipient": message.recipient,
            "application": message.application_number,
        }
        request = urllib.request.Request(
            self.url,
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                # the receiver drops a message it has seen: delivery is at least once
                "Idempotency-Key": message.idempotency_key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            exc.close()
            # 4xx (but "too many requests" and timeouts) will not get better by retrying;
            # the message names no URL: it may carry a token
            permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
            raise DeliveryError(f"the webhook answered HTTP {exc.code}", permanent=permanent) from None
        except OSError as exc:
            raise DeliveryError(f"the webhook is unreachable: {type(exc).__name__}") from None


@hookimpl
def register_channels(register: Callable[[Channel], None], settings: Mapping[str, Any]) -> None:
    for name, options in settings.items():
        if options.get("plugin") == "webhook":
            register(WebhookChannel(name, options["url"]))
