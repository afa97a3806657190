"""A veto: no application asking more than the budget allows leaves DRAFT.

The cap comes from the plugin's section of the root configuration:

    plugins:
      amount_cap: {max_amount: 100000}
"""

from __future__ import annotations

from typing import Any

from ims import hookimpl


@hookimpl
def before_transition(ims: Any, application: Any, decision: Any) -> str | None:
    if application.state != "DRAFT":
        return None
    cap = ims.config.plugins.get("amount_cap", {}).get("max_amount", 100_000)
    amount = application.data.get("requested_amount", 0)
    if amount <= cap:
        return None
    if ims.config.settings.language.startswith("nl"):
        return f"het gevraagde bedrag {amount} is hoger dan het budget van {cap} toestaat"
    return f"the requested amount {amount} is more than the budget of {cap} allows"
