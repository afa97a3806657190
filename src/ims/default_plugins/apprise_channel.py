"""The built-in ``apprise`` channel: e-mail, SMS and chat through apprise URLs.

Each channel of the configuration with ``plugin: apprise`` becomes one channel::

    channels:
      email:
        plugin: apprise
        url: "mailtos://{env:IMS_SMTP_USER}:{env:IMS_SMTP_PASSWORD}@smtp.example.sr?from=ims@example.sr"
        timeout: 30          # seconds per message (optional)

For every message a fresh ``apprise.Apprise`` gets the URL with the recipient's
address and the idempotency key added to its query:

* e-mail URLs (``mailto://``, ``mailtos://``): ``to=<address>`` and the header
  ``Idempotency-Key`` (apprise's ``+Header=value`` URL syntax for e-mail headers);
* ``json://``, ``jsons://``, ``form://``, ``forms://``, ``xml://``, ``xmls://``: the HTTP
  header ``Idempotency-Key`` the same way (these URLs name their receiver themselves);
* any other service: the URL as configured (it names its own target; no key).

``send`` raises :class:`~ims.hooks.protocols.DeliveryError` when apprise reports a
failure; the error never contains the URL, which may hold a password.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from ims.hooks import hookimpl
from ims.hooks.protocols import Channel, DeliveryError, OutgoingMessage

#: URL schemes whose messages go to ``to=<address>``.
EMAIL_SCHEMES = frozenset({"mailto", "mailtos"})
#: URL schemes that send HTTP or e-mail headers given as ``+Name=value``.
HEADER_SCHEMES = frozenset({"mailto", "mailtos", "json", "jsons", "form", "forms", "xml", "xmls"})
#: The header carrying the idempotency key.
IDEMPOTENCY_HEADER = "Idempotency-Key"


class AppriseChannel:
    """Delivers a message through one apprise URL (see the module docstring)."""

    def __init__(self, name: str, url: str | None, *, timeout: float = 30.0) -> None:
        self.name = name
        self._url = url
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"AppriseChannel({self.name!r})"  # never the URL: it may hold a password

    @property
    def scheme(self) -> str:
        return (self._url or "").split("://", 1)[0].lower()

    def url_for(self, message: OutgoingMessage) -> str:
        """The configured URL with the address and the idempotency key added."""
        if not self._url:
            raise DeliveryError(f"channel '{self.name}' has no url", permanent=True)
        extra = []
        if self.scheme in EMAIL_SCHEMES:
            if not message.address:
                raise DeliveryError("the message has no e-mail address", permanent=True)
            extra.append(f"to={quote(message.address, safe='@')}")
        if self.scheme in HEADER_SCHEMES:
            extra.append(f"+{IDEMPOTENCY_HEADER}={quote(message.idempotency_key, safe='')}")
        if not extra:
            return self._url
        return self._url + ("&" if "?" in self._url else "?") + "&".join(extra)

    def send(self, message: OutgoingMessage) -> None:
        url = self.url_for(message)
        with warnings.catch_warnings():
            # apprise 2.x imports the standard library's ``imghdr`` (deprecated since
            # Python 3.11) when it first builds a message; under ``-W error`` that
            # warning would fail every delivery
            warnings.simplefilter("ignore", DeprecationWarning)
            import apprise

            notifier = apprise.Apprise()
            if not notifier.add(url):
                raise DeliveryError(f"channel '{self.name}': apprise does not accept its url", permanent=True)
            result = notifier.notify(body=message.body, title=message.subject, timeout=self.timeout)
        if not result:
            status = getattr(result, "status", None)
            shown = getattr(status, "name", None) or str(status or "failed")
            raise DeliveryError(f"channel '{self.name}': apprise reported {shown}")


# tryfirst: registered before every other plugin's channels, so that a plugin's channel
# of the same name replaces this one (the last registration of a name wins)
@hookimpl(tryfirst=True)
def register_channels(register: Callable[[Channel], None], settings: Mapping[str, Mapping[str, Any]]) -> None:
    for name, options in settings.items():
        if options.get("plugin") == "apprise":
            register(AppriseChannel(name, options.get("url"), timeout=float(options.get("timeout", 30))))
