"""Import an article from a URL: ``llmiq import https://...`` and the web import page's URL
field.

httpx fetches the page with connect and read timeouts, an overall deadline, a bounded number
of redirects and a size cap (:data:`llmiq.textfile.MAX_TEXT_BYTES`, counted while streaming,
so a huge body is never held). The content type picks the import format (HTML, Markdown,
plain text; else the URL's suffix), and the text is decoded by the charset the server sends,
else the page's ``<meta charset>``, else UTF-8, else detection (:func:`decode_page`). Every
failure is one :class:`LlmiqError` sentence.

Left out: cookies, logins and pages that build their article with JavaScript; the fetch is
a single GET, not a crawler (no robots.txt, no retries).
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from llmiq import __version__
from llmiq.errors import LlmiqError
from llmiq.ingest.formats import AUTO, detect_import_format, format_for_suffix, looks_like_html_page
from llmiq.ingest.html import decode_page
from llmiq.ingest.importing import bank_id_from, import_text
from llmiq.messages import N_
from llmiq.textfile import MAX_TEXT_BYTES

if TYPE_CHECKING:
    import httpx

    from llmiq.ingest.article import ImportResult

USER_AGENT = f"llmiq/{__version__} (interview-question importer; +https://pypi.org/project/llmiq/)"
#: Seconds to connect, and to wait for each piece of the body.
TIMEOUT = 15.0
#: Seconds for the whole download, however slowly a server drips it.
DEADLINE = 60.0
MAX_REDIRECTS = 5
_ACCEPT = "text/html, text/markdown, text/plain;q=0.9, */*;q=0.1"
_URL = re.compile(r"^https?://", re.I)
_FORMAT_BY_TYPE = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/plain": "text",
    "text/asciidoc": "asciidoc",
    "text/x-asciidoc": "asciidoc",
}
#: Sent with no type, or a generic one: the URL's suffix, then the bytes, decide.
_UNTYPED = {"", "application/octet-stream", "binary/octet-stream"}


@dataclass(frozen=True)
class FetchedPage:
    """What a URL gave: its text, the import format its content type (or suffix) names, and
    the URL it ended at after redirects."""

    url: str
    text: str
    format: str


def _refuse_private_host(request: httpx.Request) -> None:
    host = request.url.host
    try:
        infos = socket.getaddrinfo(host, request.url.port or 443, proto=socket.IPPROTO_TCP)
    except OSError:
        return  # the request itself will say the host is unknown
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            raise LlmiqError(
                N_(
                    "{url}: {host} is an address of this server's own network ({address}); a "
                    "shared instance fetches only public addresses"
                ),
                url=request.url,
                host=host,
                address=address,
            )


def is_url(text: str) -> bool:
    """Whether an argument is an http(s) URL rather than a file path."""
    return bool(_URL.match(text.strip()))


def bank_id_from_url(url: str) -> str:
    """A bank id from a URL: its last path segment without suffix, else its host.
    ``https://x.org/posts/LLM-Quiz.html`` -> ``"llm-quiz"``."""
    parts = urlsplit(url.strip())
    segments = [s for s in unquote(parts.path).split("/") if s]
    last = segments[-1].rsplit(".", 1)[0] if segments else ""
    if last in ("", "index"):
        last = segments[-2] if len(segments) > 1 else (parts.hostname or "page")
    return bank_id_from(last)


def _format(content_type: str, url: str, text: str) -> str:
    """The content type's format, unless it is plain text or unknown (raw Markdown, AsciiDoc,
    LaTeX … are served as ``text/plain``): then the path's suffix and the text decide, as for
    a file (a page ending ``.html`` that holds no HTML is read as text)."""
    if looks_like_html_page(text):
        return "html"  # whatever the server calls it
    named = _FORMAT_BY_TYPE.get(content_type)
    if named not in (None, "text"):
        return named
    path = urlsplit(url).path
    claimed = format_for_suffix(path)
    return detect_import_format("" if claimed and claimed.reads_html else path, text).name


def fetch_page(
    url: str,
    *,
    timeout: float = TIMEOUT,
    deadline: float = DEADLINE,
    max_bytes: int = MAX_TEXT_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    allow_private: bool = True,
) -> FetchedPage:
    """GET ``url`` and decode its text; every failure is one :class:`LlmiqError` sentence.
    ``allow_private=False`` (a shared web instance) refuses hosts that resolve to loopback,
    private, link-local or reserved addresses, at every redirect: the server must not fetch
    its own network (a cloud's metadata service, say) for a visitor."""
    import httpx

    hooks = {} if allow_private else {"request": [_refuse_private_host]}

    url = url.strip()
    if not is_url(url):
        raise LlmiqError(N_("{url}: is not an http:// or https:// URL"), url=url)
    started = time.monotonic()
    try:
        with (
            httpx.Client(
                timeout=httpx.Timeout(timeout),
                follow_redirects=True,
                max_redirects=max_redirects,
                headers={"User-Agent": USER_AGENT, "Accept": _ACCEPT},
                event_hooks=hooks,
            ) as client,
            client.stream("GET", url) as response,
        ):
            final = str(response.url)
            if response.status_code >= 400:
                reason = response.reason_phrase or "error"
                raise LlmiqError(
                    N_("{url}: the server answered {status}"),
                    url=url,
                    status=f"{response.status_code} {reason}",
                )
            content_type = response.headers.get("content-type", "")
            media = content_type.split(";")[0].strip().lower()
            if not (media.startswith("text/") or media in _FORMAT_BY_TYPE or media in _UNTYPED):
                raise LlmiqError(N_("{url}: is {media}, not a web page or text"), url=url,
                                 media=media)  # fmt: skip
            limit = f"{max_bytes // 2**20}"
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise LlmiqError(
                    N_("{url}: is {size} MiB; the limit is {limit} MiB"),
                    url=url,
                    size=f"{int(length) / 2**20:.1f}",
                    limit=limit,
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise LlmiqError(
                        N_("{url}: is larger than {limit} MiB; the limit is {limit} MiB"),
                        url=url,
                        limit=limit,
                    )
                if time.monotonic() - started > deadline:
                    raise LlmiqError(
                        N_("{url}: took longer than {seconds} s to download"),
                        url=url,
                        seconds=f"{deadline:g}",
                    )
                chunks.append(chunk)
            charset = response.charset_encoding
    except httpx.TooManyRedirects:
        raise LlmiqError(
            N_("{url}: redirects more than {count} times"), url=url, count=max_redirects
        ) from None
    except httpx.ConnectTimeout:
        raise LlmiqError(
            N_("{url}: no connection within {seconds} s"), url=url, seconds=f"{timeout:g}"
        ) from None
    except httpx.TimeoutException:
        raise LlmiqError(
            N_("{url}: the server did not answer within {seconds} s"),
            url=url,
            seconds=f"{timeout:g}",
        ) from None
    except httpx.ConnectError as exc:
        raise LlmiqError(
            N_("{url}: cannot connect ({reason})"), url=url, reason=_reason(exc)
        ) from None
    except httpx.InvalidURL as exc:
        raise LlmiqError(N_("{url}: is not a valid URL ({reason})"), url=url, reason=exc) from None
    except httpx.HTTPError as exc:
        raise LlmiqError(
            N_("{url}: the download failed ({reason})"), url=url, reason=_reason(exc)
        ) from None
    text = decode_page(b"".join(chunks), name=url, charset=charset)
    return FetchedPage(url=final, text=text, format=_format(media, final, text))


def _reason(exc: Exception) -> str:
    """The last words of a network error, without its errno: "Connection refused"."""
    text = str(exc) or type(exc).__name__
    return re.sub(r"^\[Errno -?\d+\]\s*", "", text.split("\n")[-1]).strip()


def import_url(
    url: str,
    *,
    bank_id: str | None = None,
    title: str | None = None,
    format: str = AUTO,
    timeout: float = TIMEOUT,
) -> ImportResult:
    """Fetch ``url`` and import it: the format from its content type unless ``format`` names
    one, the bank id from its last path segment unless given, the bank's source the URL."""
    page = fetch_page(url, timeout=timeout)
    result = import_text(
        page.text,
        name=url.strip(),
        bank_id=bank_id or bank_id_from_url(url),
        title=title,
        format=page.format if format == AUTO else format,
    )
    return with_source(result, url.strip())


def with_source(result: ImportResult, url: str) -> ImportResult:
    """``result`` with its bank's source set to ``url`` (the title the article gave kept)."""
    from llmiq.bank.model import Source

    old = result.bank.source
    source = Source(url=url, title=old.title if old is not None else None)
    return replace(result, bank=result.bank.model_copy(update={"source": source}))
