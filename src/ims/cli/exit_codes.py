"""Exit codes of the ``ims`` command."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    #: everything worked
    OK = 0
    #: the configuration is invalid (``ims check`` found errors)
    CONFIG_INVALID = 1
    #: the command was used wrongly (click's own usage errors also exit 2)
    USAGE = 2
    #: a transition was refused or data was invalid
    REFUSED = 3
    #: something asked for does not exist
    NOT_FOUND = 4
    #: a concurrent edit won, or the thing already exists
    CONFLICT = 5
    #: the actor may not do this
    PERMISSION_DENIED = 6
    #: the database failed or is not migrated
    STORE_ERROR = 7
    #: ``ims audit verify`` found a broken chain
    AUDIT_BROKEN = 8
    #: a backup archive is damaged, truncated, wrongly encrypted or does not match its manifest
    ARCHIVE_INVALID = 9
    #: any other ims error
    ERROR = 10
    #: ``ims verify`` found a failed check
    VERIFY_FAILED = 11
    #: ``ims health`` found a failed check (the deployment is not ready)
    NOT_READY = 12
