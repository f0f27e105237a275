"""The live server's /api/openapi.json, fuzzed with schemathesis: no 5xx, responses match the document.

Uses schemathesis' Python API (v4): one Hypothesis run per operation, with valid and invalid
parameters, bounded to a few examples each so the whole run takes seconds. Part of ``make test``.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, status_code_conformance]
EXAMPLES_PER_OPERATION = 12


def test_api_conforms_to_its_openapi_document(live_server: str) -> None:
    schema = schemathesis.openapi.from_url(f"{live_server}/api/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5
    for operation in operations:
        modes = [schemathesis.GenerationMode.POSITIVE]
        if len(operation.query) > 0:  # nothing to make invalid in an operation without parameters
            modes.append(schemathesis.GenerationMode.NEGATIVE)
        for mode in modes:
            strategy = operation.as_strategy(generation_mode=mode)

            @given(case=strategy)
            @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            def check(case: schemathesis.Case) -> None:
                case.call_and_validate(base_url=live_server, checks=CHECKS)

            check()
