"""The n2n command line and the client against the whole system on loopback (Kafka, S3Proxy, a
gateway with an API key, one worker; benchmarks/load/stack.py), from the built jars (`make build`)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from noise2noise_client import ApiError, Client
from noise2noise_client.images import noisy_png, png_size

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks/load"))
from stack import LocalStack  # noqa: E402

API_KEY = "n2n-cli-test-key"
N2N = Path(sys.executable).parent / "n2n"


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    key = hashlib.sha256(API_KEY.encode()).hexdigest()
    gateway_args = [
        "--n2n.gateway.api-keys[0].id=cli-test",
        f"--n2n.gateway.api-keys[0].sha256={key}",
        "--n2n.gateway.api-keys[0].requests-per-minute=6000",
    ]
    with LocalStack(ROOT / ".run/test-clients", gateway_args) as started:
        yield started


@pytest.fixture
def gateway(stack: LocalStack) -> str:
    return str(stack.base_url)


@pytest.fixture
def client(gateway: str) -> Client:
    return Client(gateway, api_key=API_KEY)


def n2n(gateway: str, *args: str, api_key: str | None = API_KEY) -> subprocess.CompletedProcess[str]:
    """The installed `n2n` console script, configured through the environment as a user would."""
    environ = {**os.environ, "N2N_URL": gateway}
    environ.pop("N2N_API_KEY", None)
    if api_key:
        environ["N2N_API_KEY"] = api_key
    return subprocess.run([str(N2N), *args], env=environ, capture_output=True, text=True, timeout=120)


def job_id_from(progress: str) -> str:
    """The job id of `job <id>: <status>` progress lines."""
    return next(line.split()[1].rstrip(":") for line in progress.splitlines() if line.startswith("job "))


def test_denoise_sends_a_small_image_as_json_and_writes_the_result(gateway: str, tmp_path: Path) -> None:
    noisy = noisy_png(96, 64, seed=3)
    (tmp_path / "noisy.png").write_bytes(noisy)

    run = n2n(gateway, "denoise", str(tmp_path / "noisy.png"), "-o", str(tmp_path / "clean.png"))

    assert run.returncode == 0, run.stderr
    clean = (tmp_path / "clean.png").read_bytes()
    assert png_size(clean) == (96, 64)
    assert clean != noisy
    assert "presigned" not in run.stderr
    assert ": succeeded" in run.stderr
    shown = n2n(gateway, "status", job_id_from(run.stderr))
    assert shown.returncode == 0, shown.stderr
    job = json.loads(shown.stdout)
    assert (job["status"], job["width"], job["height"], job["input_format"]) == ("succeeded", 96, 64, "png")


def test_denoise_sends_a_large_image_through_the_presigned_upload(gateway: str, tmp_path: Path) -> None:
    noisy = noisy_png(80, 72, seed=4)
    (tmp_path / "noisy.png").write_bytes(noisy)

    run = n2n(
        gateway,
        "denoise",
        str(tmp_path / "noisy.png"),
        "-o",
        str(tmp_path / "clean.jpg"),
        "--strength",
        "0.5",
        "--upload-threshold",
        "1",
    )

    assert run.returncode == 0, run.stderr
    assert "through a presigned URL" in run.stderr
    assert f"uploaded {len(noisy)}/{len(noisy)} bytes (100 %)" in run.stderr
    job = json.loads(n2n(gateway, "status", job_id_from(run.stderr)).stdout)
    # the output's suffix asked for JPEG
    assert (job["status"], job["format"], job["strength"]) == ("succeeded", "jpeg", 0.5)
    assert (tmp_path / "clean.jpg").read_bytes()[:3] == b"\xff\xd8\xff"


def test_a_refused_request_exits_3_with_the_gateways_reason(gateway: str, tmp_path: Path) -> None:
    (tmp_path / "noisy.png").write_bytes(noisy_png(32, 32))

    refused = n2n(gateway, "denoise", str(tmp_path / "noisy.png"), "-o", str(tmp_path / "x.png"), "--strength", "2")
    keyless = n2n(gateway, "status", "any-job", api_key=None)

    assert refused.returncode == 3
    assert ": 422 " in refused.stderr and "strength" in refused.stderr
    assert keyless.returncode == 3
    assert ": 401 " in keyless.stderr
    assert not (tmp_path / "x.png").exists()


def test_cancel_ends_a_queued_job(stack: LocalStack, gateway: str, client: Client) -> None:
    # with the worker stopped, the job stays queued
    with stack.paused("worker"):
        queued = client.submit_json(noisy_png(64, 64, seed=6))
        run = n2n(gateway, "cancel", queued.id)

    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["status"] == "canceled"
    assert client.wait(queued.id, timeout_s=30).status == "canceled"


def route_missing(client: Client, path: str) -> bool:
    """Whether the gateway lacks a route (GET /v1/models and GET /v1/jobs come with other branches of issue 14)."""
    try:
        client.request("GET", path)
    except ApiError as error:
        # GET /v1/jobs without its route meets POST /v1/jobs: 405
        return error.status in (404, 405)
    return False


def test_models_lists_the_workers_models(gateway: str, client: Client) -> None:
    if route_missing(client, "/v1/models"):
        pytest.skip("the gateway has no GET /v1/models yet")

    # workers publish their models on start; the gateway reads them every few seconds
    deadline = time.monotonic() + 30
    while not any(model["name"] == "gaussian" for model in client.models()) and time.monotonic() < deadline:
        time.sleep(0.5)

    run = n2n(gateway, "models")

    assert run.returncode == 0, run.stderr
    rows = {line.split()[0]: line.split()[1:] for line in run.stdout.splitlines()[1:]}
    # the worker's default is auto (it chooses per image); gaussian is one of the models it runs
    assert rows["auto"][:2] == ["yes", "yes"]
    assert rows["gaussian"][:2] == ["yes", "1"]  # DEFAULT blank, AVAILABLE yes, one worker


def test_jobs_lists_the_newest_job_first(gateway: str, client: Client) -> None:
    if route_missing(client, "/v1/jobs?limit=1"):
        pytest.skip("the gateway has no GET /v1/jobs yet")
    newest = client.submit_json(noisy_png(48, 48, seed=7), wait_s=30)

    run = n2n(gateway, "jobs", "--limit", "1")

    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[1].split()[0] == newest.id
