"""The noise2noise HTTP API (docs/api.md) from Python, standard library only.

Every answer of 400 and above raises ApiError carrying the problem details (RFC 9457) the gateway sent;
a gateway (or storage) that cannot be reached raises Unreachable. 429 and 503 are retried after the
answer's Retry-After (or a short back-off when it names none), up to `retries` times.
"""

from __future__ import annotations

import base64
import email.message
import email.utils
import io
import json
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.client import HTTPResponse
from pathlib import Path
from typing import Any, BinaryIO

from noise2noise_client import __version__

# a job moves forward only, and stops in one of these (JobStatus in common/)
FINAL_STATUSES = frozenset({"succeeded", "failed", "expired", "canceled"})
# the gateway cuts a longer `Prefer: wait` to this
MAX_WAIT_S = 60
# images from this size on go through a presigned upload: straight to storage, past the gateway's heap
DEFAULT_UPLOAD_THRESHOLD = 4 * 1024 * 1024
RETRIED_STATUSES = frozenset({429, 503})
CHUNK_BYTES = 1 << 16

ProgressCallback = Callable[[int, int], None]


class N2NError(Exception):
    """Anything this client raises on purpose."""


class Unreachable(N2NError):
    """No HTTP answer at all: refused connection, unknown host, reset, time-out."""

    def __init__(self, method: str, url: str, reason: object):
        # without the query: a presigned URL's signature stays out of messages and logs
        super().__init__(f"{method} {urllib.parse.urlsplit(url)._replace(query='').geturl()}: {reason}")
        self.method = method
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class Problem:
    """An RFC 9457 problem detail; members the gateway adds beyond the standard ones are in `extra`."""

    status: int | None
    title: str | None
    detail: str | None
    type: str | None = None
    instance: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    STANDARD_MEMBERS = ("status", "title", "detail", "type", "instance")

    @classmethod
    def parse(cls, body: bytes) -> Problem | None:
        """The problem in a JSON body; None when the body is no JSON object (e.g. a proxy's HTML page)."""
        try:
            document = json.loads(body)
        except ValueError:
            return None
        if not isinstance(document, dict):
            return None
        status = document.get("status")
        return cls(
            status=status if isinstance(status, int) else None,
            title=document.get("title"),
            detail=document.get("detail"),
            type=document.get("type"),
            instance=document.get("instance"),
            extra={k: v for k, v in document.items() if k not in cls.STANDARD_MEMBERS},
        )


class ApiError(N2NError):
    """An answer of 400 or above: its status, the problem details it carried, and Retry-After if any."""

    def __init__(self, method: str, url: str, status: int, body: bytes, retry_after_s: float | None = None):
        self.method = method
        self.url = url
        self.status = status
        self.body = body
        self.problem = Problem.parse(body)
        self.retry_after_s = retry_after_s
        super().__init__(f"{method} {urllib.parse.urlsplit(url).path}: {status} {self.reason}")

    @property
    def reason(self) -> str:
        """What was wrong, as the gateway said it for people (the problem's detail, else its title or body)."""
        if self.problem is not None and (self.problem.detail or self.problem.title):
            return str(self.problem.detail or self.problem.title)
        return self.body[:200].decode(errors="replace").strip() or "(no body)"


@dataclass(frozen=True)
class Job:
    """A job as GET /v1/jobs/{id} shows it (docs/api.md, "The job"); every field is in `data`."""

    data: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def status(self) -> str:
        return str(self.data["status"])

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def progress(self) -> tuple[int, int] | None:
        """Tiles done and in all, while the worker reports them."""
        progress = self.data.get("progress")
        if not isinstance(progress, dict) or "done" not in progress or "total" not in progress:
            return None
        return int(progress["done"]), int(progress["total"])

    @property
    def error(self) -> str | None:
        """`code: message` of a job that did not succeed."""
        error = self.data.get("error")
        if not isinstance(error, dict):
            return None
        return ": ".join(str(error[k]) for k in ("code", "message") if error.get(k))


@dataclass(frozen=True)
class JobPage:
    jobs: list[Job]
    next_page_token: str | None


class WaitTimedOut(N2NError):
    """The job was not final when the wait ended; `job` is its last view."""

    def __init__(self, job: Job, timeout_s: float):
        super().__init__(f"job {job.id} is still {job.status} after {timeout_s:g} s")
        self.job = job


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP-date (RFC 9110); None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass(frozen=True)
class Response:
    status: int
    headers: email.message.Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class _ProgressReader:
    """A file read by http.client in blocks, reporting the bytes sent so far."""

    def __init__(self, source: BinaryIO, total: int, on_progress: ProgressCallback | None):
        self.source = source
        self.total = total
        self.on_progress = on_progress
        self.sent = 0

    def read(self, size: int = -1) -> bytes:
        block = self.source.read(size)
        self.sent += len(block)
        if self.on_progress is not None and block:
            self.on_progress(self.sent, self.total)
        return block

    def rewind(self) -> None:
        self.source.seek(0)
        self.sent = 0


class Client:
    """The gateway at base_url. `api_key` goes out as `Authorization: Bearer`; `retries` bounds the
    retries of a 429 or 503, each after its Retry-After unless that is over `max_retry_wait_s` (then
    the ApiError is raised at once: waiting that long is the caller's decision)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        timeout: float = 90,
        retries: int = 3,
        max_retry_wait_s: float = 60,
    ):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.retries = retries
        self.max_retry_wait_s = max_retry_wait_s

    # --- HTTP ---------------------------------------------------------------------------------

    @contextmanager
    def _open(
        self,
        method: str,
        url: str,
        body: bytes | _ProgressReader | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
        authorized: bool = True,
    ) -> Iterator[HTTPResponse]:
        """The open answer of a 2xx/3xx; retries 429 and 503, raises ApiError or Unreachable otherwise."""
        headers = {"User-Agent": f"noise2noise-client/{__version__}", **(headers or {})}
        if authorized and self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        for attempt in range(self.retries + 1):
            if isinstance(body, _ProgressReader):
                body.rewind()
            request = urllib.request.Request(url, data=body, method=method, headers=headers)
            try:
                response = urllib.request.urlopen(request, timeout=timeout or self.timeout)
            except urllib.error.HTTPError as answer:
                with answer:
                    error = ApiError(
                        method, url, answer.code, answer.read(), retry_after_seconds(answer.headers.get("Retry-After"))
                    )
                delay = self._retry_delay(error, attempt)
                if delay is None:
                    raise error from None
                time.sleep(delay)
                continue
            except OSError as failure:  # URLError, refused, reset, time-out
                raise Unreachable(method, url, getattr(failure, "reason", failure)) from failure
            with response:
                yield response
            return
        raise AssertionError("unreachable: the last attempt raises or yields")

    def _retry_delay(self, error: ApiError, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when this error is final."""
        if error.status not in RETRIED_STATUSES or attempt >= self.retries:
            return None
        # no Retry-After: 1, 2, 4 ... s
        delay = error.retry_after_s if error.retry_after_s is not None else float(2**attempt)
        return delay if delay <= self.max_retry_wait_s else None

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> Response:
        """One call of the gateway's API (path from the root, e.g. /v1/jobs), its whole answer read."""
        with self._open(method, self.base_url + path, body, headers, timeout) as response:
            return Response(response.status, response.headers, response.read())

    def _timeout(self, wait_s: int | None) -> float:
        return self.timeout + (wait_s or 0)

    # --- jobs ---------------------------------------------------------------------------------

    @staticmethod
    def _submission_headers(
        content_type: str | None, wait_s: int | None, idempotency_key: str | None, cancel_after: str | None
    ) -> dict[str, str]:
        headers = {"Content-Type": content_type} if content_type else {}
        if wait_s:
            # the gateway answers once the job ended (200) or after wait_s seconds (202)
            headers["Prefer"] = f"wait={wait_s}"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        if cancel_after:
            headers["Cancel-After"] = cancel_after
        return headers

    def _submit_fields(
        self,
        fields: dict[str, Any],
        wait_s: int | None,
        idempotency_key: str | None,
        cancel_after: str | None,
    ) -> Job:
        body = json.dumps({k: v for k, v in fields.items() if v is not None}).encode()
        headers = self._submission_headers("application/json", wait_s, idempotency_key, cancel_after)
        return Job(self.request("POST", "/v1/jobs", body, headers, self._timeout(wait_s)).json())

    def submit_json(
        self,
        image: bytes,
        *,
        wait_s: int | None = None,
        idempotency_key: str | None = None,
        cancel_after: str | None = None,
        **parameters: Any,
    ) -> Job:
        """POST /v1/jobs with the image base64 in a JSON body; parameters: model, strength, format, quality,
        webhook, webhook_events_filter."""
        fields = {"image": base64.b64encode(image).decode(), **parameters}
        return self._submit_fields(fields, wait_s, idempotency_key, cancel_after)

    def submit_upload(
        self,
        upload_id: str,
        *,
        wait_s: int | None = None,
        idempotency_key: str | None = None,
        cancel_after: str | None = None,
        **parameters: Any,
    ) -> Job:
        """POST /v1/jobs naming an upload (see upload())."""
        return self._submit_fields({"upload_id": upload_id, **parameters}, wait_s, idempotency_key, cancel_after)

    def submit_raw(
        self,
        image: bytes,
        content_type: str = "image/png",
        *,
        wait_s: int | None = None,
        idempotency_key: str | None = None,
        cancel_after: str | None = None,
        **parameters: Any,
    ) -> Job:
        """POST /v1/jobs with the image as the body; parameters go in the query string."""
        query = urllib.parse.urlencode({k: v for k, v in parameters.items() if v is not None})
        headers = self._submission_headers(content_type, wait_s, idempotency_key, cancel_after)
        path = "/v1/jobs" + ("?" + query if query else "")
        return Job(self.request("POST", path, image, headers, self._timeout(wait_s)).json())

    def upload(self, source: bytes | Path, on_progress: ProgressCallback | None = None) -> str:
        """Puts an image straight into storage through a presigned URL (POST /v1/uploads); its upload_id."""
        slot = self.request("POST", "/v1/uploads").json()
        with _readable(source) as (stream, size):
            reader = _ProgressReader(stream, size, on_progress)
            # the URL is signed for storage: the gateway's key must not go with it
            headers = {"Content-Type": "application/octet-stream", "Content-Length": str(size)}
            with self._open(slot["method"], slot["url"], reader, headers, authorized=False) as response:
                response.read()
        return str(slot["upload_id"])

    def submit(
        self,
        image: bytes | Path,
        *,
        upload_threshold: int = DEFAULT_UPLOAD_THRESHOLD,
        on_upload_progress: ProgressCallback | None = None,
        wait_s: int | None = None,
        idempotency_key: str | None = None,
        cancel_after: str | None = None,
        **parameters: Any,
    ) -> Job:
        """Submits an image (bytes or a file): base64 in JSON when smaller than upload_threshold bytes,
        else through a presigned upload."""
        size = len(image) if isinstance(image, bytes) else image.stat().st_size
        options: dict[str, Any] = {"wait_s": wait_s, "idempotency_key": idempotency_key, "cancel_after": cancel_after}
        if size >= upload_threshold:
            return self.submit_upload(self.upload(image, on_upload_progress), **options, **parameters)
        data = image if isinstance(image, bytes) else image.read_bytes()
        return self.submit_json(data, **options, **parameters)

    def get(self, job_id: str, wait_s: int | None = None) -> Job:
        """GET /v1/jobs/{id}; with wait_s, asks the gateway to hold the answer until the job ends
        (`Prefer: wait`; a gateway that does not hold GETs answers at once)."""
        headers = {"Prefer": f"wait={wait_s}"} if wait_s else {}
        return Job(self.request("GET", f"/v1/jobs/{_segment(job_id)}", None, headers, self._timeout(wait_s)).json())

    def wait(
        self,
        job_id: str,
        timeout_s: float = 600,
        on_update: Callable[[Job], None] | None = None,
        long_poll_s: int = MAX_WAIT_S,
        poll_interval_s: float = 1.0,
    ) -> Job:
        """The job once final; WaitTimedOut after timeout_s. Each GET long-polls up to long_poll_s; a GET
        answered sooner with the job unfinished is followed by the next no sooner than poll_interval_s.
        on_update sees the first view and every change of status or progress."""
        deadline = time.monotonic() + timeout_s
        job = self.get(job_id)
        shown: tuple[str, tuple[int, int] | None] | None = None
        while True:
            if on_update is not None and (job.status, job.progress) != shown:
                shown = (job.status, job.progress)
                on_update(job)
            if job.final:
                return job
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaitTimedOut(job, timeout_s)
            began = time.monotonic()
            job = self.get(job_id, wait_s=max(1, min(long_poll_s, int(remaining))))
            spare = min(poll_interval_s - (time.monotonic() - began), deadline - time.monotonic())
            if not job.final and spare > 0:
                time.sleep(spare)

    def cancel(self, job_id: str) -> Job:
        """A queued job ends canceled at once; a running one is stopped by its worker at the next tile."""
        return Job(self.request("POST", f"/v1/jobs/{_segment(job_id)}/cancel").json())

    def retry(self, job_id: str) -> Job:
        return Job(self.request("POST", f"/v1/jobs/{_segment(job_id)}/retry").json())

    def result(self, job_id: str) -> bytes:
        """The denoised image."""
        return self.request("GET", f"/v1/jobs/{_segment(job_id)}/result").body

    def download(self, job_id: str, path: Path, on_progress: ProgressCallback | None = None) -> int:
        """Streams the denoised image into path (whole or not at all); the bytes written."""
        url = f"{self.base_url}/v1/jobs/{_segment(job_id)}/result"
        with self._open("GET", url) as response:
            total = int(response.headers.get("Content-Length") or 0)
            fd, partial = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            try:
                written = 0
                with os.fdopen(fd, "wb") as out:
                    while block := response.read(CHUNK_BYTES):
                        out.write(block)
                        written += len(block)
                        if on_progress is not None:
                            on_progress(written, total)
                os.replace(partial, path)
            except BaseException:
                os.unlink(partial)
                raise
        return written

    def jobs(self, status: str | None = None, limit: int | None = None, page_token: str | None = None) -> JobPage:
        """One page of the caller's jobs, newest first (GET /v1/jobs)."""
        query = {"status": status, "limit": limit, "page_token": page_token}
        encoded = urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        page = self.request("GET", "/v1/jobs" + ("?" + encoded if encoded else "")).json()
        return JobPage([Job(job) for job in page.get("jobs", [])], page.get("nextPageToken"))

    def models(self) -> list[dict[str, Any]]:
        """The catalogue: per model its name, default, available, workers, lastSeen and card."""
        return list(self.request("GET", "/v1/models").json()["models"])

    def legacy_denoise(self, image: bytes) -> dict[str, Any]:
        """The legacy POST /: waits for the job; its envelope ({"code": 0, "data": {"base64Image"}} or
        {"code": -1, "msg"}) with the status in X-N2N-Status, since it answers 200 either way."""
        body = json.dumps({"base64Image": base64.b64encode(image).decode()}).encode()
        envelope: dict[str, Any] = self.request("POST", "/", body, {"Content-Type": "application/json"}).json()
        return envelope


def _segment(value: str) -> str:
    """A value as one path segment: an id cannot reach another route."""
    return urllib.parse.quote(value, safe="")


@contextmanager
def _readable(source: bytes | Path) -> Iterator[tuple[BinaryIO, int]]:
    if isinstance(source, bytes):
        yield io.BytesIO(source), len(source)
        return
    with source.open("rb") as stream:
        yield stream, source.stat().st_size
