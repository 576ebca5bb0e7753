"""An exam backend for any OpenAI-compatible server: vLLM, llama.cpp's server, Ollama, OpenAI.

Model ids are ``openai:MODEL@URL`` (``openai:smollm2@http://127.0.0.1:8080/v1``; a URL with
no path gets ``/v1``) or ``openai:MODEL`` with ``OPENAI_BASE_URL`` or OpenAI's own address.
The API key comes from an environment variable the caller names (``OPENAI_API_KEY`` by
default); local servers need none.

Scoring follows lm-evaluation-harness as far as a server lets it:

- Letters (every continuation at most three characters once stripped, `` A``, `` B``, ...):
  one ``/completions`` call per question with ``max_tokens=1, logprobs=20``; each letter's
  log-probability is read from the first generated token's top-20, matching the token with
  and without its leading space and taking the likelier spelling. A server without
  ``/completions`` is asked through ``/chat/completions`` (``top_logprobs=20``; the prompt is
  then one user message, so the chat template changes what is scored). A letter missing from
  the top-k has probability below the k-th one: it gets that lowest value minus log 2, a
  finite floor (calibration divides by probabilities, so not ``-inf``) that stays below every
  listed token, so ``best()`` is the server's own top letter. ``greedy`` is exact: true only
  for the letter that is the top-1 token (up to its leading space).
- Longer continuations (cloze): ``/completions`` with ``echo=true, logprobs=1, max_tokens=1``
  on prompt + continuation; the continuation's log-probability is the sum over the echoed
  tokens from the prompt's end (``text_offset``; a token straddling the boundary counts as
  continuation), and it is greedy when each of those tokens is its position's top-1.
  llama-cpp-python's server shifts that echo by one token for models without a BOS token
  (SmolLM2): the backend detects it (the generated token is missing) and refuses cloze there.
- A model whose likeliest next token is the end of text makes llama.cpp's server return no
  log-probabilities: it is asked again with ``min_tokens=1``, which changes sampling only.

Left out: batching several prompts in one call (servers differ on list prompts), and
tokenizing prompt and continuation separately as lm-eval does (the server tokenizes the
joined text, which differs only at a boundary inside a token).

Requests run in a thread pool (``concurrency``, 4 by default) on one ``httpx.Client``;
connection errors, 429 and 5xx are retried with exponential backoff (``Retry-After`` is
honoured), and every failure ends as one :class:`LlmiqError` sentence.
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from llmiq.errors import LlmiqError
from llmiq.exam.backends import ModelBackend, Scores, ScoringRequest
from llmiq.messages import N_

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_BASE_URL = "https://api.openai.com/v1"
TOP_LOGPROBS = 20  # OpenAI's chat maximum, vLLM's default cap
SMALL_TOP_LOGPROBS = 5  # what a server refusing 20 is asked for instead
LETTER_LENGTH = 3  # continuations this short (stripped) are scored from one token's top-k
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_DELAY = 30.0  # seconds: the longest single wait between attempts, Retry-After included
LOG2 = math.log(2.0)


def parse_model_id(model_id: str, base_url: str | None = None) -> tuple[str, str]:
    """``(model, base_url)`` of an ``openai:`` id.

    >>> parse_model_id("openai:smollm2@http://127.0.0.1:8080")
    ('smollm2', 'http://127.0.0.1:8080/v1')
    """
    rest = model_id.removeprefix("openai:")
    match = re.fullmatch(r"(?P<model>.+?)@(?P<url>https?://\S+)", rest)
    if match:
        rest, base_url = match["model"], match["url"]
    if not rest or ("@" in rest and not match):
        raise LlmiqError(
            N_("model id {model} is not openai:MODEL@URL (e.g. {example})"),
            model=repr(model_id),
            example="openai:smollm2@http://127.0.0.1:8080/v1",
        )
    url = base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LlmiqError(N_("the server address {url} is not an http(s) URL"), url=repr(url))
    url = url.rstrip("/")
    if parts.path in ("", "/"):
        url += "/v1"
    return rest, url


def is_letter_request(request: ScoringRequest) -> bool:
    """Whether every continuation is a letter-like single token (`` A``, ``B)``)."""
    return all(0 < len(c.strip()) <= LETTER_LENGTH for c in request.continuations)


def letter_scores(continuations: Sequence[str], top: dict[str, float]) -> Scores:
    """Scores of short continuations from one position's top-k ``{token: logprob}``.

    >>> s = letter_scores([" A", " B", " C"], {" A": -0.5, "B": -1.5, " D": -3.0})
    >>> s.logprobs[:2], round(s.logprobs[2], 3), s.greedy
    ((-0.5, -1.5), -3.693, (True, False, False))
    """
    if not top:
        raise ValueError("an empty top-k")
    floor = min(top.values()) - LOG2
    by_text: dict[str, float] = {}
    for token, logprob in top.items():
        key = token.strip()
        by_text[key] = max(logprob, by_text.get(key, -math.inf))
    first = max(top, key=lambda token: top[token]).strip()
    return Scores(
        logprobs=tuple(by_text.get(c.strip(), floor) for c in continuations),
        greedy=tuple(c.strip() == first for c in continuations),
    )


def continuation_logprob(
    tokens: Sequence[str],
    token_logprobs: Sequence[float | None],
    offsets: Sequence[int],
    tops: Sequence[dict[str, float] | None],
    start: int,
    end: int,
) -> tuple[float, bool]:
    """Sum of the log-probabilities of the echoed tokens covering characters
    ``[start, end)``, and whether each of them was its position's top-1.

    >>> continuation_logprob(["Q", ":", " Paris", "!"], [None, -2.0, -1.0, -0.1],
    ...                      [0, 1, 2, 8], [None, {":": -2.0}, {" Rome": -0.5}, {"!": -0.1}], 2, 8)
    (-1.0, False)
    """
    total, greedy, seen = 0.0, True, False
    for i, (offset, logprob) in enumerate(zip(offsets, token_logprobs, strict=True)):
        token_end = offsets[i + 1] if i + 1 < len(offsets) else offset + len(tokens[i])
        if offset >= end or token_end <= start:
            continue
        if logprob is None:
            raise ValueError("the continuation's first token has no log-probability")
        seen = True
        total += logprob
        top = tops[i] if i < len(tops) else None
        greedy = greedy and bool(top) and logprob >= max(top.values()) - 1e-6  # type: ignore[union-attr]
    if not seen:
        raise ValueError("no echoed token covers the continuation")
    return total, greedy


def run_parallel(function: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """``[function(x) for x in items]`` on up to ``workers`` threads; the first error is
    raised and the calls not yet started are cancelled."""
    if workers <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="llmiq-openai") as pool:
        futures = [pool.submit(function, item) for item in items]
        try:
            return [future.result() for future in futures]
        except BaseException:
            for future in futures:
                future.cancel()
            raise


class OpenAIBackend(ModelBackend):
    """Scores and generates through an OpenAI-compatible HTTP API (see the module docstring)."""

    def __init__(
        self,
        model_id: str,
        *,
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        concurrency: int = 4,
        timeout: float = 120.0,  # seconds to wait for one answer (a CPU server can be slow)
        connect_timeout: float = 10.0,
        max_retries: int = 4,  # extra attempts after connection errors, 429 and 5xx
        backoff: float = 0.5,  # seconds before the first retry, doubled each time
    ) -> None:
        super().__init__(model_id)
        self.model, self.base_url = parse_model_id(model_id, base_url)
        self.api_key_env = api_key_env
        self.concurrency = max(1, concurrency)
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.max_retries = max(0, max_retries)
        self.backoff = backoff
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()
        self._chat_only = False  # set once /completions turns out to be missing
        self._top_k = TOP_LOGPROBS
        self._min_tokens = False  # send min_tokens=1 (learnt from a model that stopped at once)

    # -- the ModelBackend interface ----------------------------------------------------------

    def score(self, requests: Sequence[ScoringRequest]) -> list[Scores]:
        """One :class:`Scores` per request: letters from one call's top-k, cloze
        continuations from one echoed call each."""
        jobs: list[tuple[int, int]] = []  # (request, continuation) for cloze; -1: letters
        for index, request in enumerate(requests):
            if is_letter_request(request):
                jobs.append((index, -1))
            else:
                jobs.extend((index, k) for k in range(len(request.continuations)))

        def run(job: tuple[int, int]) -> Scores | tuple[float, bool]:
            index, k = job
            request = requests[index]
            if k < 0:
                return self._score_letters(request)
            return self._score_cloze(request.prompt, request.continuations[k])

        results = run_parallel(run, jobs, self.concurrency)
        out: list[Scores | None] = [None] * len(requests)
        cloze: dict[int, list[tuple[float, bool]]] = {}
        for (index, k), result in zip(jobs, results, strict=True):
            if k < 0:
                assert isinstance(result, Scores)
                out[index] = result
            else:
                assert isinstance(result, tuple)
                cloze.setdefault(index, []).append(result)
        for index, parts in cloze.items():
            out[index] = Scores(tuple(p[0] for p in parts), tuple(p[1] for p in parts))
        return [s for s in out if s is not None]

    def generate(self, prompts: Sequence[str], *, max_new_tokens: int = 16) -> list[str]:
        """Greedy (temperature 0) continuations, through ``/completions`` or, on servers
        without it, ``/chat/completions`` with the prompt as one user message."""

        def one(prompt: str) -> str:
            if not self._chat_only:
                body = {"prompt": prompt, "max_tokens": max_new_tokens, "temperature": 0}
                data = self._completions(body)
                if data is not None:
                    return str(self._first_choice(data).get("text") or "")
            body = {"max_tokens": max_new_tokens, "temperature": 0}
            choice = self._first_choice(self._chat(prompt, body))
            return str((choice.get("message") or {}).get("content") or "")

        return run_parallel(one, list(prompts), self.concurrency)

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    # -- scoring -----------------------------------------------------------------------------

    def _score_letters(self, request: ScoringRequest) -> Scores:
        try:
            top = self._letter_top_logprobs(request.prompt, self._top_k)
        except _TopKTooLarge:
            if self._top_k <= SMALL_TOP_LOGPROBS:
                raise
            # OpenAI's legacy completions allow 5; the first refusal lowers it for good.
            self._top_k = SMALL_TOP_LOGPROBS
            top = self._letter_top_logprobs(request.prompt, self._top_k)
        if top is None:
            raise self._no_logprobs()
        return letter_scores(request.continuations, top)

    def _letter_top_logprobs(self, prompt: str, k: int) -> dict[str, float] | None:
        if not self._chat_only:
            body = {"prompt": prompt, "max_tokens": 1, "logprobs": k, "temperature": 0}
            data = self._scoring_completion(body)
            if data is not None:
                return first_top_logprobs(self._first_choice(data).get("logprobs"))
        body = {"max_tokens": 1, "temperature": 0, "logprobs": True, "top_logprobs": k}
        return first_top_logprobs(self._first_choice(self._chat(prompt, body)).get("logprobs"))

    def _score_cloze(self, prompt: str, continuation: str) -> tuple[float, bool]:
        text = prompt + continuation
        body = {"prompt": text, "max_tokens": 1, "echo": True, "logprobs": 1, "temperature": 0}
        data = None if self._chat_only else self._scoring_completion(body)
        if data is None:
            raise LlmiqError(
                N_(
                    "the server at {url} has no /completions endpoint, which cloze scoring "
                    "needs (the log-probabilities of an echoed prompt); use --scoring letter or "
                    "--scoring generate"
                ),
                url=self.base_url,
            )
        logprobs = self._first_choice(data).get("logprobs") or {}
        tokens = logprobs.get("tokens") or []
        values = logprobs.get("token_logprobs") or []
        offsets = logprobs.get("text_offset") or []
        if not (tokens and len(tokens) == len(values) == len(offsets)):
            raise LlmiqError(
                N_(
                    "the server at {url} returned no log-probabilities for the echoed prompt of "
                    "model {model}, which cloze scoring needs; use --scoring letter or --scoring "
                    "generate"
                ),
                url=self.base_url,
                model=repr(self.model),
            )
        tops = logprobs.get("top_logprobs") or []
        generated = len(str(self._first_choice(data).get("text") or "")) > len(text)
        if generated and offsets[-1] + len(tokens[-1]) <= len(text):
            # The generated token is missing from the list: llama-cpp-python pairs each echoed
            # token with the distribution that follows it when the model has no BOS token.
            raise LlmiqError(
                N_(
                    "the server at {url} echoes the prompt's log-probabilities shifted by one "
                    "token (llama-cpp-python does for models without a BOS token), so cloze "
                    "scores would be wrong; use --scoring letter or --scoring generate"
                ),
                url=self.base_url,
            )
        # Offsets count from the start of the echoed text; the generated token comes after.
        try:
            return continuation_logprob(tokens, values, offsets, tops, len(prompt), len(text))
        except ValueError as error:
            raise LlmiqError(
                N_(
                    "the server at {url} echoed log-probabilities that do not cover the "
                    "continuation {continuation} ({reason})"
                ),
                url=self.base_url,
                continuation=repr(continuation),
                reason=error,
            ) from None

    # -- HTTP --------------------------------------------------------------------------------

    def _scoring_completion(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """A ``/completions`` answer that generated a token. When the end of text is the
        likeliest next token, llama.cpp's server stops before any token and returns no
        log-probabilities; such a request is asked again with ``min_tokens=1`` (llama.cpp,
        vLLM), which bans stopping when sampling only: the log-probabilities stay the model's
        own (measured on llama-cpp-python 0.3.36). Once needed it is always sent."""
        if self._min_tokens:
            return self._completions({**body, "min_tokens": 1})
        data = self._completions(body)
        if data is None or not stopped_at_once(self._first_choice(data), body):
            return data
        try:
            again = self._completions({**body, "min_tokens": 1})
        except LlmiqError:  # a server that refuses min_tokens: keep its first answer
            return data
        self._min_tokens = True
        return again

    def _completions(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """The JSON answer of ``/completions``, or None when the server has no such endpoint
        (it is then asked through chat from now on)."""
        response = self._post("/completions", body, missing_ok=True)
        if response is None:
            self._chat_only = True
        return response

    def _chat(self, prompt: str, body: dict[str, Any]) -> dict[str, Any]:
        body = {**body, "messages": [{"role": "user", "content": prompt}]}
        response = self._post("/chat/completions", body, missing_ok=False)
        assert response is not None
        return response

    def _first_choice(self, data: dict[str, Any]) -> dict[str, Any]:
        choices = data.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise LlmiqError(
                N_("the server at {url} answered without any choices"), url=self.base_url
            )
        return choices[0]

    def _no_logprobs(self) -> LlmiqError:
        return LlmiqError(
            N_(
                "the server at {url} returned no log-probabilities for model {model}; score by "
                "generation instead (--scoring generate)"
            ),
            url=self.base_url,
            model=repr(self.model),
        )

    def _http(self) -> httpx.Client:
        import httpx

        with self._lock:
            if self._client is None:
                headers = {"User-Agent": "llmiq-exam"}
                key = os.environ.get(self.api_key_env)
                if key:
                    headers["Authorization"] = f"Bearer {key}"
                self._client = httpx.Client(
                    headers=headers,
                    timeout=httpx.Timeout(self.timeout, connect=self.connect_timeout),
                    limits=httpx.Limits(max_connections=self.concurrency),
                )
            return self._client

    def _post(self, path: str, body: dict[str, Any], *, missing_ok: bool) -> dict[str, Any] | None:
        """POST ``body`` (with the model) and return the JSON answer, retrying what may pass;
        None for a missing endpoint when ``missing_ok``."""
        import httpx

        url = self.base_url + path
        payload = {"model": self.model, **body}
        client = self._http()
        attempt = 0
        while True:
            delay = self.backoff * 2**attempt
            try:
                response = client.post(url, json=payload)
            except httpx.TimeoutException as error:
                connecting = isinstance(error, httpx.ConnectTimeout)
                if connecting and attempt < self.max_retries:
                    attempt += 1
                    time.sleep(min(delay, MAX_DELAY))
                    continue
                waited = self.connect_timeout if connecting else self.timeout
                raise LlmiqError(
                    N_("the model server at {url} did not answer within {seconds} s"),
                    url=self.base_url,
                    seconds=f"{waited:g}",
                ) from None
            except httpx.TransportError as error:
                if attempt < self.max_retries:
                    attempt += 1
                    time.sleep(min(delay, MAX_DELAY))
                    continue
                raise LlmiqError(
                    N_("cannot reach the model server at {url} ({reason}); is it running?"),
                    url=self.base_url,
                    reason=describe(error),
                ) from None
            if response.status_code in RETRY_STATUSES and attempt < self.max_retries:
                attempt += 1
                time.sleep(min(max(delay, retry_after(response)), MAX_DELAY))
                continue
            if response.status_code < 400:
                return self._json(response)
            if missing_ok and self._endpoint_missing(response):
                return None
            raise self._http_error(response, path, attempts=attempt + 1)

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            kind = response.headers.get("content-type", "no content type")
            raise LlmiqError(
                f"the server at {self.base_url} answered HTTP {response.status_code} with "
                f"something other than a JSON object ({kind}); is it an OpenAI-compatible API?"
            )
        return data

    def _endpoint_missing(self, response: httpx.Response) -> bool:
        if response.status_code in (405, 501):
            return True
        return response.status_code == 404 and not mentions_model(server_message(response))

    def _http_error(self, response: httpx.Response, path: str, *, attempts: int) -> LlmiqError:
        status = response.status_code
        message = server_message(response)
        said = f": {message}" if message else ""
        if status in (401, 403):
            has_key = bool(os.environ.get(self.api_key_env))
            advice = (
                f"check the key in {self.api_key_env}" if has_key else f"set {self.api_key_env}"
            )
            return LlmiqError(
                f"the model server at {self.base_url} refused the request "
                f"(HTTP {status}{said}); {advice}"
            )
        if status in (400, 422) and "logprobs" in message.lower():
            return _TopKTooLarge(
                f"the model server at {self.base_url} refused the log-probabilities asked "
                f"for (HTTP {status}{said}); score by generation instead (--scoring generate)"
            )
        if (
            status in (400, 404)
            and mentions_model(message)
            and re.search(
                r"not (?:be )?found|does not exist|unknown|no such|invalid model", message, re.I
            )
        ):
            served = self._served_models()
            listing = f" (it serves: {', '.join(served)})" if served else ""
            return LlmiqError(
                f"the model server at {self.base_url} has no model {self.model!r}{listing}"
            )
        if status == 404:
            return LlmiqError(
                f"the server at {self.base_url} has no {path} endpoint (HTTP 404); is the URL "
                "an OpenAI-compatible API base such as http://HOST:PORT/v1?"
            )
        if status in RETRY_STATUSES:
            return LlmiqError(
                f"the model server at {self.base_url} kept failing "
                f"(HTTP {status}{said}, {attempts} attempts)"
            )
        return LlmiqError(
            f"the model server at {self.base_url} rejected the request to {path} "
            f"(HTTP {status}{said})"
        )

    def _served_models(self) -> list[str]:
        """The ids ``/models`` lists, or none if it cannot say (best effort, one try)."""
        import httpx

        try:
            response = self._http().get(self.base_url + "/models", timeout=5.0)
            data = response.json()
            return [str(m["id"]) for m in data.get("data", [])][:10]
        except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError):
            return []


def stopped_at_once(choice: dict[str, Any], body: dict[str, Any]) -> bool:
    """Whether a completion ended before generating anything (its first token was the end
    of text)."""
    sent = str(body["prompt"]) if body.get("echo") else ""
    return choice.get("finish_reason") == "stop" and (choice.get("text") or "") == sent


class _TopKTooLarge(LlmiqError):
    """The server refused the number of top log-probabilities (or any) asked for."""


def first_top_logprobs(logprobs: Any) -> dict[str, float] | None:
    """The first generated token's ``{token: logprob}`` top-k from a completions answer
    (``top_logprobs: [{...}]``) or a chat answer (``content: [{top_logprobs: [...]}]``);
    None when the server sent none."""
    if not isinstance(logprobs, dict):
        return None
    tops = logprobs.get("top_logprobs")
    if isinstance(tops, list) and tops and isinstance(tops[0], dict) and tops[0]:
        return {str(k): float(v) for k, v in tops[0].items() if v is not None}
    content = logprobs.get("content")
    if isinstance(content, list) and content and isinstance(content[0], dict):
        entries = content[0].get("top_logprobs") or []
        top = {
            str(e["token"]): float(e["logprob"])
            for e in entries
            if isinstance(e, dict) and "token" in e and e.get("logprob") is not None
        }
        return top or None
    return None


def server_message(response: httpx.Response) -> str:
    """The server's own error text, on one line and short."""
    try:
        data = response.json()
    except ValueError:
        data = None
    text: Any = response.text
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):
            text = error.get("message") or error
        else:
            text = error or data.get("message") or data.get("detail") or data
    line = " ".join(str(text).split())
    return line[:197] + "..." if len(line) > 200 else line


def mentions_model(message: str) -> bool:
    return bool(re.search(r"\bmodel\b", message, re.I))


def retry_after(response: httpx.Response) -> float:
    """Seconds the server asks us to wait (``Retry-After`` in seconds), else 0."""
    try:
        return max(0.0, float(response.headers.get("retry-after", "0")))
    except ValueError:
        return 0.0


def describe(error: Exception) -> str:
    """A connection error in a few words: ``connection refused``, not a repr."""
    text = str(error) or type(error).__name__
    if "refused" in text.lower():
        return "connection refused"
    return " ".join(text.split())[:120]
