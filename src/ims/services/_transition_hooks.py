"""The transition's plugin hooks: ``before_transition`` (veto) and ``after_transition`` (observe).

Both cost nothing when no plugin implements them: the application view and the
event are only built for implementations that exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ims.errors import TransitionRefused
from ims.hooks.manager import call_each_logged
from ims.services.applications import ApplicationView

if TYPE_CHECKING:
    from datetime import datetime

    from ims.engine import Decision
    from ims.rules import Actor
    from ims.services._runtime import Runtime
    from ims.store.models import Application


def veto(rt: Runtime, app: Application, actor: Actor, action: str, decision: Decision) -> None:
    """Ask every ``before_transition`` implementation; any reason refuses the transition.

    Called inside the transaction, before anything is written.  An exception from
    a plugin propagates (and rolls the transaction back).

    Raises:
        TransitionRefused: one or more plugins returned a reason; ``reasons`` lists them.
    """
    hook = rt.plugins.hook.before_transition
    if not hook.get_hookimpls():
        return
    results = hook(ims=rt.ims, application=ApplicationView.of(app), actor=actor, decision=decision)
    reasons = [str(r) for r in results if r is not None]
    if reasons:
        raise TransitionRefused(action, app.state, reasons)


def announce(
    rt: Runtime,
    application: ApplicationView,
    actor: Actor,
    *,
    event_id: int,
    action: str,
    from_state: str,
    reason: str | None,
    comment: str | None,
    at: datetime,
) -> None:
    """Tell every ``after_transition`` implementation; failures are logged, never raised."""
    if not rt.plugins.hook.after_transition.get_hookimpls():
        return
    event = {
        "id": event_id,
        "action": action,
        "from_state": from_state,
        "to_state": application.state,
        "reason": reason,
        "comment": comment,
        "at": at,
    }
    call_each_logged(
        rt.plugins, "after_transition", ims=rt.ims, application=application, actor=actor, event=event
    )
