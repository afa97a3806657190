"""Users and roles through the Python API."""

from __future__ import annotations

import pytest

from ims import IMS, Conflict, NotFound, PermissionDenied
from ims.demo import applicant_data


def test_grant_revoke_deactivate(ims: IMS) -> None:
    user = ims.users.create("nina", display_name="Nina", roles=["front_office"])
    assert user.roles == ("front_office",)
    assert ims.users.grant("nina", "staff").roles == ("front_office", "staff")
    assert ims.users.revoke("nina", "front_office").roles == ("staff",)
    with pytest.raises(NotFound, match="does not have role 'front_office'"):
        ims.users.revoke("nina", "front_office")
    with pytest.raises(NotFound, match="unknown role 'boss'"):
        ims.users.grant("nina", "boss")
    with pytest.raises(Conflict):
        ims.users.create("nina")
    ims.users.deactivate("nina")
    with pytest.raises(PermissionDenied, match="inactive user 'nina'"):
        ims.applications.create("bouwsubsidie", applicant_data("A", "B"), actor="nina")


def test_only_user_managers_manage_users(ims: IMS) -> None:
    with pytest.raises(PermissionDenied, match=r"users\.manage"):
        ims.users.create("eve", actor="fenna")
    assert ims.users.create("eve", actor="anna").username == "eve"


def test_user_changes_are_audited(ims: IMS) -> None:
    ims.users.create("olga", roles=["control"], actor="ivan")
    actions = [e.action for e in ims.audit.entries(actor="anna", limit=1000)]
    assert "user-created" in actions and "role-granted" in actions
    with pytest.raises(PermissionDenied):
        ims.audit.entries(actor="fenna")
