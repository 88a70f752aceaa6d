"""schemathesis against the served OpenAPI document: generated requests, valid ones and ones
that break the schema, never make the API fail; invalid ones are refused with a 4xx; every
answer matches what the document promises."""

from __future__ import annotations

import asyncio
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from bot.apikeys import create_key
from tests.e2e.conftest import NOW
from tests.omni.conftest import base_url

EXAMPLES = 12


def run_schemathesis(base: str, key: str) -> tuple[list[str], dict[int, int]]:
    schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
    session = requests.Session()
    failures: list[str] = []
    statuses: dict[int, int] = {}
    operations = [r.ok() for r in schema.get_all_operations()]
    for operation, mode in [(op, m) for op in operations for m in GenerationMode]:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            response = case.call_and_validate(base_url=base, session=session,
                                              headers={"Authorization": f"Bearer {key}"})
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        try:
            check()
        except Exception as e:  # collect every operation's failure, then report them together
            failures.append(f"{operation.label} ({mode.value}): {e}")
    return failures, statuses


async def test_api_conforms_to_its_openapi_document(start_omni, emu, staff) -> None:
    app = await start_omni()
    key = await create_key(app.store, "staff", "schemathesis", "tom", NOW)
    failures, statuses = await asyncio.to_thread(run_schemathesis, base_url(app), key)
    assert not failures, "\n\n".join(failures)
    # Requests really went out, and some of them filed complaints.
    assert sum(statuses.values()) >= 6 * 5 and 201 in statuses, statuses
