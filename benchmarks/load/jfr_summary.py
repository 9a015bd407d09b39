"""Where a JVM's request time went, from a Flight Recording made with stack.JFR_OPTIONS, per time
window (a benchmark mode): waits of the service's own threads (parks and monitor blocks with a
`io.noise2noise` frame, grouped by those frames: S3 calls, Kafka acknowledgements, locks), S3 round
trips (one response-header read each, with its time to first byte) and GC pauses.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

OWN = "io.noise2noise."
WAIT_EVENTS = ("jdk.ThreadPark", "jdk.JavaMonitorEnter", "jdk.JavaMonitorWait")


def _seconds(iso_duration: str) -> float:
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?", iso_duration)
    hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def _epoch(iso_instant: str) -> float:
    from overhead import instant  # the one Instant parser
    return instant(iso_instant)


def _frames(event: dict) -> list[str]:
    trace = event["values"].get("stackTrace") or {}
    return [f["method"]["type"]["name"].replace("/", ".") + "." + f["method"]["name"] for f in trace.get("frames", [])]


def _site(frames: list[str], depth: int = 3) -> str | None:
    """The service's innermost frames, innermost first: 'MinioObjectStore.put < JobStore.write < ...',
    with lambdas named after the method that holds them and the generated lambda classes left out."""
    own = []
    for frame in frames:
        if not frame.startswith(OWN) or "$$Lambda" in frame or frame.endswith("MinioObjectStore.call"):
            continue
        cls, method = frame.rsplit(".", 1)
        method = method.split("$")[1] if method.startswith("lambda$") else method
        name = cls.rsplit(".", 1)[-1] + "." + method
        if not own or own[-1] != name:
            own.append(name)
    return " < ".join(own[:depth]) if own else None


def _stats(values: list[float]) -> dict:
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]
    return {"count": len(values), "total_ms": round(sum(values), 1), "p50_ms": round(pick(0.5), 2),
            "p99_ms": round(pick(0.99), 2), "max_ms": round(ordered[-1], 2)}


def summarise(path: Path, s3_port: int, windows: dict[str, tuple[float, float, int]]) -> dict:
    """windows: name -> (start epoch s, end epoch s, jobs submitted in it)."""
    text = subprocess.run(["jfr", "print", "--json", "--stack-depth", "40", "--events",
                           ",".join(WAIT_EVENTS + ("jdk.SocketRead", "jdk.GarbageCollection")), str(path)],
                          check=True, capture_output=True, text=True).stdout
    events = json.loads(text)["recording"]["events"]
    out = {}
    for name, (start, end, jobs) in windows.items():
        waits: dict[str, list[float]] = {}
        s3_ttfb: list[float] = []
        gc_pauses: list[float] = []
        for event in events:
            at = _epoch(event["values"]["startTime"])
            if not start <= at <= end:
                continue
            kind = event["type"]
            if kind == "jdk.GarbageCollection":
                gc_pauses.append(_seconds(event["values"]["sumOfPauses"]) * 1000)
                continue
            ms = _seconds(event["values"]["duration"]) * 1000
            frames = _frames(event)
            if kind == "jdk.SocketRead":
                if event["values"].get("port") == s3_port and any(f.endswith("readResponseHeaders") for f in frames):
                    s3_ttfb.append(ms)
                continue
            site = _site(frames)
            if site:
                waits.setdefault(f"{kind.split('.')[-1]}: {site}", []).append(ms)
        rows = sorted(((k, _stats(v)) for k, v in waits.items()), key=lambda kv: -kv[1]["total_ms"])
        out[name] = {
            "jobs": jobs,
            "s3_requests": len(s3_ttfb),
            "s3_requests_per_job": round(len(s3_ttfb) / jobs, 2) if jobs else None,
            "s3_time_to_first_byte": _stats(s3_ttfb) if s3_ttfb else None,
            "gc": _stats(gc_pauses) if gc_pauses else None,
            "waits": dict(rows[:15]),
        }
    return out


def print_summary(app: str, summary: dict) -> None:
    for window, row in summary.items():
        print(f"{app} during {window}: {row['jobs']} jobs, {row['s3_requests']} S3 requests "
              f"({row['s3_requests_per_job']} per job), S3 time to first byte {row['s3_time_to_first_byte']}, "
              f"GC pauses {row['gc']}")
        for site, stats in row["waits"].items():
            print(f"  {stats['count']:>6} x {stats['p50_ms']:>7.1f} ms p50 {stats['p99_ms']:>8.1f} p99 "
                  f"{stats['total_ms']:>9.0f} ms total  {site}")
