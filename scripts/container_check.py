"""The parts of scripts/container-check.sh that are not apt or podman.

  images COMPOSE_FILE   one line per service: its name and the image the compose file gives it
                        (needs PyYAML: run it with podman-compose's virtual environment's python)
  requests [--legacy] --jobs N [--base-url URL]
                        end-to-end requests through the running stack: the legacy POST / once if
                        asked, then N jobs through /v1/jobs (JSON and raw submissions alternately),
                        polled to succeeded, their results fetched, and a cancel of a finished job
                        answered with the job unchanged. Standard library only.
Exit status 0 when every check held; a failed check ends it with its reason.
"""
from __future__ import annotations

import argparse
import base64
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "clients/python/src"))
from noise2noise_client import ApiError, Client, WaitTimedOut  # noqa: E402
from noise2noise_client.images import noisy_png, png_size  # noqa: E402


def print_images(compose_file: str) -> None:
    import yaml  # podman-compose's own dependency, in its virtual environment

    with open(compose_file) as f:
        services = yaml.safe_load(f)["services"]
    for name, service in services.items():
        if "image" in service:
            print(name, service["image"])


def expect(condition: bool, failure: str) -> None:
    if not condition:
        raise SystemExit(f"FAILED: {failure}")


def legacy_request(client: Client) -> None:
    began = time.monotonic()
    reply = client.legacy_denoise(noisy_png(96, 64, seed=1))
    expect(reply.get("code") == 0, f"legacy POST /: {reply}")
    size = png_size(base64.b64decode(reply["data"]["base64Image"]))
    expect(size == (96, 64), f"legacy POST /: a {size} image back for a (96, 64) one")
    print(f"legacy POST /: code 0, {size[0]}x{size[1]} PNG back in {time.monotonic() - began:.1f} s", flush=True)


def job_requests(client: Client, jobs: int, timeout_s: float) -> None:
    began = time.monotonic()
    submitted = []
    for i in range(jobs):
        image = noisy_png(128, 96, seed=10 + i)
        job = client.submit_json(image) if i % 2 == 0 else client.submit_raw(image, "image/png")
        submitted.append(job.id)
    deadline = time.monotonic() + timeout_s
    for job_id in submitted:
        job = client.wait(job_id, max(0.0, deadline - time.monotonic()), poll_interval_s=0.5)
        expect(job.status == "succeeded", f"job {job.id} is {job.status}: {job.error}")
        size = png_size(client.result(job.id))
        expect(size == (128, 96), f"job {job.id}: a {size} result for a (128, 96) image")
    print(f"/v1/jobs: {jobs} job(s) submitted ({(jobs + 1) // 2} JSON, {jobs // 2} raw), polled to succeeded, "
          f"results fetched in {time.monotonic() - began:.1f} s", flush=True)
    finished = submitted[0]
    canceled = client.cancel(finished)
    expect(canceled.status == "succeeded", f"cancel of finished job {finished}: {canceled.data}, expected it unchanged")
    print(f"cancel of a finished job: 200, still {canceled.status}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    images = commands.add_parser("images", help="service and image per line of a compose file")
    images.add_argument("compose_file")
    requests = commands.add_parser("requests", help="end-to-end requests through the running stack")
    requests.add_argument("--base-url", default="http://127.0.0.1:8080")
    requests.add_argument("--legacy", action="store_true", help="the legacy POST / once first")
    requests.add_argument("--jobs", type=int, default=1, help="jobs through /v1/jobs")
    requests.add_argument("--timeout", type=float, default=240, help="seconds for all jobs to succeed")
    args = parser.parse_args()
    if args.command == "images":
        print_images(args.compose_file)
        return
    # a legacy request waits for its job: up to the gateway's legacy wait and more on a busy machine
    client = Client(args.base_url, timeout=150)
    try:
        if args.legacy:
            legacy_request(client)
        job_requests(client, args.jobs, args.timeout)
    except (ApiError, WaitTimedOut) as failure:
        raise SystemExit(f"FAILED: {failure}") from None


if __name__ == "__main__":
    main()
