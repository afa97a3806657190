"""Helpers for the hook and documentation-example tests: an IMS on the reference deployment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ims import IMS
from ims.demo import USERS, applicant_data

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "config" / "ims.yaml"


def deployment(folder: Path, *, plugins: dict[str, Any] | None = None, **settings: Any) -> Path:
    """A root file in ``folder``: the reference deployment with ``settings`` changed.

    Every file it names is the repository's own (absolute paths); the data folder
    is ``folder / "data"``; ``plugins`` replaces the per-plugin configuration.
    """
    root = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    base = REFERENCE.parent

    def absolute(value: Any) -> Any:
        if isinstance(value, str) and value.endswith((".yaml", ".yml")):
            return str((base / value).resolve())
        if isinstance(value, list):
            return [absolute(v) for v in value]
        return value

    root = {key: absolute(value) for key, value in root.items()}
    root["settings"] = {
        **root.get("settings", {}),
        "plugins_dir": str((base / root["settings"]["plugins_dir"]).resolve()),
        "data_dir": str(folder / "data"),
        **settings,
    }
    if plugins is not None:
        root["plugins"] = plugins
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "ims.yaml"
    path.write_text(yaml.safe_dump(root, sort_keys=False), encoding="utf-8")
    return path


def build(
    database_url: str, tmp_path: Path, *plugins: object, config: Path = REFERENCE, **kwargs: Any
) -> IMS:
    """An IMS (English sentences, data in tmp_path) with ``plugins`` registered and a user per role."""
    ims = IMS.from_config(
        config,
        env={"IMS_LANGUAGE": "en", "IMS_DATA_DIR": str(tmp_path / "data")},
        database_url=database_url,
        auto_upgrade=True,
        extra_plugins=plugins,
        **kwargs,
    )
    for username, (name, role) in USERS.items():
        ims.users.create(username, display_name=name, roles=[role])
    return ims


def ready_draft(ims: IMS, **data: Any) -> str:
    """A DRAFT application that ``submit`` (by fenna) takes to INTAKE_REVIEW."""
    full = applicant_data("Maria", "Doe")
    full.update(data)
    number = ims.applications.create("bouwsubsidie", full, actor="fenna", applicant="paul").number
    ims.documents.add(number, "national_declaration", "declaration.pdf", actor="fenna", content=b"%PDF-1.4")
    return number
