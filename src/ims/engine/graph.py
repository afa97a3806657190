"""Draw a workflow as a Mermaid ``stateDiagram-v2`` (for docs and ``ims config graph``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ims.config.models import PREVIOUS_STATE, label_for

if TYPE_CHECKING:
    from ims.config.models import RolesConfig, Transition, Workflow

#: The label of the edges that ``@previous`` draws back from a hold state.
RESUME = "resume"


def mermaid(workflow: Workflow, language: str = "en", *, roles: RolesConfig | None = None) -> str:
    """The workflow as Mermaid text.

    States show their label (in ``language``); each transition is an edge
    ``A --> B: action (roles)``, with ``from: "*"`` expanded to every state it
    covers.  A ``@previous`` transition out of a hold state becomes one edge
    back to each state that can enter the hold state, marked ``resume`` (its
    label, or ``<label> - resume``: stateDiagram has no dashed edges).  Role
    labels come from ``roles`` when given, else the role names are shown.
    """
    lines = ["stateDiagram-v2"]
    for name, state in workflow.states.items():
        label = label_for(state.label, language, name)
        if label != name:
            lines.append(f'    state "{_escape(label)}" as {name}')
    lines.append(f"    [*] --> {workflow.initial_state}")
    entered_from: dict[str, list[str]] = {}
    for transition in workflow.transitions:
        if transition.to != PREVIOUS_STATE:
            for source in _sources(workflow, transition):
                entered_from.setdefault(transition.to, []).append(source)
    for transition in workflow.transitions:
        text = _edge_text(transition, language, roles)
        for source in _sources(workflow, transition):
            if transition.to == PREVIOUS_STATE:
                for back in dict.fromkeys(entered_from.get(source, ())):
                    lines.append(f"    {source} --> {back}: {text}")
            else:
                lines.append(f"    {source} --> {transition.to}: {text}")
    lines.extend(f"    {name} --> [*]" for name, s in workflow.states.items() if s.final)
    return "\n".join(lines) + "\n"


def _sources(workflow: Workflow, transition: Transition) -> list[str]:
    """The transition's source states, in the order the workflow declares states."""
    sources = workflow.sources_of(transition)
    return [name for name in workflow.states if name in sources]


def _edge_text(transition: Transition, language: str, roles: RolesConfig | None) -> str:
    text = label_for(transition.label, language, transition.name)
    if transition.to == PREVIOUS_STATE and RESUME not in text.lower():
        text = f"{text} - {RESUME}"
    if transition.roles:
        names = [_role_label(r, language, roles) for r in transition.roles]
        text = f"{text} ({', '.join(names)})"
    return _escape(text)


def _role_label(role: str, language: str, roles: RolesConfig | None) -> str:
    found = None if roles is None else roles.roles.get(role)
    return role if found is None else label_for(found.label, language, role)


def _escape(text: str) -> str:
    """Mermaid entity codes for the characters that end a label or a statement."""
    return text.replace(";", "#59;").replace(":", "#58;").replace('"', "#quot;")
