"""The in-app inbox, always on: listed here so ``ims plugins`` shows it.

It needs no channel object and implements no hook: its messages are the
``inbox`` rows written ``SENT`` in the transaction of the change they report
(see :mod:`ims.services._messages`), read with ``ims.notifications.inbox()``.
"""

from __future__ import annotations

#: The channel name of the inbox rows; a configured channel may not take it.
CHANNEL = "inbox"
