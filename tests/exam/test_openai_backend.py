"""The OpenAI-compatible backend: against a real llama.cpp server (slow; scripts/test-llama-server
starts one and `make test` passes its URL in LLMIQ_TEST_LLAMA_URL) for what the scores mean,
and against a local stub server (fast) for what a failing server does to the user."""

from __future__ import annotations

import contextlib
import http.server
import json
import math
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn

import pytest

from llmiq.errors import LlmiqError
from llmiq.exam.backends import BACKENDS, ScoringRequest
from llmiq.exam.openai_backend import OpenAIBackend, parse_model_id

LLAMA_ENV = "LLMIQ_TEST_LLAMA_URL"


# -- a stub OpenAI-compatible server ---------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # JSON-serialisable
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Seen:
    method: str
    path: str
    body: Any
    headers: dict[str, str]
    at: float


class StubServer:
    """Answers each path with its queue of :class:`Reply` s (the last one repeats) and
    records every request."""

    def __init__(self) -> None:
        self.replies: dict[str, list[Reply]] = {}
        self.seen: list[Seen] = []
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def answer(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                stub.seen.append(
                    Seen(method, self.path, body, dict(self.headers.items()), time.monotonic())
                )
                queue = stub.replies.get(self.path) or [Reply(404, {"detail": "Not Found"})]
                reply = queue.pop(0) if len(queue) > 1 else queue[0]
                data = json.dumps(reply.body).encode()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)

            def do_POST(self) -> None:
                self.answer("POST")

            def do_GET(self) -> None:
                self.answer("GET")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def on(self, path: str, *replies: Reply) -> None:
        self.replies["/v1" + path] = list(replies)

    def posts(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.method == "POST" and s.path == "/v1" + path]

    def backend(self, **options: Any) -> OpenAIBackend:
        options.setdefault("backoff", 0.01)
        return OpenAIBackend(f"openai:stub@{self.base}", **options)


@pytest.fixture
def stub(run_server: Callable[[http.server.HTTPServer], None]) -> StubServer:
    server = StubServer()
    run_server(server.server)
    return server


def completion(top: dict[str, float]) -> dict[str, Any]:
    """A /completions answer whose first token has this top-k."""
    first = max(top, key=lambda t: top[t])
    logprobs = {
        "tokens": [first],
        "token_logprobs": [top[first]],
        "top_logprobs": [top],
        "text_offset": [0],
    }
    return {"choices": [{"text": first, "index": 0, "logprobs": logprobs}]}


LETTERS = ScoringRequest("Q?\nA. x\nB. y\nC. z\nAnswer:", (" A", " B", " C"))
TOP = {" B": -0.4, " A": -1.5, "A": -1.2, " D": -3.0}


def one_sentence(error: pytest.ExceptionInfo[LlmiqError]) -> str:
    message = str(error.value)
    assert "\n" not in message
    assert "Traceback" not in message
    return message


# -- fast: the stub server -------------------------------------------------------------------


def test_letters_come_from_the_first_tokens_top_logprobs(stub: StubServer) -> None:
    stub.on("/completions", Reply(body=completion(TOP)))
    with stub.backend() as backend:
        (scores,) = backend.score([LETTERS])
    # "A" and " A" are the same letter: the likelier spelling counts.
    assert scores.logprobs[:2] == (-1.2, -0.4)
    # C is not in the top-k: below its lowest entry by log 2, finite.
    assert scores.logprobs[2] == pytest.approx(-3.0 - math.log(2))
    assert scores.greedy == (False, True, False)
    assert scores.best() == 1
    (seen,) = stub.posts("/completions")
    assert seen.body["max_tokens"] == 1
    assert seen.body["logprobs"] == 20
    assert seen.body["model"] == "stub"
    assert seen.body["prompt"] == LETTERS.prompt


def test_a_server_without_completions_is_asked_through_chat(stub: StubServer) -> None:
    content = [
        {
            "token": "B",
            "logprob": -0.3,
            "top_logprobs": [{"token": "B", "logprob": -0.3}, {"token": "A", "logprob": -1.9}],
        }
    ]
    message = {"role": "assistant", "content": "B"}
    stub.on(
        "/chat/completions",
        Reply(body={"choices": [{"message": message, "logprobs": {"content": content}}]}),
    )
    with stub.backend() as backend:
        first, second = backend.score([LETTERS, LETTERS])
    assert first == second
    assert first.logprobs[:2] == (-1.9, -0.3)
    assert first.greedy == (False, True, False)
    assert len(stub.posts("/completions")) >= 1  # asked once (per thread), then remembered
    chat = stub.posts("/chat/completions")[0].body
    assert chat["logprobs"] is True
    assert chat["top_logprobs"] == 20
    assert chat["messages"] == [{"role": "user", "content": LETTERS.prompt}]


def test_cloze_sums_the_echoed_tokens_after_the_prompt(stub: StubServer) -> None:
    prompt, continuation = "Capital of France:", " Paris"
    logprobs = {
        "tokens": ["Capital", " of", " France", ":", " Par", "is", "."],
        "token_logprobs": [None, -2.0, -1.0, -0.5, -0.7, -0.1, -0.2],
        "top_logprobs": [
            None,
            {" of": -2.0},
            {" France": -1.0},
            {":": -0.5},
            {" Par": -0.7},
            {"is": -0.1},
            {".": -0.2},
        ],
        "text_offset": [0, 7, 10, 17, 18, 22, 24],
    }
    stub.on(
        "/completions",
        Reply(body={"choices": [{"text": prompt + continuation + ".", "logprobs": logprobs}]}),
    )
    with stub.backend() as backend:
        (scores,) = backend.score([ScoringRequest(prompt, (continuation, " Lyon"))])
    assert scores.logprobs == (pytest.approx(-0.8), pytest.approx(-0.8))
    assert scores.greedy == (True, True)
    bodies = [s.body for s in stub.posts("/completions")]
    assert sorted(b["prompt"] for b in bodies) == [prompt + " Lyon", prompt + continuation]
    assert all(b["echo"] is True and b["logprobs"] == 1 for b in bodies)


def test_a_model_that_stops_at_once_is_asked_for_one_token(stub: StubServer) -> None:
    # llama.cpp's server sends no log-probabilities when the end of text is the top token.
    empty = {"tokens": [], "token_logprobs": [], "top_logprobs": [], "text_offset": []}
    stopped = {"choices": [{"text": "", "finish_reason": "stop", "logprobs": empty}]}
    stub.on("/completions", Reply(body=stopped), Reply(body=completion(TOP)))
    with stub.backend(concurrency=1) as backend:
        first, second = backend.score([LETTERS, LETTERS])
    assert first == second
    assert first.best() == 1
    sent = [s.body.get("min_tokens") for s in stub.posts("/completions")]
    assert sent == [None, 1, 1]  # learnt once, then always sent


def test_an_echo_shifted_by_one_token_is_refused(stub: StubServer) -> None:
    # llama-cpp-python's echo for a model without BOS: the generated "." is in the text but
    # not in the tokens, each token paired with the distribution after it.
    logprobs = {
        "tokens": ["Capital", ":", " Paris"],
        "token_logprobs": [None, -3.0, -6.0],
        "top_logprobs": [None, {" Paris": -0.5, ":": -3.0}, {".": -0.2, " Paris": -6.0}],
        "text_offset": [0, 7, 8],
    }
    answer = {
        "choices": [{"text": "Capital: Paris.", "finish_reason": "length", "logprobs": logprobs}]
    }
    stub.on("/completions", Reply(body=answer))
    with stub.backend() as backend, pytest.raises(LlmiqError) as error:
        backend.score([ScoringRequest("Capital:", (" Paris", " Lyon"))])
    assert "shifted by one token" in one_sentence(error)


def test_a_server_that_is_down_is_named(closed_port: int) -> None:
    backend = OpenAIBackend(f"openai:m@http://127.0.0.1:{closed_port}", backoff=0.01)
    with pytest.raises(LlmiqError) as error:
        backend.score([LETTERS])
    message = one_sentence(error)
    assert f"http://127.0.0.1:{closed_port}/v1" in message
    assert "cannot reach" in message
    assert "connection refused" in message


def test_a_server_error_is_retried(stub: StubServer) -> None:
    stub.on("/completions", Reply(500, {"error": "busy"}), Reply(body=completion(TOP)))
    with stub.backend() as backend:
        (scores,) = backend.score([LETTERS])
    assert scores.best() == 1
    assert len(stub.posts("/completions")) == 2


def test_too_many_requests_backs_off_exponentially(stub: StubServer) -> None:
    stub.on(
        "/completions",
        Reply(429, {"error": {"message": "slow down"}}),
        Reply(429, {"error": {"message": "slow down"}}),
        Reply(body=completion(TOP)),
    )
    with stub.backend(backoff=0.1) as backend:
        backend.score([LETTERS])
    times = [s.at for s in stub.posts("/completions")]
    assert len(times) == 3
    assert times[1] - times[0] >= 0.1
    assert times[2] - times[1] >= 0.2


def test_retry_after_is_honoured(stub: StubServer) -> None:
    stub.on("/completions", Reply(429, {}, {"Retry-After": "0.3"}), Reply(body=completion(TOP)))
    with stub.backend(backoff=0.01) as backend:
        backend.score([LETTERS])
    first, second = stub.posts("/completions")
    assert second.at - first.at >= 0.3


def test_retries_are_bounded(stub: StubServer) -> None:
    stub.on("/completions", Reply(503, {"error": {"message": "model is loading"}}))
    with stub.backend(max_retries=2) as backend, pytest.raises(LlmiqError) as error:
        backend.score([LETTERS])
    assert one_sentence(error) == (
        f"the model server at {stub.base} kept failing (HTTP 503: model is loading, 3 attempts)"
    )
    assert len(stub.posts("/completions")) == 3


def test_a_server_that_allows_fewer_top_logprobs_is_asked_for_five(stub: StubServer) -> None:
    limit = {"error": {"message": "Invalid value for 'logprobs': must be less than or equal to 5."}}
    stub.on("/completions", Reply(400, limit), Reply(body=completion(TOP)))
    with stub.backend(concurrency=1) as backend:
        backend.score([LETTERS, LETTERS])
    assert [s.body["logprobs"] for s in stub.posts("/completions")] == [20, 5, 5]


def test_a_server_without_logprobs_says_to_generate(stub: StubServer) -> None:
    stub.on("/completions", Reply(body={"choices": [{"text": " A", "logprobs": None}]}))
    with stub.backend() as backend, pytest.raises(LlmiqError) as error:
        backend.score([LETTERS])
    message = one_sentence(error)
    assert "no log-probabilities" in message
    assert "--scoring generate" in message
    assert stub.base in message


def test_a_refused_key_is_one_sentence(stub: StubServer, monkeypatch: pytest.MonkeyPatch) -> None:
    stub.on("/completions", Reply(401, {"error": {"message": "Incorrect API key provided"}}))
    monkeypatch.delenv("LLMIQ_TEST_KEY", raising=False)
    with stub.backend(api_key_env="LLMIQ_TEST_KEY") as backend, pytest.raises(LlmiqError) as error:
        backend.score([LETTERS])
    assert one_sentence(error) == (
        f"the model server at {stub.base} refused the request "
        "(HTTP 401: Incorrect API key provided); set LLMIQ_TEST_KEY"
    )
    assert "Authorization" not in stub.posts("/completions")[0].headers

    monkeypatch.setenv("LLMIQ_TEST_KEY", "sk-test")
    with stub.backend(api_key_env="LLMIQ_TEST_KEY") as backend, pytest.raises(LlmiqError) as error:
        backend.score([LETTERS])
    assert one_sentence(error).endswith("check the key in LLMIQ_TEST_KEY")
    assert stub.posts("/completions")[-1].headers["Authorization"] == "Bearer sk-test"
    assert len(stub.posts("/completions")) == 2  # a 401 is not retried


def test_an_unknown_model_lists_what_the_server_has(stub: StubServer) -> None:
    stub.on("/completions", Reply(404, {"error": {"message": "The model `stub` does not exist."}}))
    stub.replies["/v1/models"] = [Reply(body={"data": [{"id": "smollm2"}, {"id": "gemma"}]})]
    with stub.backend() as backend, pytest.raises(LlmiqError) as error:
        backend.score([LETTERS])
    assert one_sentence(error) == (
        f"the model server at {stub.base} has no model 'stub' (it serves: smollm2, gemma)"
    )


def test_generate_is_greedy_text(stub: StubServer) -> None:
    stub.on("/completions", Reply(body={"choices": [{"text": " Answer: C"}]}))
    with stub.backend() as backend:
        assert backend.generate(["Q1", "Q2"], max_new_tokens=5) == [" Answer: C"] * 2
    bodies = [s.body for s in stub.posts("/completions")]
    assert all(b["temperature"] == 0 and b["max_tokens"] == 5 for b in bodies)


def test_model_ids() -> None:
    assert parse_model_id("openai:smollm2@http://127.0.0.1:8080/v1") == (
        "smollm2",
        "http://127.0.0.1:8080/v1",
    )
    assert parse_model_id("openai:llama3:8b@http://h:11434/") == ("llama3:8b", "http://h:11434/v1")
    assert parse_model_id("openai:m@https://host/api/v1") == ("m", "https://host/api/v1")
    assert parse_model_id("openai:gpt-4o-mini", "http://h") == ("gpt-4o-mini", "http://h/v1")
    with pytest.raises(LlmiqError, match="openai:MODEL@URL"):
        parse_model_id("openai:m@127.0.0.1:8080")
    backend = BACKENDS.load("openai:m@http://127.0.0.1:1")
    assert isinstance(backend, OpenAIBackend)
    assert backend.base_url == "http://127.0.0.1:1/v1"


# -- slow: a real llama.cpp server -----------------------------------------------------------


def seed_requests(lang: str = "en") -> list[ScoringRequest]:
    """MMLU-style letter prompts for the seed bank's choice questions."""
    from llmiq.bank.catalog import resolve_bank

    requests = []
    for question in resolve_bank("seed").questions:
        if not question.is_choice:
            continue
        lines = [question.prompt.get(lang)]
        lines += [f"{o.key}. {o.text.get(lang)}" for o in question.options]
        lines.append("Answer:" if lang == "en" else "答案:")
        keys = tuple(f" {o.key}" for o in question.options)
        requests.append(ScoringRequest("\n".join(lines), keys))
    return requests


@pytest.fixture(scope="module")
def llama_url(service_missing: Callable[[str], NoReturn]) -> str:
    url = os.environ.get(LLAMA_ENV)
    if not url:
        service_missing(
            f"no llama.cpp server: set {LLAMA_ENV} (scripts/test-llama-server start prints it)"
        )
    return url


@pytest.fixture
def llama(llama_url: str) -> Iterator[OpenAIBackend]:
    with OpenAIBackend(f"openai:smollm2@{llama_url}") as backend:
        yield backend


def raw_completion(url: str, **body: Any) -> dict[str, Any]:
    """The server's own answer, read without the backend."""
    import httpx

    payload = {"model": "smollm2", "temperature": 0, **body}
    response = httpx.post(url + "/completions", json=payload, timeout=120)
    response.raise_for_status()
    return response.json()["choices"][0]


@pytest.mark.slow
def test_letter_scores_pick_the_servers_own_top_letter(
    llama: OpenAIBackend, llama_url: str
) -> None:
    requests = seed_requests("en")[:4] + seed_requests("zh")[:2]
    scores = llama.score(requests)
    for request, one in zip(requests, scores, strict=True):
        assert all(math.isfinite(lp) for lp in one.logprobs)
        # The server's own next-token distribution (min_tokens: SmolLM2's likeliest next
        # token is often the end of text, and the server then sends no log-probabilities).
        choice = raw_completion(
            llama_url, prompt=request.prompt, max_tokens=1, logprobs=20, min_tokens=1
        )
        top = choice["logprobs"]["top_logprobs"][0]
        letters = [c.strip() for c in request.continuations]
        ranked = sorted(top, key=lambda t: -top[t])
        best_letter = next(t for t in ranked if t.strip() in letters)
        assert letters[one.best()] == best_letter.strip()
        assert one.logprobs[one.best()] == pytest.approx(top[best_letter], abs=1e-4)
        assert one.greedy[one.best()] == (ranked[0].strip() == best_letter.strip())
        assert sum(one.greedy) <= 1


@pytest.mark.slow
def test_cloze_scores_are_exact_or_refused(llama: OpenAIBackend, llama_url: str) -> None:
    """llama-cpp-python pairs each echoed token with the distribution after it when the
    model has no BOS token (SmolLM2): the backend must refuse such numbers, and sum the
    echoed tokens on a server whose echo is right."""
    (request,) = seed_requests("en")[:1]
    # Ground truth: log P(" A" | prompt) from the next-token distribution.
    truth = raw_completion(
        llama_url, prompt=request.prompt, max_tokens=1, logprobs=20, min_tokens=1
    )["logprobs"]["top_logprobs"][0][" A"]
    echo = raw_completion(
        llama_url, prompt=request.prompt + " A", echo=True, logprobs=1, max_tokens=1, min_tokens=1
    )["logprobs"]
    last = max(
        i for i, offset in enumerate(echo["text_offset"]) if offset < len(request.prompt) + 2
    )
    cloze = ScoringRequest(request.prompt, (" A", " Fine-tuning"))
    if echo["token_logprobs"][last] == pytest.approx(truth, abs=1e-4):
        (scores,) = llama.score([cloze])
        assert scores.logprobs[0] == pytest.approx(truth, abs=1e-4)
    else:
        with pytest.raises(LlmiqError) as error:
            llama.score([cloze])
        assert "shifted by one token" in one_sentence(error)


@pytest.mark.slow
def test_generate_returns_text(llama: OpenAIBackend) -> None:
    (text,) = llama.generate(["Question: What is 2 + 2?\nAnswer:"], max_new_tokens=8)
    assert isinstance(text, str)
    assert text.strip()


@pytest.mark.slow
def test_concurrent_scoring_matches_sequential(llama_url: str) -> None:
    requests = seed_requests("en") + seed_requests("zh")
    with OpenAIBackend(f"openai:smollm2@{llama_url}", concurrency=1) as one:
        sequential = one.score(requests)
    with OpenAIBackend(f"openai:smollm2@{llama_url}", concurrency=4) as four:
        parallel = four.score(requests)
    assert [s.best() for s in parallel] == [s.best() for s in sequential]
    assert [s.greedy for s in parallel] == [s.greedy for s in sequential]
    for a, b in zip(parallel, sequential, strict=True):
        assert a.logprobs == pytest.approx(b.logprobs, abs=1e-3)
