"""income_at_most, through a real IMS built by the ims.testing fixtures."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from ims_income import income_at_most

from ims import IMS, RuleError, TransitionRefused

SENTENCES = {
    "en": "the income must be at most 3,000 (is 4,200.5)",
    "nl": "het inkomen mag hoogstens 3.000 zijn (is 4.200,5)",
}


@pytest.fixture(params=["en", "nl"])
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def ims_env(ims_env: dict[str, str], language: str) -> dict[str, str]:
    """The kit's environment, in each language (a fixture may extend the one it overrides)."""
    return {**ims_env, "IMS_LANGUAGE": language}


@pytest.fixture
def clerk(make_user: Callable[..., str]) -> str:
    return make_user("clara", "clerk")


def new_grant(ims: IMS, clerk: str, **data: Any) -> str:
    return ims.applications.create("grant", data, actor=clerk).number


def test_an_income_within_the_limit_passes(ims_instance: IMS, clerk: str) -> None:
    number = new_grant(ims_instance, clerk, applicant={"name": "Ana", "income": 3000})
    assert ims_instance.workflow.transition(number, "submit", actor=clerk).to_state == "REVIEW"


def test_an_income_above_the_limit_is_refused_in_the_deployments_language(
    ims_instance: IMS, clerk: str, language: str
) -> None:
    number = new_grant(ims_instance, clerk, applicant={"name": "Ana", "income": 4200.5})
    with pytest.raises(TransitionRefused) as refused:
        ims_instance.workflow.transition(number, "submit", actor=clerk)
    assert refused.value.reasons == [SENTENCES[language]]
    assert ims_instance.applications.get(number).state == "OPEN"


def test_a_missing_income_fails(ims_instance: IMS, clerk: str, language: str) -> None:
    number = new_grant(ims_instance, clerk, applicant={"name": "Ana"})
    with pytest.raises(TransitionRefused) as refused:
        ims_instance.workflow.transition(number, "submit", actor=clerk)
    assert refused.value.reasons == [{"en": "the income is missing", "nl": "het inkomen ontbreekt"}[language]]


def test_field_names_another_number(ims_instance: IMS, clerk: str) -> None:
    number = new_grant(ims_instance, clerk, applicant={"income": 1000}, household={"income": 5000})
    ims_instance.workflow.transition(number, "submit", actor=clerk)
    with pytest.raises(TransitionRefused, match=r"4[.,]500 .*\(is 5[.,]000\)"):
        ims_instance.workflow.transition(number, "grant", actor=clerk)
    ims_instance.applications.update_data(number, {"household": {"income": 4500}}, actor=clerk)
    assert ims_instance.workflow.transition(number, "grant", actor=clerk).to_state == "GRANTED"


@pytest.mark.parametrize("limit", [None, "3000", True])
def test_a_bad_limit_is_a_rule_error(limit: object) -> None:
    ctx = SimpleNamespace(snapshot=SimpleNamespace(data={"applicant": {"income": 1}}), language="en")
    with pytest.raises(RuleError, match=r"needs a number as args\.limit"):
        income_at_most(ctx, {"limit": limit})


def test_installed_packages_are_found_by_their_entry_point() -> None:
    try:
        dist = importlib.metadata.distribution("ims-income")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("ims-income is not installed (pip install -e examples/ims-income)")
    from ims.hooks.manager import describe_plugins, make_plugin_manager

    assert [ep.value for ep in dist.entry_points if ep.group == "ims"] == ["ims_income"]
    loaded = {
        p.name: p for p in describe_plugins(make_plugin_manager(None, env={"IMS_LOAD_PLUGINS": "income"}))
    }
    assert loaded["income"].hooks == ("register_predicates",)
