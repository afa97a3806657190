"""Progress reporting: the library calls a :class:`Progress`; the CLI draws it with rich."""

from __future__ import annotations

__all__ = ["NO_PROGRESS", "Progress"]


class Progress:
    """Receives ``stage(name, total)`` then ``advance(n)`` calls; the default ignores them."""

    def stage(self, name: str, total: int | None) -> None:
        """A new stage begins (``total`` in rows, blobs or files; ``None`` when unknown)."""

    def advance(self, n: int = 1) -> None:
        """``n`` more units of the current stage are done."""


NO_PROGRESS = Progress()
