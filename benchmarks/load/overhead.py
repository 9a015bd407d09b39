#!/usr/bin/env python3
"""End-to-end overhead and ingest rate of small jobs. Standard library only; loopback only.

  overhead  sequential small jobs on an idle stack (after 100 untimed ones): per job, submit -> `succeeded` as the client
            sees it, minus the worker's execution time (started_at -> completed_at), split into
            stages by the job record's own timestamps; p50/p90/p99/max.
  ingest    N clients submitting small jobs (no waiting) for T seconds while the worker runs, after
            60 s of the same load untimed: accepted/s and the latency of the 202s.

Each mode's window is checked for steady state: the share of the stack's CPU its JVMs' JIT compiler
threads took (own stack). On 2 cores the compilers compete with the service: after 10 s of warm-up
they still took 48 % of the stack's CPU in the 20 s measured and halved the ingest rate (97 against
253 accepted/s after 60 s). A window where they took over 15 % of the machine is reported as not steady.
  all       both, in that order (the default).

Without --base-url it starts its own stack on free loopback ports (benchmarks/load/stack.py: Kafka,
S3Proxy, a gateway and a worker from the built jars), runs, and stops it; --jfr records both JVMs
with Flight Recorder and summarises where the time went (socket round trips per job by peer, GC).

The client learns that a job succeeded from `Prefer: wait` on the submission itself: the gateway
answers as soon as the results topic tells it the job ended, so the figure carries no client poll
interval and adds no GET traffic; polling would add half its interval on average to every sample.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "clients/python/src"))
from load_run import percentile  # noqa: E402
from noise2noise_client import ApiError, Client  # noqa: E402
from noise2noise_client.images import noisy_png  # noqa: E402
from stack import ROOT, LocalStack  # noqa: E402
from jfr_summary import print_summary, summarise  # noqa: E402

PERCENTILES = (("p50", 50), ("p90", 90), ("p99", 99))


def instant(value: str) -> float:
    """Epoch seconds of a Java Instant as Jackson writes it (up to nanoseconds, 'Z')."""
    stamp, _, fraction = value.rstrip("Z").partition(".")
    seconds = datetime.datetime.fromisoformat(stamp).replace(tzinfo=datetime.timezone.utc).timestamp()
    return seconds + (float("0." + fraction) if fraction else 0.0)


def summary(values: list[float]) -> dict:
    row = {name: percentile(values, q) for name, q in PERCENTILES}
    row["max"] = max(values) if values else None
    row["n"] = len(values)
    return {k: round(v, 1) if isinstance(v, float) else v for k, v in row.items()}


def table(title: str, rows: dict[str, dict]) -> None:
    print(f"{title:<34}" + "".join(f"{c:>9}" for c in ("p50", "p90", "p99", "max", "n")))
    for name, row in rows.items():
        print(f"{name:<34}" + "".join(f"{row[c]:>9.1f}" if isinstance(row[c], float) else f"{row[c]!s:>9}"
                                      for c in ("p50", "p90", "p99", "max", "n")))


def image(size: str) -> bytes:
    width, height = (int(v) for v in size.split("x"))
    return noisy_png(width, height)


def submit(api: Client, image_png: bytes, wait_s: int | None) -> tuple[int, dict | None]:
    """The answer's status and job: 200 for a job that ended within the wait, else 202; or a refusal's
    status and what the gateway said of it."""
    try:
        job = api.submit_json(image_png, wait_s=wait_s)
    except ApiError as refused:
        return refused.status, {"refused": refused.reason}
    return (200 if job.final else 202), job.data


def run_overhead(base_url: str, jobs: int, warmup: int, size: str, pause: float) -> dict:
    api, image_png = Client(base_url, timeout=30, retries=0), image(size)
    for _ in range(warmup):
        status, job = submit(api, image_png, 60)
        if status != 200 or job["status"] != "succeeded":
            raise SystemExit(f"warm-up job did not succeed: {status} {job}")
    stages = {k: [] for k in ("overhead_ms", "end_to_end_ms", "execution_ms", "submit_to_created_ms",
                              "created_to_started_ms", "completed_to_client_ms")}
    failures = 0
    for _ in range(jobs):
        sent = time.time()
        status, job = submit(api, image_png, 60)
        received = time.time()
        if status != 200 or job["status"] != "succeeded":
            failures += 1
            continue
        created, started, completed = (instant(job[k]) for k in ("created_at", "started_at", "completed_at"))
        execution = (completed - started) * 1000
        stages["end_to_end_ms"].append((received - sent) * 1000)
        stages["execution_ms"].append(execution)
        stages["overhead_ms"].append((received - sent) * 1000 - execution)
        stages["submit_to_created_ms"].append((created - sent) * 1000)
        stages["created_to_started_ms"].append((started - created) * 1000)
        stages["completed_to_client_ms"].append((received - completed) * 1000)
        time.sleep(pause)
    result = {name: summary(values) for name, values in stages.items()}
    result["failures"] = failures
    table(f"overhead: {jobs} x {size}, ms", {k: v for k, v in result.items() if k != "failures"})
    # the samples in order, so a distribution (e.g. a bimodal pick-up) can be seen, not only percentiles
    result["samples_ms"] = {name: [round(v, 1) for v in stages[name]]
                            for name in ("overhead_ms", "created_to_started_ms", "completed_to_client_ms")}
    return result


def run_ingest(base_url: str, clients: int, duration: float, size: str) -> dict:
    api, image_png = Client(base_url, timeout=30, retries=0), image(size)
    began = time.monotonic()
    outcomes, accepted_ms = run_clients(api, image_png, clients, duration)
    elapsed = time.monotonic() - began
    result = {"clients": clients, "elapsed_s": round(elapsed, 2), "submissions_by_status": outcomes,
              "accepted": len(accepted_ms), "accepted_per_s": round(len(accepted_ms) / elapsed, 1),
              "accepted_latency_ms": summary(accepted_ms)}
    print(f"ingest: {clients} clients, {elapsed:.1f} s, {size}: {result['accepted']} accepted, "
          f"{result['accepted_per_s']} accepted/s, {outcomes}")
    table("202 latency, ms", {"accepted_latency_ms": result["accepted_latency_ms"]})
    return result


def run_clients(api: Client, image_png: bytes, clients: int, duration: float) -> tuple[dict[str, int], list[float]]:
    """Submissions without waiting from `clients` threads for `duration` s: answers by status, 202 latencies."""
    lock = threading.Lock()
    outcomes: dict[str, int] = {}
    accepted_ms: list[float] = []
    stop_at = time.monotonic() + duration

    def client() -> None:
        while time.monotonic() < stop_at:
            started = time.monotonic()
            status, _ = submit(api, image_png, None)
            took = (time.monotonic() - started) * 1000
            with lock:
                outcomes[str(status)] = outcomes.get(str(status), 0) + 1
                if status == 202:
                    accepted_ms.append(took)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, accepted_ms


def scrape(url: str, prefixes: tuple[str, ...]) -> dict[str, float]:
    """Selected series of a Prometheus endpoint, for before/after differences."""
    with urllib.request.urlopen(url, timeout=5) as response:
        text = response.read().decode()
    series = {}
    for line in text.splitlines():
        if line.startswith(prefixes):
            name, _, value = line.rpartition(" ")
            series[name] = float(value)
    return series


METRICS = ("jvm_gc_pause_seconds", "http_server_requests_seconds_count", "http_server_requests_seconds_sum",
           "spring_kafka_template_seconds", "spring_kafka_listener_seconds", "executor_active_threads",
           "tomcat_threads_busy_threads", "tomcat_threads_current_threads")


def metrics_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: round(v - before.get(k, 0.0), 4) for k, v in after.items()
            if "_max" not in k and "threads" not in k and v != before.get(k, 0.0)}


def measure(args, base_url: str, stack: LocalStack | None) -> tuple[dict, dict]:
    """The modes' results, and each mode's time window with the jobs submitted in it."""
    results: dict = {}
    windows: dict[str, tuple[float, float, int]] = {}
    if stack:
        # what the stack burns with nothing to do (consumer polls, broker housekeeping): the floor under every figure
        before, began = stack.cpu_seconds(), time.monotonic()
        time.sleep(5)
        after, idle_s = stack.cpu_seconds(), time.monotonic() - began
        results["idle_cpu_percent"] = {name: round((after[name] - before[name]) * 100 / idle_s, 1) for name in after}
        print(f"idle CPU % of one core: {results['idle_cpu_percent']}")
    for mode in (("overhead", "ingest") if args.mode == "all" else (args.mode,)):
        if mode == "ingest" and args.ingest_warmup > 0:
            # the same load untimed first: a stack just started spends much of its CPU compiling the submit path
            run_clients(Client(base_url, timeout=30, retries=0), image(args.size), args.clients, args.ingest_warmup)
        before = {app: scrape(stack.management_url(app, "/actuator/prometheus"), METRICS)
                  for app in ("gateway", "worker")} if stack else {}
        began = time.time()
        cpu_before = {**stack.cpu_seconds(), "client": sum(os.times()[:2])} if stack else {}
        kinds_before = stack.cpu_seconds_by_kind() if stack else {}
        if mode == "overhead":
            results[mode] = run_overhead(base_url, args.jobs, args.warmup, args.size, args.pause)
            windows[mode] = (began, time.time(), args.jobs + args.warmup)
        else:
            results[mode] = run_ingest(base_url, args.clients, args.duration, args.size)
            windows[mode] = (began, time.time(), results[mode]["accepted"])
        if stack:
            jobs = windows[mode][2]
            cpu_after = {**stack.cpu_seconds(), "client": sum(os.times()[:2])}
            results[mode]["cpu_ms_per_job"] = {name: round((cpu_after[name] - cpu_before[name]) * 1000 / jobs, 1)
                                               for name in cpu_after}
            print(f"CPU ms per job ({jobs} jobs): {results[mode]['cpu_ms_per_job']}")
            results[mode]["steady_state"] = steady_state(kinds_before, stack.cpu_seconds_by_kind(),
                                                         time.time() - began)
            results[mode]["metrics_delta"] = {
                app: metrics_delta(before[app], scrape(stack.management_url(app, "/actuator/prometheus"), METRICS))
                for app in ("gateway", "worker")}
    return results, windows


def steady_state(before: dict[str, dict[str, float]], after: dict[str, dict[str, float]], seconds: float) -> dict:
    """The window's CPU seconds by process and kind of thread, and how much of the machine the JIT
    compilers took meanwhile (of all cores over the window): over 15 %, the JVMs were still warming up
    (after one or two minutes of ingest they settle at 10-12 %, most of it the gateway's)."""
    used = {app: {kind: round(after[app][kind] - before[app][kind], 2) for kind in after[app]} for app in after}
    jit = sum(kinds["jit"] for kinds in used.values())
    machine = round(100 * jit / (seconds * (os.cpu_count() or 1)), 1)
    steady = machine <= 15
    verdict = "steady" if steady else "NOT steady: the JVMs were still compiling; a longer warm-up"
    print(f"JIT compilers: {machine} % of the machine in this window ({verdict}); CPU s by thread kind: {used}")
    return {"jit_percent_of_machine": machine, "steady": steady, "cpu_s_by_thread_kind": used}


def cpu_model() -> str | None:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return None
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", nargs="?", default="all", choices=("all", "overhead", "ingest"))
    parser.add_argument("--base-url", help="a running gateway (default: start a stack of its own)")
    parser.add_argument("--size", default="64x64", help="image WxH")
    parser.add_argument("--jobs", type=int, default=200, help="overhead: timed jobs")
    parser.add_argument("--warmup", type=int, default=100,
                        help="overhead: untimed jobs first (20 before 2026-12-04: the JVMs were still compiling)")
    parser.add_argument("--pause", type=float, default=0.05, help="overhead: seconds between jobs")
    parser.add_argument("--clients", type=int, default=16, help="ingest: concurrent clients")
    parser.add_argument("--duration", type=float, default=20, help="ingest: seconds of submitting")
    parser.add_argument("--ingest-warmup", type=float, default=60,
                        help="ingest: seconds of the same submissions first, untimed (10 until 2026-12-04 "
                             "18:00, 0 before that: the JIT compilers still took about half the CPU)")
    parser.add_argument("--gateway-arg", action="append", default=[], help="extra gateway argument (own stack)")
    parser.add_argument("--worker-arg", action="append", default=[], help="extra worker argument (own stack)")
    parser.add_argument("--jfr", action="store_true", help="record both JVMs with Flight Recorder (own stack)")
    parser.add_argument("--label", default="", help="a name for this configuration in the JSON")
    parser.add_argument("--out", default=str(ROOT / "benchmarks/results"))
    args = parser.parse_args()
    if args.base_url and urllib.request.urlparse(args.base_url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("load runs target loopback only")

    load_before = os.getloadavg()
    began = time.time()
    if args.base_url:
        results, _ = measure(args, args.base_url, None)
    else:
        # ingest submits far more than one worker runs: lift the backlog bound and the (anonymous)
        # caller's unfinished-jobs quota so it measures the submit path, not the 429 rules
        gateway_args = ["--n2n.gateway.backpressure.max-queued-jobs=1000000",
                        "--n2n.gateway.quotas.max-unfinished-jobs=1000000", *args.gateway_arg]
        state = ROOT / "benchmarks/results/tmp" / f"stack-{os.getpid()}"
        with LocalStack(state, gateway_args, args.worker_arg, jfr=args.jfr) as stack:
            results, windows = measure(args, stack.base_url, stack)
        if args.jfr:
            results["jfr"] = {}
            for app in ("gateway", "worker"):
                results["jfr"][app] = summarise(stack.jfr_file(app), stack.ports["s3"], windows)
                print_summary(app, results["jfr"][app])

    result = {
        "machine": {"cpus": os.cpu_count(), "cpu_model": cpu_model(), "platform": platform.platform(),
                    "node": platform.node(),
                    "load_average_before": load_before, "load_average_after": os.getloadavg()},
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(began)),
        "label": args.label,
        "settings": {k: v for k, v in vars(args).items() if k != "out"},
        **results,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"overhead-{args.label + '-' if args.label else ''}{time.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2))
    print(f"load average {load_before} -> {os.getloadavg()}; written {path}")


if __name__ == "__main__":
    main()
