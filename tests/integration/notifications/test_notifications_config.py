"""Notification configuration: env placeholders, template checks with exact positions."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from notifications_support import REPO

from ims.config import load
from ims.errors import ConfigError

NOTIFICATIONS = """\
channels:
  email:
    plugin: apprise
    url: "mailtos://{env:SMTP_USER}:{env:SMTP_PASSWORD}@smtp.example.sr?from=ims@example.sr"
    enabled: "{env:MAIL_ON:false}"
templates:
  state_entered:
    subject: {nl: "Aanvraag {number}: {state_label}", en: "Application {number}: {state_labl}"}
    body:
      nl: "Status {state_label}, aanvrager {applicant}."
      en: "State {state_label}."
  application_approved:
    subject: {nl: "Toegekend {number}"}
    body: {nl: "Toegekend.", en: "Approved."}
"""


@pytest.fixture
def deployment(tmp_path: Path) -> Path:
    """A copy of the reference deployment whose notifications.yaml the test writes."""
    shutil.copytree(REPO / "config", tmp_path / "config")
    shutil.copytree(REPO / "workflows", tmp_path / "workflows")
    root = tmp_path / "config" / "ims.yaml"
    root.write_text(root.read_text().replace("../plugins", str(REPO / "plugins")))
    return root


def issues(root: Path, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(root, env=env or {})
    return [i.format().replace(str(root.parent.parent) + os.sep, "") for i in caught.value.issues]


def position(path: Path, needle: str, *, nth: int = 0) -> str:
    """``line:col`` of the ``nth`` occurrence of ``needle`` in ``path``."""
    found = [
        f"{n}:{line.index(needle) + 1}"
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if needle in line
    ]
    return found[nth]


def test_placeholder_language_and_template_errors_point_at_the_text(deployment: Path) -> None:
    notifications = deployment.parent / "notifications.yaml"
    notifications.write_text(NOTIFICATIONS)
    workflow = deployment.parent.parent / "workflows" / "bouwsubsidie.yaml"
    rel = os.path.relpath(notifications, deployment.parent.parent)
    wf = os.path.relpath(workflow, deployment.parent.parent)
    subject_en = position(notifications, '"Application')
    assert subject_en == "8:59"
    found = issues(deployment, {"SMTP_USER": "u", "SMTP_PASSWORD": "p"})
    here = os.getcwd()
    found = [f.replace(os.path.relpath(deployment.parent.parent, here) + os.sep, "") for f in found]
    assert found == [
        f"{rel}:{subject_en}: error[unknown-placeholder]: /templates/state_entered/subject/en:"
        " unknown placeholder {state_labl} in template 'state_entered' subject (en)\n"
        "  hint: did you mean 'state_label'?",
        f"{rel}:10:11: error[unknown-placeholder]: /templates/state_entered/body/nl: unknown placeholder"
        " {applicant} in template 'state_entered' body (nl)\n  hint: did you mean 'applicant_name'?",
        f"{rel}:13:5: error[missing-language]: /templates/application_approved/subject: template"
        " 'application_approved' has no subject in en\n"
        "  hint: every template needs a subject and a body in en, nl",
        f"{wf}:{position(workflow, 'application_rejected')}: error[unknown-template]:"
        f" /states/REJECTED/on_enter/0/notify/template: unknown template 'application_rejected'"
        "\n  hint: did you mean 'application_approved'?",
        f"{wf}:{position(workflow, 'application_on_hold')}: error[unknown-template]:"
        f" /states/ON_HOLD/on_enter/0/notify/template: unknown template 'application_on_hold'"
        "\n  hint: did you mean 'application_approved'?",
    ]


def test_a_missing_environment_variable_is_named_never_the_url(deployment: Path) -> None:
    notifications = deployment.parent / "notifications.yaml"
    notifications.write_text(NOTIFICATIONS.split("templates:")[0])
    found = issues(deployment, {"SMTP_USER": "ims"})
    assert len(found) == 1
    assert found[0].endswith(
        "notifications.yaml:4:10: error[missing-env]: /channels/email/url: environment variable"
        " SMTP_PASSWORD is not set\n  hint: set SMTP_PASSWORD, or give a default: {env:SMTP_PASSWORD:...}"
    )
    assert "smtp.example.sr" not in found[0]


def test_placeholders_resolve_with_defaults(deployment: Path) -> None:
    config = load(deployment, env={})
    email = config.notifications.channels["email"]
    assert email.enabled is False
    assert email.url == "mailto://localhost?from=ims@housing.example.sr"
    config = load(deployment, env={"IMS_EMAIL_ENABLED": "true", "IMS_SMTP_URL": "mailtos://u:secret@h"})
    assert config.notifications.channels["email"].enabled is True
    assert "secret" not in repr(config.notifications)
    assert set(config.notifications.templates) >= {
        "state_entered",
        "task_assigned",
        "sla_warning",
        "sla_breach",
        "document_rejected",
        "decision_made",
        "application_approved",
        "application_rejected",
    }


def test_a_configuration_without_notifications_still_loads() -> None:
    config = load(REPO / "tests" / "fixtures" / "config" / "minimal" / "ims.yaml", env={})
    assert config.notifications.templates == {}
    assert config.notifications.channels == {}
