"""schemathesis against the generated OpenAPI schema, in process (ASGI), on SQLite and PostgreSQL.

Every operation gets ``EXAMPLES`` generated requests (valid and invalid ones), as an
administrator and as an applicant, over a database holding a few applications and
documents.  The checks: no server error (5xx), every status code, content type,
header and body as the schema documents them.  ``IMS_FUZZ_EXAMPLES`` raises the
budget (CI runs the default; a nightly run can use 1000).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from api_support import PDF, Auth, make_app  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ims import IMS  # noqa: E402
from ims.demo import applicant_data  # noqa: E402

EXAMPLES = int(os.environ.get("IMS_FUZZ_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _checker(strategy: Any, headers: dict[str, str]) -> Callable[[], None]:
    """A hypothesis test calling each generated case with ``headers`` and running the checks."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    return check  # type: ignore[no-any-return]


@pytest.mark.slow
def test_fuzz_the_openapi_schema(ims: IMS, auth: Auth) -> None:
    for i in range(3):
        app = ims.applications.create(
            "bouwsubsidie", applicant_data(f"F{i}", "Z"), actor="fenna", applicant="paul"
        )
        ims.documents.add(app.id, "plot_map", "p.pdf", actor="fenna", content=PDF + bytes([i]))
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", make_app(ims, rate_limit_per_minute=0))
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    for user, mode in (("anna", GenerationMode.POSITIVE), ("anna", GenerationMode.NEGATIVE), ("paul", None)):
        headers = auth(user)
        for operation in operations:
            strategy = operation.as_strategy(mode) if mode else operation.as_strategy()

            check = _checker(strategy, headers)
            try:
                check()
            except Exception as exc:  # collect every operation's failure, then report them all
                failures.append(f"{user} {mode} {operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
