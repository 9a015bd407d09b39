#!/usr/bin/env python3
"""Load run against a running noise2noise gateway (e.g. `make run`): N clients submit jobs for a
fixed time with `Prefer: wait`, then the run waits for stragglers. Prints a table and writes JSON
with accepted/completed/rejected counts, end-to-end latency percentiles and, next to them, the
queue delay and the worker's execution time reported by each job. Standard library only; loopback.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "clients/python/src"))
from noise2noise_client import ApiError, Client, WaitTimedOut  # noqa: E402
from noise2noise_client.images import noisy_png  # noqa: E402


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", default="http://127.0.0.1:8080")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60, help="seconds of submitting")
    parser.add_argument("--size", default="256x256", help="image WxH")
    parser.add_argument("--sigma", type=float, default=25)
    parser.add_argument("--out", default="benchmarks/results")
    args = parser.parse_args()
    host = urllib.parse.urlparse(args.base_url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("load runs target loopback only")
    width, height = (int(v) for v in args.size.split("x"))
    image = noisy_png(width, height, args.sigma, 1)
    # no retries: a refusal is counted, as the load it measures
    api = Client(args.base_url, retries=0)

    lock = threading.Lock()
    outcomes: dict[str, int] = {}
    finished: list[dict] = []
    stop_at = time.monotonic() + args.duration

    def client() -> None:
        while time.monotonic() < stop_at:
            started = time.monotonic()
            try:
                job = api.submit_json(image, wait_s=60)
            except ApiError as refused:
                with lock:
                    outcomes[str(refused.status)] = outcomes.get(str(refused.status), 0) + 1
                time.sleep(0.5)
                continue
            with lock:
                # the gateway answers 200 with a job that ended within the wait, else 202
                answered = "200" if job.final else "202"
                outcomes[answered] = outcomes.get(answered, 0) + 1
            try:
                job = api.wait(job.id, 180 - (time.monotonic() - started), poll_interval_s=0.25)
            except WaitTimedOut as unfinished:
                job = unfinished.job
            with lock:
                finished.append({"status": job.status, "latency_s": time.monotonic() - started,
                                 "queue_delay_ms": job.data.get("queue_delay_ms"),
                                 "execution_time_ms": job.data.get("execution_time_ms")})

    began = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began

    succeeded = [f for f in finished if f["status"] == "succeeded"]
    latency = [f["latency_s"] * 1000 for f in succeeded]
    queue = [f["queue_delay_ms"] for f in succeeded if f["queue_delay_ms"] is not None]
    execution = [f["execution_time_ms"] for f in succeeded if f["execution_time_ms"] is not None]
    result = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "load_average": os.getloadavg()},
        "settings": vars(args),
        "elapsed_s": round(elapsed, 1),
        "submissions_by_status": outcomes,
        "accepted": outcomes.get("200", 0) + outcomes.get("202", 0),
        "completed": len(succeeded),
        "not_succeeded": len(finished) - len(succeeded),
        "rejected": sum(v for k, v in outcomes.items() if k not in ("200", "202")),
        "jobs_per_s": round(len(succeeded) / elapsed, 2),
        "megapixels_per_s": round(len(succeeded) * width * height / 1e6 / elapsed, 3),
    }
    for name, values in (("end_to_end_ms", latency), ("queue_delay_ms", queue), ("execution_time_ms", execution)):
        result[name] = {p: percentile(values, q) for p, q in (("p50", 50), ("p95", 95), ("p99", 99))}
        result[name]["mean"] = round(statistics.fmean(values), 1) if values else None

    print(f"{args.clients} clients, {args.duration:.0f} s, {args.size} images; load average {os.getloadavg()}")
    print(f"accepted {result['accepted']}, completed {result['completed']}, rejected {result['rejected']}"
          f" {outcomes}, {result['jobs_per_s']} jobs/s, {result['megapixels_per_s']} MP/s")
    print(f"{'ms':<18}{'p50':>10}{'p95':>10}{'p99':>10}")
    for name in ("end_to_end_ms", "queue_delay_ms", "execution_time_ms"):
        row = result[name]
        print(f"{name:<18}" + "".join(f"{(row[p] if row[p] is not None else float('nan')):>10.0f}" for p in ("p50", "p95", "p99")))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"load-{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2))
    print("written", path)


if __name__ == "__main__":
    main()
