"""Hook specifications: what a plugin can implement.

Every hook takes keyword arguments; an implementation may accept any subset of
them (pluggy "opt-in arguments").  The same names mean the same thing in every
hook: ``ims`` is the :class:`ims.IMS` facade (``None`` while only checking a
configuration), ``register`` a callback, ``actor`` an :class:`ims.rules.Actor`,
``application`` an :class:`ims.services.ApplicationView`.

Hooks evolve by gaining arguments, never by renaming them.  Every hook is seen
by entry-point plugins and by ``plugins/*.py`` files alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ims.hooks import hookspec

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ims.engine import Decision
    from ims.hooks.protocols import Channel, DocumentStore, Report
    from ims.rules import Actor, Predicate


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
    """


@hookspec
def register_channels(register: Callable[[Channel], None], ims: Any, settings: Mapping[str, Any]) -> None:
    """Register notification channels (e-mail, SMS, chat, webhooks).

    Called once when an :class:`ims.IMS` is built.  A channel is used when the
    configuration's ``notifications.channels`` names it; messages for it are
    written to the outbox in the transition's transaction and delivered later by
    the worker through :meth:`ims.hooks.protocols.Channel.send`.

    :param register: call ``register(channel)`` with an object following
        :class:`ims.hooks.protocols.Channel`; a second channel with the same name
        replaces the first (so a plugin can override a built-in one).
    :param ims: the facade being built.
    :param settings: the ``channels`` settings of the configuration (name -> mapping),
        secrets already taken from the environment.
    """


@hookspec
def register_document_stores(
    register: Callable[[str, Callable[[Mapping[str, Any]], DocumentStore]], None], ims: Any
) -> None:
    """Register document-store factories.

    Called once when an :class:`ims.IMS` is built.  ``settings.document_store``
    names the store to use (default ``filesystem``); its factory is called with
    that store's options from ``settings.document_stores.<name>``.

    :param register: call ``register(name, factory)``; ``factory(options)`` returns an
        object following :class:`ims.hooks.protocols.DocumentStore`.
    :param ims: the facade being built.
    """


@hookspec
def register_reports(register: Callable[[Report], None], ims: Any) -> None:
    """Register reports (``ims report NAME``, ``ims.reports.run(name, ...)``).

    Called once when an :class:`ims.IMS` is built.

    :param register: call ``register(report)`` with an object following
        :class:`ims.hooks.protocols.Report`; names must be unique.
    :param ims: the facade being built.
    """


@hookspec
def before_transition(ims: Any, application: Any, actor: Actor, decision: Decision) -> str | None:
    """Veto a transition the engine allowed, before it commits.

    Called inside the transition's transaction, after the engine allowed the
    action and before anything is written.  Every implementation runs; each
    non-``None`` result is a reason, and any reason refuses the transition with
    :class:`ims.errors.TransitionRefused` listing them.  An exception raised here
    rolls the transition back and reaches the caller.  Must not write to the
    database (it would commit with the transition) or call slow services.

    :param application: the application before the change (``ApplicationView``).
    :param decision: the engine's :class:`ims.engine.Decision` (``to_state``, ``effects``).
    :returns: ``None`` to allow, or a sentence a clerk can read saying why not.
    """


@hookspec
def after_transition(ims: Any, application: Any, actor: Actor, event: Mapping[str, Any]) -> None:
    """Observe a committed transition (metrics, search indexing, integrations).

    Called after the transaction committed.  Exceptions are logged with the
    plugin's name and never raised into the caller: the transition stands.
    For anything that must not be lost, use a notification channel (delivered
    from the outbox with retries), not this hook.

    :param application: the application after the change (``ApplicationView``).
    :param event: ``{"id", "action", "from_state", "to_state", "reason", "comment", "at"}``.
    """


@hookspec(firstresult=True)
def resolve_actor(ims: Any, credentials: Mapping[str, Any]) -> Actor | None:
    """Turn credentials into an actor (identity for the HTTP API and host applications).

    Stops at first non-None result.  The built-in implementation (``trylast``)
    knows the users and API keys stored by ims; a host application supplies its
    own to trust its single sign-on.

    :param credentials: what the caller presented, e.g. ``{"type": "jwt", "claims": {...}}``
        or ``{"type": "api_key", "key": "..."}``.
    :returns: an :class:`ims.rules.Actor`, or ``None`` when this plugin does not know them.
    """
