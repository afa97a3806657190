"""What the engine answers: a :class:`Decision` for an action, :class:`ActionOption` for a menu."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ims.errors import TransitionRefused
from ims.rules import FailedCondition

if TYPE_CHECKING:
    from ims.config.models import Transition
    from ims.engine._effects import EffectInstance


@dataclass(frozen=True, slots=True)
class Decision:
    """The engine's answer to "may this actor do ``action`` now, and what follows?".

    ``to_state`` is the target even when refused (``None`` when there is none,
    e.g. an unknown action).  ``effects`` is empty when refused.
    """

    action: str
    allowed: bool
    from_state: str
    to_state: str | None
    transition: Transition | None
    failed: tuple[FailedCondition, ...] = ()
    effects: tuple[EffectInstance, ...] = ()

    @property
    def reasons(self) -> list[str]:
        """The failure sentences, in order."""
        return [f.message for f in self.failed]

    def raise_if_refused(self) -> Decision:
        """Return ``self`` when allowed; else raise :class:`~ims.errors.TransitionRefused`."""
        if not self.allowed:
            raise TransitionRefused(self.action, self.from_state, self.reasons)
        return self


@dataclass(frozen=True, slots=True)
class ActionOption:
    """One action of the current state, for a menu: allowed or not, and why not.

    ``requires`` lists the inputs (``reason``, ``comment``) the action will
    ask for; they are not reasons to refuse here.
    """

    action: str
    label: str
    to_state: str | None
    allowed: bool
    reasons: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
