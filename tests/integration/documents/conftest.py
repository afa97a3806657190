"""An IMS on the reference deployment with its data folder (documents, secret key) in tmp_path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from documents_support import START

from ims import IMS
from ims.demo import USERS
from ims.testing.fixtures import Clock

REPO = Path(__file__).resolve().parents[3]
REFERENCE_CONFIG = REPO / "config" / "ims.yaml"


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def make_ims(db_url: str, clock: Clock, data_dir: Path) -> Iterator[Callable[..., IMS]]:
    """Build an IMS on the reference deployment; extra ``env`` entries override settings."""
    made: list[IMS] = []

    def make(**env: str) -> IMS:
        instance = IMS.from_config(
            REFERENCE_CONFIG,
            env={"IMS_LANGUAGE": "en", "IMS_DATA_DIR": str(data_dir), **env},
            database_url=db_url,
            clock=clock,
            auto_upgrade=True,
        )
        if not made:
            for username, (name, role) in USERS.items():
                instance.users.create(username, display_name=name, roles=[role])
        made.append(instance)
        return instance

    yield make
    for instance in made:
        instance.close()


@pytest.fixture
def ims(make_ims: Callable[..., IMS]) -> IMS:
    return make_ims()


@pytest.fixture
def number(ims: IMS) -> str:
    """A DRAFT application made by fenna (front office), applicant paul."""
    return ims.applications.create(
        "bouwsubsidie", {"applicant": {"first_name": "A", "last_name": "B"}}, actor="fenna", applicant="paul"
    ).number


@pytest.fixture
def custom_config(tmp_path: Path) -> Callable[[Callable[[str, str], tuple[str, str]]], Path]:
    """A copy of the reference configuration, its root and reference files edited.

    ``edit(root_text, reference_text) -> (root_text, reference_text)``; the copy's
    plugins folder is the repository's ``plugins/``.
    """

    def make(edit: Callable[[str, str], tuple[str, str]]) -> Path:
        folder = tmp_path / "deployment"
        (folder / "config").mkdir(parents=True)
        (folder / "workflows").mkdir()
        for name in ("roles.yaml", "sla.yaml", "notifications.yaml"):
            (folder / "config" / name).write_text((REPO / "config" / name).read_text())
        for wf in (REPO / "workflows").glob("*.yaml"):
            (folder / "workflows" / wf.name).write_text(wf.read_text())
        root = (REPO / "config" / "ims.yaml").read_text().replace("../plugins", str(REPO / "plugins"))
        root, reference = edit(root, (REPO / "config" / "reference.yaml").read_text())
        (folder / "config" / "ims.yaml").write_text(root)
        (folder / "config" / "reference.yaml").write_text(reference)
        return folder / "config" / "ims.yaml"

    return make


@pytest.fixture
def ims_on(db_url: str, clock: Clock, data_dir: Path) -> Iterator[Callable[[Path], IMS]]:
    """An IMS on another root file (users seeded), data in ``data_dir``."""
    made: list[IMS] = []

    def make(root: Path) -> IMS:
        instance = IMS.from_config(
            root,
            env={"IMS_LANGUAGE": "en", "IMS_DATA_DIR": str(data_dir)},
            database_url=db_url,
            clock=clock,
            auto_upgrade=True,
        )
        made.append(instance)
        for username, (name, role) in USERS.items():
            instance.users.create(username, display_name=name, roles=[role])
        return instance

    yield make
    for instance in made:
        instance.close()
