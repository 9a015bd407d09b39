"""The client against a scripted loopback server: retries after Retry-After, problem details, waiting
without a long-polling gateway, presigned uploads, downloads."""

from __future__ import annotations

import email.utils
import json
import socket
import time
from pathlib import Path

import pytest

from conftest import Answer, ScriptedServer
from noise2noise_client import ApiError, Client, Job, Unreachable, WaitTimedOut, retry_after_seconds

JOB = {"id": "j1", "status": "queued"}
PROBLEM_429 = {"type": "about:blank", "title": "Too Many Requests", "status": 429, "detail": "the queue is full"}


def problem(status: int, detail: str, **headers: str) -> Answer:
    document = {"type": "about:blank", "title": "Refused", "status": status, "detail": detail, "instance": "/v1/jobs"}
    return Answer.json(status, document, "application/problem+json", **headers)


def test_a_429_is_retried_after_its_retry_after_with_the_same_key_and_idempotency_key(server: ScriptedServer) -> None:
    server.script("POST", "/v1/jobs", problem(429, "the queue is full", **{"Retry-After": "1"}), Answer.json(202, JOB))
    client = Client(server.url, api_key="secret-key")

    job = client.submit_json(b"png", idempotency_key="k-1", model="gaussian")

    assert job.id == "j1"
    first, second = server.requests_to("POST", "/v1/jobs")
    assert second.at - first.at >= 0.95
    for sent in (first, second):
        assert sent.headers["Authorization"] == "Bearer secret-key"
        assert sent.headers["Idempotency-Key"] == "k-1"
        assert json.loads(sent.body)["model"] == "gaussian"


def test_a_503_with_an_http_date_is_retried_no_sooner_than_that_date(server: ScriptedServer) -> None:
    retry_at = email.utils.formatdate(time.time() + 2, usegmt=True)
    server.script(
        "GET", "/v1/jobs/j1", problem(503, "storage unavailable", **{"Retry-After": retry_at}), Answer.json(200, JOB)
    )

    assert Client(server.url).get("j1").status == "queued"

    first, second = server.requests_to("GET", "/v1/jobs/j1")
    # an HTTP-date has whole seconds: at least 1 s of the 2 asked is left when it is read
    assert second.at - first.at >= 0.95


def test_retries_end_with_the_last_refusal_and_its_problem(server: ScriptedServer) -> None:
    server.script("POST", "/v1/jobs/j1/cancel", problem(429, "slow down", **{"Retry-After": "0"}))

    with pytest.raises(ApiError) as raised:
        Client(server.url, retries=2).cancel("j1")

    assert len(server.requests_to("POST", "/v1/jobs/j1/cancel")) == 3
    assert raised.value.status == 429
    assert raised.value.retry_after_s == 0
    assert raised.value.reason == "slow down"


def test_a_retry_after_longer_than_the_client_waits_is_not_waited_for(server: ScriptedServer) -> None:
    server.script("GET", "/v1/jobs/j1", problem(429, "over the rate limit", **{"Retry-After": "3600"}))
    began = time.monotonic()

    with pytest.raises(ApiError) as raised:
        Client(server.url, max_retry_wait_s=5).get("j1")

    assert time.monotonic() - began < 2
    assert len(server.requests_to("GET", "/v1/jobs/j1")) == 1
    assert raised.value.retry_after_s == 3600


def test_a_client_error_is_not_retried_and_carries_the_problem(server: ScriptedServer) -> None:
    document = {
        "type": "https://n2n.example/problems/x",
        "title": "Unprocessable Entity",
        "status": 422,
        "detail": "strength must be in [0, 1]",
        "instance": "/v1/jobs",
        "models": ["gaussian"],
    }
    server.script("POST", "/v1/jobs", Answer.json(422, document, "application/problem+json"))

    with pytest.raises(ApiError) as raised:
        Client(server.url).submit_json(b"png", strength=2)

    error = raised.value
    assert len(server.requests_to("POST", "/v1/jobs")) == 1
    assert (error.status, error.reason) == (422, "strength must be in [0, 1]")
    assert error.problem is not None
    assert error.problem.type == "https://n2n.example/problems/x"
    assert error.problem.title == "Unprocessable Entity"
    assert error.problem.instance == "/v1/jobs"
    assert error.problem.extra == {"models": ["gaussian"]}
    assert "422 strength must be in [0, 1]" in str(error)


def test_an_error_page_that_is_no_problem_still_says_what_came_back(server: ScriptedServer) -> None:
    server.script("GET", "/v1/jobs/j1", Answer(502, b"<html>Bad Gateway</html>", {"Content-Type": "text/html"}))

    with pytest.raises(ApiError) as raised:
        Client(server.url).get("j1")

    assert raised.value.problem is None
    assert raised.value.reason == "<html>Bad Gateway</html>"


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = 1_700_000_000.0
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds(email.utils.formatdate(now + 30, usegmt=True), now) == 30
    assert retry_after_seconds(email.utils.formatdate(now - 30, usegmt=True), now) == 0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_wait_polls_a_gateway_that_answers_at_once_and_reports_each_change(server: ScriptedServer) -> None:
    server.script(
        "GET",
        "/v1/jobs/j1",
        Answer.json(200, {"id": "j1", "status": "queued"}),
        Answer.json(200, {"id": "j1", "status": "running", "progress": {"done": 1, "total": 4}}),
        Answer.json(200, {"id": "j1", "status": "running", "progress": {"done": 1, "total": 4}}),
        Answer.json(200, {"id": "j1", "status": "running", "progress": {"done": 3, "total": 4}}),
        Answer.json(200, {"id": "j1", "status": "succeeded", "progress": {"done": 4, "total": 4}}),
    )
    seen: list[Job] = []
    began = time.monotonic()

    job = Client(server.url).wait("j1", timeout_s=30, on_update=seen.append, long_poll_s=7, poll_interval_s=0.2)

    assert job.status == "succeeded"
    assert [(j.status, j.progress) for j in seen] == [
        ("queued", None),
        ("running", (1, 4)),
        ("running", (3, 4)),
        ("succeeded", (4, 4)),
    ]
    polls = server.requests_to("GET", "/v1/jobs/j1")
    assert len(polls) == 5
    assert "Prefer" not in polls[0].headers
    assert all(poll.headers["Prefer"] == "wait=7" for poll in polls[1:])
    # four answers at once: no faster than the poll interval between them
    assert time.monotonic() - began >= 3 * 0.2


def test_wait_ends_with_the_last_view_when_the_job_does_not_finish(server: ScriptedServer) -> None:
    server.script("GET", "/v1/jobs/j1", Answer.json(200, {"id": "j1", "status": "running"}))

    with pytest.raises(WaitTimedOut) as raised:
        Client(server.url).wait("j1", timeout_s=0.5, poll_interval_s=0.1)

    assert raised.value.job.status == "running"


def test_a_large_image_goes_through_a_presigned_upload_without_the_api_key(
    server: ScriptedServer, tmp_path: Path
) -> None:
    slot = {"upload_id": "u-1", "method": "PUT", "url": server.url + "/bucket/uploads/u-1?X-Amz-Signature=s"}
    server.script("POST", "/v1/uploads", Answer.json(201, slot))
    server.script("PUT", "/bucket/uploads/u-1?X-Amz-Signature=s", Answer(200))
    server.script("POST", "/v1/jobs", Answer.json(202, JOB))
    image = tmp_path / "big.png"
    image.write_bytes(bytes(range(256)) * 1000)
    uploaded: list[tuple[int, int]] = []

    job = Client(server.url, api_key="secret-key").submit(
        image,
        upload_threshold=1000,
        on_upload_progress=lambda done, total: uploaded.append((done, total)),
        strength=0.5,
    )

    assert job.id == "j1"
    (put,) = server.requests_to("PUT", "/bucket/uploads/u-1?X-Amz-Signature=s")
    assert put.body == image.read_bytes()
    assert "Authorization" not in put.headers
    assert server.requests_to("POST", "/v1/uploads")[0].headers["Authorization"] == "Bearer secret-key"
    (submitted,) = server.requests_to("POST", "/v1/jobs")
    assert json.loads(submitted.body) == {"upload_id": "u-1", "strength": 0.5}
    assert uploaded[-1] == (256_000, 256_000)


def test_a_small_image_goes_base64_in_json(server: ScriptedServer) -> None:
    server.script("POST", "/v1/jobs", Answer.json(202, JOB))

    Client(server.url).submit(b"\x89PNG tiny", upload_threshold=1000, format="png")

    assert server.requests_to("POST", "/v1/uploads") == []
    (submitted,) = server.requests_to("POST", "/v1/jobs")
    assert json.loads(submitted.body) == {"image": "iVBORyB0aW55", "format": "png"}


def test_a_download_is_whole_or_absent(server: ScriptedServer, tmp_path: Path) -> None:
    server.script("GET", "/v1/jobs/j1/result", Answer(200, b"denoised" * 10_000, {"Content-Type": "image/png"}))
    server.script("GET", "/v1/jobs/j2/result", problem(409, "job j2 is running, it has no result"))
    client = Client(server.url)

    assert client.download("j1", tmp_path / "out.png") == 80_000
    with pytest.raises(ApiError):
        client.download("j2", tmp_path / "other.png")

    assert (tmp_path / "out.png").read_bytes() == b"denoised" * 10_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]


def test_no_gateway_is_unreachable_and_a_signature_stays_out_of_the_message(server: ScriptedServer) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    slot = {"upload_id": "u-1", "method": "PUT", "url": f"http://127.0.0.1:{closed_port}/bucket/u-1?X-Amz-Signature=s"}
    server.script("POST", "/v1/uploads", Answer.json(201, slot))

    with pytest.raises(Unreachable):
        Client(f"http://127.0.0.1:{closed_port}", timeout=5).get("j1")
    with pytest.raises(Unreachable) as raised:
        Client(server.url, timeout=5).upload(b"png")

    assert str(raised.value).startswith(f"PUT http://127.0.0.1:{closed_port}/bucket/u-1: ")
    assert "Signature" not in str(raised.value)
