"""The gateway's page (GET /) tried in a real headless browser, as a person would use it: Debian's chromium
driven by Playwright (`make test-page` runs it through scripts/page-check.sh, which installs chromium).

On one stack on free loopback ports (benchmarks/load/stack.py: Kafka, S3Proxy, a worker) with two gateways,
one with API keys off and one with a key on:
  keys off: the page loads, the model picker holds what GET /v1/models lists (or "default model" where the
            gateway has no catalogue), a generated noisy PNG is picked and denoised with the strength chosen,
            the result is shown in the before/after view and downloaded (the same bytes as the API's result,
            the input's size, less noisy than the input), and a text file's refusal shows the server's detail;
  key on:   the page itself loads without a key, a submission without one shows the gateway's 401 detail, and
            with the key typed in the page works, the key kept in sessionStorage and never in a URL.
Screenshots go to the state folder (--save-screenshots DIR also writes the before/after view there, e.g.
docs/images). Exit status 0 when every check passed, 1 otherwise.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import secrets
import signal
import struct
import sys
import time
import urllib.error
import urllib.request
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks" / "load"))
from stack import LocalStack  # noqa: E402

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402
from playwright.sync_api import Error as PlaywrightError  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SIGMA = 25
JOB_TIMEOUT_MS = 90_000
# what a page may take to answer a click: a fresh gateway's first requests are slow on a busy machine
STEP_TIMEOUT_MS = 30_000
KEY_ID = "page-check"


class CheckFailed(AssertionError):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise CheckFailed(what)


# ---------------------------------------------------------------------------------------------------------
# images: a scene with edges and flat areas (so denoising shows), its noisy copy, and a PNG reader


def scene(width: int, height: int) -> list[tuple[int, int, int]]:
    """Discs and bars on a gradient, row by row."""
    discs = [(0.28, 0.38, 0.2, (220, 70, 60)), (0.68, 0.58, 0.25, (60, 150, 220)), (0.45, 0.8, 0.12, (240, 200, 60))]
    pixels = []
    for y in range(height):
        for x in range(width):
            u, v = x / width, y / height
            colour = (int(40 + 90 * u), int(60 + 80 * v), int(120 - 50 * u))
            if int(u * 12) % 2 == 0 and v < 0.18:
                colour = (235, 235, 235)
            for cx, cy, r, disc in discs:
                if (u - cx) ** 2 * (width / height) ** 2 + (v - cy) ** 2 < r * r:
                    colour = disc
            pixels.append(colour)
    return pixels


def add_noise(pixels: list[tuple[int, int, int]], sigma: float, seed: int) -> list[tuple[int, int, int]]:
    rng = random.Random(seed)
    return [tuple(max(0, min(255, round(c + rng.gauss(0, sigma)))) for c in p) for p in pixels]


def encode_png(width: int, height: int, pixels: list[tuple[int, int, int]]) -> bytes:
    raw = bytearray()
    for y in range(height):
        raw.append(0)
        for p in pixels[y * width:(y + 1) * width]:
            raw.extend(p)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(raw))) + chunk(b"IEND", b"")


def decode_png(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Width, height and RGB pixels of an 8-bit, non-interlaced RGB or RGBA PNG (what the worker writes)."""
    check(data[:8] == PNG_SIGNATURE, f"not a PNG: {data[:16]!r}")
    offset, idat = 8, b""
    width = height = channels = 0
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            check(depth == 8 and colour in (2, 6) and interlace == 0, f"unexpected PNG form {depth}/{colour}/{interlace}")
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    raw, stride = zlib.decompress(idat), width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, up_left = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - up_left
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - up_left)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        rows.append(line)
        previous = line
    pixels = [tuple(row[x * channels:x * channels + 3]) for row in rows for x in range(width)]
    return width, height, pixels


def psnr(a: list[tuple[int, ...]], b: list[tuple[int, ...]]) -> float:
    squared = sum((x - y) ** 2 for p, q in zip(a, b) for x, y in zip(p, q)) / (3 * len(a))
    return 10 * math.log10(255 ** 2 / squared)


# ---------------------------------------------------------------------------------------------------------
# the API as seen from outside the browser: what the page should show, and what it should have done


def call(base_url: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    """(status, headers, body) of a request; HTTP errors are answers too."""
    request = urllib.request.Request(base_url + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def multipart_file(name: str, content_type: str, data: bytes) -> tuple[bytes, str]:
    boundary = "n2n" + secrets.token_hex(8)
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: {content_type}\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def refusal_detail(base_url: str, name: str, content_type: str, data: bytes, headers: dict | None = None) -> str:
    """The message the page must show for this file: the status and the problem's detail."""
    body, multipart_type = multipart_file(name, content_type, data)
    status, _, answer = call(base_url, "POST", "/v1/jobs", body, {"Content-Type": multipart_type, **(headers or {})})
    check(400 <= status < 500, f"the gateway accepted {name} ({status})")
    return f"{status}: {json.loads(answer)['detail']}"


def expected_models(base_url: str, headers: dict | None = None) -> tuple[list[str], str]:
    """The picker's option texts and the selected one's value, from GET /v1/models (404: no catalogue),
    once the worker's models are listed (a gateway reads the catalogue every few seconds)."""
    deadline = time.monotonic() + 60
    while True:
        status, _, body = call(base_url, "GET", "/v1/models", headers=headers)
        if status == 404:
            return ["default model"], ""
        check(status == 200, f"GET /v1/models: {status} {body[:200]!r}")
        models = json.loads(body)["models"]
        if models:
            break
        check(time.monotonic() < deadline, "GET /v1/models listed no model within 60 s")
        time.sleep(0.5)
    labels = [m["name"] + (" (default)" if m["default"] else "") + ("" if m["available"] else " (no worker running now)")
              for m in models]
    default = next((m["name"] for m in models if m["default"]), models[0]["name"] if models else "")
    return labels or ["default model"], default


# ---------------------------------------------------------------------------------------------------------
# the browser


def open_page(browser: Browser, base_url: str, problems: list[str]) -> Page:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1000, "height": 900})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    # a refused request is logged by the browser as a failed load; the page shows those itself
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    response = page.goto(base_url + "/")
    check(response is not None and response.status == 200, f"GET / answered {response and response.status}")
    check(response.headers.get("content-type", "").startswith("text/html"), "GET / is not HTML")
    expect(page.locator("h1")).to_have_text("noise2noise")
    return page


def pick(page: Page, name: str, mime: str, data: bytes) -> None:
    page.set_input_files("#file", files=[{"name": name, "mimeType": mime, "buffer": data}])
    expect(page.locator("#drop-text")).to_contain_text(name)


def denoise(page: Page) -> str:
    """Submits the picked file and waits for the result to be shown; the job's id."""
    page.click("#submit")
    expect(page.locator("#download")).to_be_visible(timeout=JOB_TIMEOUT_MS)
    expect(page.locator("#message")).to_be_hidden()
    expect(page.locator("#cancel")).to_be_hidden()
    check(page.evaluate("document.getElementById('after').complete && document.getElementById('after').naturalWidth > 0"),
          "the result image is not shown")
    info = page.locator("#job-info").inner_text()
    return info.split()[1].rstrip(",")


def download(page: Page) -> bytes:
    with page.expect_download() as started:
        page.click("#download")
    return Path(started.value.path()).read_bytes()


def check_without_keys(browser: Browser, base_url: str, state: Path, screenshots: Path | None, log) -> None:
    problems: list[str] = []
    labels, default = expected_models(base_url)
    page = open_page(browser, base_url, problems)
    _, _, document = call(base_url, "GET", "/v3/api-docs")
    check("get" not in json.loads(document)["paths"].get("/", {}), "the page is in the API document")
    expect(page.locator("#model option")).to_have_text(labels)
    check(page.locator("#model").input_value() == default, f"the default model {default!r} is not selected")

    width, height = 160, 120
    clean = scene(width, height)
    noisy = add_noise(clean, SIGMA, seed=14)
    noisy_png = encode_png(width, height, noisy)
    pick(page, "noisy.png", "image/png", noisy_png)
    page.fill("#strength", "0.9")
    expect(page.locator("#strength-value")).to_have_text("0.90")
    job_id = denoise(page)
    log(f"keys off: job {job_id} shown: {page.locator('#state').inner_text()}")

    status, _, job = call(base_url, "GET", f"/v1/jobs/{job_id}")
    job = json.loads(job)
    check(status == 200 and job["status"] == "succeeded", f"job {job_id}: {status} {job}")
    check(abs(job["strength"] - 0.9) < 1e-9, f"the job was sent strength {job['strength']}, not 0.9")
    downloaded = download(page)
    _, _, result = call(base_url, "GET", f"/v1/jobs/{job_id}/result")
    check(downloaded == result, "the download is not the job's result")
    check(downloaded != noisy_png, "the download is the input")
    w, h, denoised = decode_png(downloaded)
    check((w, h) == (width, height), f"the result is {w}x{h}, the input {width}x{height}")
    before, after = psnr(noisy, clean), psnr(denoised, clean)
    log(f"keys off: PSNR against the clean scene {before:.1f} dB noisy, {after:.1f} dB downloaded")
    check(after > before + 2, f"the download is not denoised: {before:.1f} dB -> {after:.1f} dB")

    page.fill("#split", "50")
    page.screenshot(path=str(state / "page-before-after.png"), full_page=True)
    if screenshots is not None:
        screenshots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshots / "page-before-after.png"), full_page=True)

    check_cancel(page, base_url, log)

    text = b"this is a note, not an image\n"
    expected = refusal_detail(base_url, "note.txt", "text/plain", text)
    pick(page, "note.txt", "text/plain", text)
    page.click("#submit")
    expect(page.locator("#message")).to_have_text(expected, timeout=JOB_TIMEOUT_MS)
    expect(page.locator("#compare")).to_be_hidden()
    log(f"keys off: the refusal shown: {expected}")
    page.screenshot(path=str(state / "page-refusal.png"), full_page=True)
    check(not problems, f"the browser reported: {problems}")
    page.context.close()


def flat_png(width: int, height: int) -> bytes:
    """A one-colour RGB PNG: made at once at any size, and as slow to denoise as any other."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = (b"\0" + bytes((90, 140, 200)) * width) * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def check_cancel(page: Page, base_url: str, log) -> None:
    """The page's Cancel while its job waits: the one worker is kept busy with a big job sent by the API first."""
    body, multipart_type = multipart_file("big.png", "image/png", flat_png(3000, 2000))
    status, _, busy = call(base_url, "POST", "/v1/jobs", body, {"Content-Type": multipart_type})
    check(status == 202, f"the big job was not accepted: {status} {busy[:200]!r}")
    busy_id = json.loads(busy)["id"]
    deadline = time.monotonic() + 60
    while json.loads(call(base_url, "GET", f"/v1/jobs/{busy_id}")[2])["status"] != "running":
        check(time.monotonic() < deadline, "the big job did not start within 60 s")
        time.sleep(0.2)
    page.click("#submit")
    expect(page.locator("#state")).to_have_text("queued")
    page.click("#cancel")
    expect(page.locator("#state")).to_have_text("canceled")
    expect(page.locator("#message")).to_contain_text("canceled")
    expect(page.locator("#compare")).to_be_hidden()
    expect(page.locator("#submit")).to_be_enabled()
    log(f"keys off: Cancel while queued shown as: {page.locator('#message').inner_text()}")
    call(base_url, "POST", f"/v1/jobs/{busy_id}/cancel")


def check_model_picker(browser: Browser, base_url: str, log) -> None:
    """How the picker shows a catalogue in the shape GET /v1/models answers, with what a stack of one worker
    cannot show: an unavailable model. The answer is given to the browser; everything else is the real gateway."""
    card = {"architecture": "halfunet", "channels": 3, "noise": "gaussian,0,50",
            "validation": {"psnr_noisy": 20.39, "psnr_model": 28.47}}
    catalogue = {"models": [
        {"name": "gaussian", "default": True, "available": True, "workers": 2, "lastSeen": "2026-01-01T00:00:00Z",
         "card": card},
        {"name": "poisson", "default": False, "available": False, "workers": 0, "lastSeen": "2026-01-01T00:00:00Z",
         "card": {**card, "noise": "poisson,5,50"}}]}
    problems: list[str] = []
    context = browser.new_context()
    context.set_default_timeout(STEP_TIMEOUT_MS)
    context.route("**/v1/models", lambda route: route.fulfill(status=200, content_type="application/json",
                                                               body=json.dumps(catalogue)))
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.goto(base_url + "/")
    expect(page.locator("#model option")).to_have_text(["gaussian (default)", "poisson (no worker running now)"])
    check(page.locator("#model").input_value() == "gaussian", "the default model is not selected")
    expect(page.locator("#model-card")).to_have_text("noise gaussian,0,50 · 3 channels · halfunet · PSNR 20.39 → 28.47 dB")
    page.select_option("#model", "poisson")
    expect(page.locator("#model-card")).to_contain_text("queued until a worker that runs it starts")
    check(not problems, f"the browser reported: {problems}")
    log("the model picker shows a catalogue: default selected, an unavailable model marked, the card described")
    context.close()


def check_with_key(browser: Browser, base_url: str, key: str, state: Path, log) -> None:
    problems: list[str] = []
    page = open_page(browser, base_url, problems)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    expect(page.locator("#model option")).to_have_text(["default model"])
    expect(page.locator("#model-card")).to_have_text("Enter the API key to see the models.")

    width, height = 96, 64
    noisy_png = encode_png(width, height, add_noise(scene(width, height), SIGMA, seed=15))
    expected = refusal_detail(base_url, "noisy.png", "image/png", noisy_png)
    check(expected.startswith("401: "), f"without a key the gateway answered {expected}")
    pick(page, "noisy.png", "image/png", noisy_png)
    page.click("#submit")
    expect(page.locator("#message")).to_have_text(expected)
    log(f"key on: without it the page shows: {expected}")

    page.fill("#api-key", key)
    page.locator("#api-key").blur()
    labels, default = expected_models(base_url, {"Authorization": f"Bearer {key}"})
    expect(page.locator("#model option")).to_have_text(labels)
    job_id = denoise(page)
    status, _, _ = call(base_url, "GET", f"/v1/jobs/{job_id}", headers={"Authorization": f"Bearer {key}"})
    check(status == 200, f"job {job_id} is not the key's ({status})")
    check(len(download(page)) > 0, "nothing downloaded")
    check(page.evaluate("sessionStorage.getItem('n2n.apiKey')") == key, "the key is not in sessionStorage")
    check(not any(key in url for url in requests), "the key was sent in a URL")
    log(f"key on: with it, job {job_id} denoised and downloaded ({len(requests)} requests, none with the key)")
    page.screenshot(path=str(state / "page-with-key.png"), full_page=True)
    check(not problems, f"the browser reported: {problems}")
    page.context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chromium", required=True, help="the browser to drive (Debian's chromium)")
    parser.add_argument("--state", type=Path, default=ROOT / ".run" / "page-check", help="logs and screenshots")
    parser.add_argument("--save-screenshots", type=Path, help="also write the before/after view here")
    parser.add_argument("--timeout", type=int, default=480, help="seconds for the whole check")
    args = parser.parse_args()

    def out_of_time(*_):
        raise TimeoutError(f"the page check ran past {args.timeout} s")

    expect.set_options(timeout=STEP_TIMEOUT_MS)
    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(args.timeout)
    started = time.monotonic()

    def log(line: str) -> None:
        print(f"[page-check {time.monotonic() - started:5.1f}s] {line}", flush=True)

    key = secrets.token_urlsafe(24)
    key_args = [f"--n2n.gateway.api-keys[0].id={KEY_ID}",
                f"--n2n.gateway.api-keys[0].sha256={hashlib.sha256(key.encode()).hexdigest()}",
                "--n2n.gateway.api-keys[0].requests-per-minute=6000"]
    try:
        with LocalStack(args.state, gateway_args=key_args, log=log, more_gateways={"gateway_open": []}) as stack:
            open_url = stack.gateway_url("gateway_open")
            log(f"gateway with a key {stack.base_url}, without keys {open_url}")
            with sync_playwright() as playwright:
                # root has no user namespaces for chromium's sandbox here; the pages are our own
                browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
                try:
                    check_without_keys(browser, open_url, args.state, args.save_screenshots, log)
                    check_model_picker(browser, open_url, log)
                    check_with_key(browser, stack.base_url, key, args.state, log)
                finally:
                    browser.close()
    except (AssertionError, TimeoutError, PlaywrightError) as failure:
        log(f"FAILED: {failure}; logs and screenshots in {args.state}")
        return 1
    log(f"passed; screenshots in {args.state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
