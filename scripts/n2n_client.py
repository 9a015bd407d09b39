"""A small client of the noise2noise HTTP API, and the noisy test images the checks send.

Standard library only: scripts/container_check.py runs it on a fresh machine that has nothing but
python3. Shared by that check and the load benchmarks (benchmarks/load/).
"""
from __future__ import annotations

import base64
import json
import random
import struct
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# a job moves forward only, and stops in one of these (JobStatus in common/)
FINAL_STATUSES = ("succeeded", "failed", "expired", "canceled")


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str | None

    def json(self):
        """The body as JSON; None when there is none (or it is not JSON, e.g. an HTML error page)."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


class Client:
    """The gateway's public API at base_url. HTTP error statuses come back as a Response, as the
    callers count or assert them; only a failure to talk to the gateway at all raises (OSError)."""

    def __init__(self, base_url: str, timeout: float = 90):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def call(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
             timeout: float | None = None) -> Response:
        request = urllib.request.Request(self.base_url + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:
                return Response(response.status, response.read(), response.headers.get("Content-Type"))
        except urllib.error.HTTPError as error:
            with error:
                return Response(error.code, error.read(), error.headers.get("Content-Type"))

    @staticmethod
    def _prefer(headers: dict, wait_s: int | None) -> dict:
        # `Prefer: wait=N`: the gateway answers once the job ended (200) or after N seconds (202)
        return {**headers, "Prefer": f"wait={wait_s}"} if wait_s else headers

    def _timeout(self, wait_s: int | None) -> float:
        return self.timeout + (wait_s or 0)

    def submit_json(self, image: bytes, wait_s: int | None = None, **fields) -> Response:
        """POST /v1/jobs with the image base64 in a JSON body; fields: model, strength, format, ..."""
        body = json.dumps({"image": base64.b64encode(image).decode(), **fields}).encode()
        return self.call("POST", "/v1/jobs", body, self._prefer({"Content-Type": "application/json"}, wait_s),
                         self._timeout(wait_s))

    def submit_raw(self, image: bytes, content_type: str = "image/png", wait_s: int | None = None,
                   **parameters) -> Response:
        """POST /v1/jobs with the image as the body; parameters go in the query string."""
        query = "?" + urllib.parse.urlencode(parameters) if parameters else ""
        return self.call("POST", "/v1/jobs" + query, image, self._prefer({"Content-Type": content_type}, wait_s),
                         self._timeout(wait_s))

    def job(self, job_id: str) -> Response:
        return self.call("GET", f"/v1/jobs/{job_id}")

    def result(self, job_id: str) -> Response:
        return self.call("GET", f"/v1/jobs/{job_id}/result")

    def cancel(self, job_id: str) -> Response:
        return self.call("POST", f"/v1/jobs/{job_id}/cancel")

    def legacy_denoise(self, image: bytes) -> Response:
        """The legacy POST / of the original service: waits for the job, the image comes back base64 in JSON."""
        body = json.dumps({"base64Image": base64.b64encode(image).decode()}).encode()
        return self.call("POST", "/", body, {"Content-Type": "application/json"})

    def wait_until_final(self, job: dict, timeout_s: float, interval_s: float = 0.25) -> dict:
        """Polls the job until it is in a final status or timeout_s passed; its last view either way."""
        deadline = time.monotonic() + timeout_s
        while job["status"] not in FINAL_STATUSES and time.monotonic() < deadline:
            time.sleep(interval_s)
            polled = self.job(job["id"])
            if polled.status != 200:
                raise RuntimeError(f"GET /v1/jobs/{job['id']}: {polled.status} {polled.body[:200]!r}")
            job = polled.json()
        return job


def healthy(url: str, timeout: float = 2) -> bool:
    """Whether a health endpoint (e.g. the management port's /actuator/health/readiness) answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except urllib.error.HTTPError:
        return False


def noisy_png(width: int, height: int, sigma: float = 25, seed: int = 1) -> bytes:
    """A smooth colour gradient with Gaussian noise, as an 8-bit RGB PNG."""
    rng = random.Random(seed)
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter type: none
        for x in range(width):
            for base in (60 + 120 * x // width, 80 + 100 * y // height, 150 - 60 * (x + y) // (width + height)):
                row.append(max(0, min(255, round(base + rng.gauss(0, sigma)))))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its header."""
    if data[:8] != PNG_SIGNATURE:
        raise ValueError(f"not a PNG: {data[:16]!r}")
    return struct.unpack(">II", data[16:24])
