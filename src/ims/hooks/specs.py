"""Hook specifications: what a plugin can implement.

Every hook takes keyword arguments; an implementation may accept any subset of
them (pluggy "opt-in arguments").  The same names mean the same thing in every
hook: ``ims`` is the :class:`ims.IMS` facade, ``register`` a callback.

Later issues add channels, document stores, reports, transition lifecycle and
identity hooks; hooks evolve by gaining arguments, never by renaming them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ims.hooks import hookspec

if TYPE_CHECKING:
    from collections.abc import Callable

    from ims.rules import Predicate


@hookspec
def register_predicates(register: Callable[[str, Predicate], None], ims: Any) -> None:
    """Register named predicates for the rules language.

    Called once when an :class:`ims.IMS` is built, before the configuration is
    checked, so ``ims check`` knows every predicate a rule may name.

    :param register: call ``register(name, fn)`` for each predicate.  ``fn(ctx, args)``
        receives an :class:`ims.rules.EvalContext` and the rule's ``args`` mapping and
        returns ``None`` when the predicate holds, or a sentence saying why it does not.
    :param ims: the facade being built (``None`` while only checking a configuration).
    :returns: nothing; results are collected through ``register``.

    Seen by local ``plugins/*.py`` files and by entry-point plugins alike.
    """
