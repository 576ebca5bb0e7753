"""``llmiq exam run --base-url URL --model NAME`` takes any OpenAI-compatible server; a server
that is down is one sentence naming it, and no run is left behind."""

from __future__ import annotations

from collections.abc import Callable

import pytest

pytestmark = pytest.mark.slow  # the backend retries with backoff before it gives up


def test_a_server_that_is_down_is_one_sentence(run_cli: Callable, closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/v1"
    result = run_cli("exam", "run", "seed", "--model", "smol", "--base-url", url, "--limit", "1")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"Error: cannot reach the model server at {url} (connection refused); is it running?"
    )
