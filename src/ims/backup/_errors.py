"""Errors of backup and restore."""

from __future__ import annotations

from ims.errors import Conflict, ImsError

__all__ = ["ArchiveError", "TargetNotEmpty"]


class ArchiveError(ImsError):
    """The archive cannot be used: damaged, truncated, wrong passphrase or key,
    a manifest that does not match the contents, or a revision this ims does not know.

    Raised before anything is written to the target database.
    """


class TargetNotEmpty(Conflict):
    """``ims restore`` was pointed at a database that already holds ims data."""
