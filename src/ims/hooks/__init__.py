"""Plugin hooks: markers, specifications and the plugin manager.

Plugin authors import :data:`ims.hookimpl`; ims itself uses :data:`hookspec`.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("ims")
hookimpl = pluggy.HookimplMarker("ims")

__all__ = ["hookimpl", "hookspec"]
