"""An observer: every committed transition as one JSON line in data_dir/transitions.jsonl.

A search indexer or a dashboard can follow the file.  Anything that must not be
lost belongs in a notification channel (delivered from the outbox, with retries):
this hook runs once, after the commit, and its failures are only logged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ims import hookimpl


@hookimpl
def after_transition(ims: Any, application: Any, actor: Any, event: Mapping[str, Any]) -> None:
    line = {
        "number": application.number,
        "actor": actor.username,
        **event,
        "at": event["at"].isoformat(),
    }
    path = Path(ims.config.settings.data_dir) / "transitions.jsonl"
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")
