"""n2n: denoise images with a noise2noise gateway, and look after its jobs.

  n2n denoise photo.jpg -o clean.jpg [--model M] [--strength S] [--format F]
  n2n status ID | n2n cancel ID | n2n models | n2n jobs [--status S] [--limit N]

The gateway is --url (or N2N_URL, default http://127.0.0.1:8080); an API key is --api-key (or
N2N_API_KEY). Progress goes to stderr, results to stdout or the -o file.

Exit status: 0 done, 1 a local file error, 2 bad usage, 3 refused by the gateway (its problem's
detail on stderr), 4 the job failed, was canceled or expired, 5 the gateway could not be reached,
6 the job was still running when the wait (--wait) ended.
"""

from __future__ import annotations

import argparse
import enum
import json
import os
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from noise2noise_client import __version__
from noise2noise_client.client import (
    DEFAULT_UPLOAD_THRESHOLD,
    ApiError,
    Client,
    Job,
    ProgressCallback,
    Unreachable,
    WaitTimedOut,
)

DEFAULT_URL = "http://127.0.0.1:8080"
# output formats the gateway writes (docs/api.md, "Strength and output format"), by file suffix
FORMATS_BY_SUFFIX = {
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".bmp": "bmp",
    ".gif": "gif",
    ".tif": "tiff",
    ".tiff": "tiff",
}
JOB_STATUSES = ("queued", "running", "succeeded", "failed", "canceled", "expired")
# progress while waiting: how long one GET may be held, so a change shows within about this
PROGRESS_LONG_POLL_S = 2


class Exit(enum.IntEnum):
    """What happened, as the exit status says it."""

    OK = 0
    LOCAL_ERROR = 1  # a file that could not be read or written
    USAGE = 2  # argparse's own
    REFUSED = 3  # the gateway answered with an error (4xx/5xx problem)
    JOB_FAILED = 4  # the job ended failed, canceled or expired
    UNREACHABLE = 5  # no answer from the gateway (or storage)
    TIMED_OUT = 6  # the job was not finished when the wait ended
    INTERRUPTED = 130


# gateways since 2026-12 never hand out an id beginning with '-'; an earlier one is read as an option
ID_HELP = "the job's id (one that begins with '-' goes after '--': n2n status -- -bZq...)"


def build_parser(environ: dict[str, str] | None = None) -> argparse.ArgumentParser:
    environ = dict(os.environ) if environ is None else environ
    connection = argparse.ArgumentParser(add_help=False)
    connection.add_argument("--url", default=environ.get("N2N_URL", DEFAULT_URL), help="the gateway (env N2N_URL)")
    connection.add_argument("--api-key", default=environ.get("N2N_API_KEY"), help="bearer key (env N2N_API_KEY)")
    connection.add_argument("--timeout", type=float, default=90, help="seconds for one HTTP exchange")
    connection.add_argument("--retries", type=int, default=3, help="retries of a 429/503, after its Retry-After")

    parser = argparse.ArgumentParser(
        prog="n2n", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    denoise = commands.add_parser(
        "denoise", parents=[connection], help="denoise an image: submit, wait, download the result"
    )
    denoise.add_argument("input", type=Path, metavar="IN")
    denoise.add_argument("-o", "--output", type=Path, required=True, metavar="OUT")
    denoise.add_argument("--model", help="a model of `n2n models` (default: the gateway's default)")
    denoise.add_argument("--strength", type=float, help="0 returns the input, 1 (the default) the model's output")
    denoise.add_argument("--format", help="png, jpeg, bmp, gif or tiff (default: from OUT's suffix, else the input's)")
    denoise.add_argument("--quality", type=float, help="JPEG quality in (0, 1]")
    denoise.add_argument("--wait", type=float, default=600, metavar="SECONDS", help="how long to wait for the job")
    denoise.add_argument(
        "--upload-threshold",
        type=int,
        default=DEFAULT_UPLOAD_THRESHOLD,
        metavar="BYTES",
        help="files of this size and more go through a presigned upload (default: %(default)s)",
    )
    denoise.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")

    status = commands.add_parser("status", parents=[connection], help="a job, as JSON")
    status.add_argument("job_id", metavar="ID", help=ID_HELP)
    cancel = commands.add_parser("cancel", parents=[connection], help="cancel a job; prints it as JSON")
    cancel.add_argument("job_id", metavar="ID", help=ID_HELP)

    models = commands.add_parser("models", parents=[connection], help="the models the workers run")
    models.add_argument("--json", action="store_true", help="the catalogue as JSON, cards included")

    jobs = commands.add_parser("jobs", parents=[connection], help="your jobs, newest first")
    jobs.add_argument("--status", choices=JOB_STATUSES)
    jobs.add_argument("--limit", type=int, help="jobs on one page (the gateway's default: 20)")
    jobs.add_argument("--page-token", help="the next page, as the previous one named it")
    jobs.add_argument("--json", action="store_true", help="the page as JSON")
    return parser


def main(argv: Sequence[str] | None = None, environ: dict[str, str] | None = None) -> int:
    args = build_parser(environ).parse_args(argv)
    client = Client(args.url, api_key=args.api_key, timeout=args.timeout, retries=args.retries)
    commands = {"denoise": denoise, "status": status, "cancel": cancel, "models": models, "jobs": jobs}
    try:
        return int(commands[args.command](client, args))
    except ApiError as error:
        print(f"n2n: refused: {error}", file=sys.stderr)
        return Exit.REFUSED
    except Unreachable as error:
        print(f"n2n: unreachable: {error}", file=sys.stderr)
        return Exit.UNREACHABLE
    except WaitTimedOut as error:
        print(f"n2n: {error}; see `n2n status {error.job.id}`", file=sys.stderr)
        return Exit.TIMED_OUT
    except OSError as error:
        print(f"n2n: {error}", file=sys.stderr)
        return Exit.LOCAL_ERROR
    except KeyboardInterrupt:
        print("n2n: interrupted", file=sys.stderr)
        return Exit.INTERRUPTED


class Progress:
    """One line on stderr per change of what the gateway reports; nothing when quiet."""

    def __init__(self, stream: TextIO, quiet: bool):
        self.stream = stream
        self.quiet = quiet
        self.last_percent = -1

    def say(self, message: str) -> None:
        if not self.quiet:
            print(message, file=self.stream, flush=True)

    def job(self, job: Job) -> None:
        progress = job.progress
        tiles = f" {progress[0]}/{progress[1]} tiles" if progress else ""
        self.say(f"job {job.id}: {job.status}{tiles}")

    def transfer(self, verb: str) -> ProgressCallback:
        def report(done: int, total: int) -> None:
            percent = 100 * done // total if total else 100
            # every 10 %: a line per block would flood a log
            if percent // 10 != self.last_percent // 10 or done == total:
                self.last_percent = percent
                self.say(f"{verb} {done}/{total} bytes ({percent} %)")

        self.last_percent = -1
        return report


def output_format(args: argparse.Namespace) -> str | None:
    """--format, else the one OUT's suffix names (a known one), else None: the input's format."""
    if args.format:
        return str(args.format)
    return FORMATS_BY_SUFFIX.get(args.output.suffix.lower())


def denoise(client: Client, args: argparse.Namespace) -> Exit:
    progress = Progress(sys.stderr, args.quiet)
    size = args.input.stat().st_size
    if size >= args.upload_threshold:
        progress.say(f"uploading {args.input} ({size} bytes) through a presigned URL")
    job = client.submit(
        args.input,
        upload_threshold=args.upload_threshold,
        on_upload_progress=progress.transfer("uploaded"),
        # the same key on every retry of this submission: a 503 after the job was stored returns that job
        idempotency_key=str(uuid.uuid4()),
        model=args.model,
        strength=args.strength,
        format=output_format(args),
        quality=args.quality,
    )
    job = client.wait(job.id, timeout_s=args.wait, on_update=progress.job, long_poll_s=PROGRESS_LONG_POLL_S)
    if job.status != "succeeded":
        print(f"n2n: job {job.id} {job.status}" + (f": {job.error}" if job.error else ""), file=sys.stderr)
        return Exit.JOB_FAILED
    written = client.download(job.id, args.output, progress.transfer("downloaded"))
    reason = job.data.get("model_reason")
    progress.say(f"model {job.data.get('model_used')}" + (f" ({reason})" if reason else ""))
    progress.say(f"wrote {args.output} ({written} bytes)")
    return Exit.OK


def status(client: Client, args: argparse.Namespace) -> Exit:
    print(json.dumps(client.get(args.job_id).data, indent=2))
    return Exit.OK


def cancel(client: Client, args: argparse.Namespace) -> Exit:
    job = client.cancel(args.job_id)
    if job.status == "running":
        print(f"job {job.id}: cancel asked; its worker stops it at the next tile", file=sys.stderr)
    print(json.dumps(job.data, indent=2))
    return Exit.OK


def models(client: Client, args: argparse.Namespace) -> Exit:
    catalogue = client.models()
    if args.json:
        print(json.dumps(catalogue, indent=2))
        return Exit.OK
    rows = [
        [
            m["name"],
            "yes" if m.get("default") else "",
            "yes" if m.get("available") else "no",
            m.get("workers", ""),
            m.get("lastSeen") or "",
        ]
        for m in catalogue
    ]
    print_table(["MODEL", "DEFAULT", "AVAILABLE", "WORKERS", "LAST SEEN"], rows)
    return Exit.OK


def jobs(client: Client, args: argparse.Namespace) -> Exit:
    page = client.jobs(status=args.status, limit=args.limit, page_token=args.page_token)
    if args.json:
        print(json.dumps({"jobs": [job.data for job in page.jobs], "nextPageToken": page.next_page_token}, indent=2))
        return Exit.OK
    rows = []
    for job in page.jobs:
        progress = job.progress
        note = job.error or (f"{progress[0]}/{progress[1]} tiles" if progress and not job.final else "")
        rows.append([job.id, job.status, job.data.get("created_at", ""), job.data.get("model_used") or "", note])
    print_table(["ID", "STATUS", "CREATED", "MODEL", ""], rows)
    if page.next_page_token:
        print(f"more: n2n jobs --page-token {page.next_page_token}", file=sys.stderr)
    return Exit.OK


def print_table(header: list[str], rows: list[list[Any]]) -> None:
    cells = [header, *[[str(cell) for cell in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
