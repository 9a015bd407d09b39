"""Where a JVM's request time went, from a Flight Recording made with stack.JFR_OPTIONS, per time
window (a benchmark mode): waits of the service's own threads (parks and monitor blocks with a
`io.noise2noise` frame, grouped by those frames: S3 calls, Kafka acknowledgements, locks), S3 round
trips (one response-header read each, with its time to first byte) and GC pauses.
"""
from __future__ import annotations

import datetime
import re
import subprocess
from pathlib import Path

OWN = "io.noise2noise."
WAIT_EVENTS = ("jdk.ThreadPark", "jdk.JavaMonitorEnter", "jdk.JavaMonitorWait")
# what a CPU sample was doing, by the first of these found in its stack (innermost first)
CPU_AREAS = (("logging", ("ch.qos.logback.", "org.slf4j.", "org.springframework.boot.logging.")),
             ("tracing and metrics", ("io.micrometer.", "io.opentelemetry.")),
             ("json", ("com.fasterxml.jackson.",)),
             ("image probe/codec", ("javax.imageio.", "com.twelvemonkeys.", "io.noise2noise.image.")),
             ("base64", ("java.util.Base64",)),
             ("s3 client", ("io.minio.", "okhttp3.", "okio.")),
             ("kafka client", ("org.apache.kafka.",)),
             ("spring kafka", ("org.springframework.kafka.",)),
             ("tomcat and spring mvc", ("org.apache.catalina.", "org.apache.coyote.", "org.apache.tomcat.",
                                        "org.springframework.web.")),
             ("inference", ("ai.djl.", "org.tensorflow.")),
             ("class loading", ("org.springframework.boot.loader.", "jdk.internal.loader.", "java.lang.ClassLoader")))
UNITS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _millis(text: str) -> float:
    """A duration as `jfr print` writes it: '843 ms', '1.01 s', '5 m 0 s', '12.5 us'."""
    parts = text.split()
    return sum(float(value) * UNITS[unit] for value, unit in zip(parts[::2], parts[1::2]))


def _events(path: Path, names: tuple[str, ...]):
    """(type, fields, stack frames) of each event, read from `jfr print` text line by line (its JSON
    carries every frame's class loader and module and runs to gigabytes)."""
    process = subprocess.Popen(["jfr", "print", "--stack-depth", "40", "--events", ",".join(names), str(path)],
                               stdout=subprocess.PIPE, text=True)
    kind, fields, frames = None, {}, []
    for line in process.stdout:
        line = line.strip()
        if line.endswith("{") and line.startswith("jdk."):
            kind, fields, frames = line[:-1].strip(), {}, []
        elif line == "}" and kind:
            yield kind, fields, frames
            kind = None
        elif kind and " = " in line:
            key, _, value = line.partition(" = ")
            fields[key] = value
        elif kind and line and line not in ("]", "..."):
            frames.append(line.split("(", 1)[0])
    process.wait()


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
    # `jfr print` writes local times of day: the day is the first window's
    day = datetime.datetime.fromtimestamp(min(w[0] for w in windows.values())).replace(
        hour=0, minute=0, second=0, microsecond=0).timestamp()
    # waits by site, S3 times to first byte, GC pauses, CPU samples by area
    collected = {name: ({}, [], [], {}) for name in windows}
    for kind, fields, frames in _events(path, WAIT_EVENTS + ("jdk.SocketRead", "jdk.GarbageCollection",
                                                             "jdk.ExecutionSample")):
        clock = datetime.time.fromisoformat(fields["startTime"].split()[0])
        at = day + clock.hour * 3600 + clock.minute * 60 + clock.second + clock.microsecond / 1e6
        for name, (start, end, _) in windows.items():
            if not start <= at <= end:
                continue
            waits, s3_ttfb, gc_pauses, cpu = collected[name]
            if kind == "jdk.ExecutionSample":
                area = next((area for frame in frames for area, prefixes in CPU_AREAS
                             if frame.startswith(prefixes)), "other")
                cpu[area] = cpu.get(area, 0) + 1
            elif kind == "jdk.GarbageCollection":
                gc_pauses.append(_millis(fields["sumOfPauses"]))
            elif kind == "jdk.SocketRead":
                if fields.get("port") == str(s3_port) and any(f.endswith("readResponseHeaders") for f in frames):
                    s3_ttfb.append(_millis(fields["duration"]))
            elif site := _site(frames):
                waits.setdefault(f"{kind.split('.')[-1]}: {site}", []).append(_millis(fields["duration"]))
    out = {}
    for name, (_, _, jobs) in windows.items():
        waits, s3_ttfb, gc_pauses, cpu = collected[name]
        rows = sorted(((k, _stats(v)) for k, v in waits.items()), key=lambda kv: -kv[1]["total_ms"])
        out[name] = {
            "jobs": jobs,
            "s3_requests": len(s3_ttfb),
            "s3_requests_per_job": round(len(s3_ttfb) / jobs, 2) if jobs else None,
            "s3_time_to_first_byte": _stats(s3_ttfb) if s3_ttfb else None,
            "gc": _stats(gc_pauses) if gc_pauses else None,
            "waits": dict(rows[:15]),
            "cpu_samples_by_area": dict(sorted(cpu.items(), key=lambda kv: -kv[1])),
        }
    return out


def print_summary(app: str, summary: dict) -> None:
    for window, row in summary.items():
        print(f"{app} during {window}: {row['jobs']} jobs, {row['s3_requests']} S3 requests "
              f"({row['s3_requests_per_job']} per job), S3 time to first byte {row['s3_time_to_first_byte']}, "
              f"GC pauses {row['gc']}")
        print(f"  CPU samples by area: {row['cpu_samples_by_area']}")
        for site, stats in row["waits"].items():
            print(f"  {stats['count']:>6} x {stats['p50_ms']:>7.1f} ms p50 {stats['p99_ms']:>8.1f} p99 "
                  f"{stats['total_ms']:>9.0f} ms total  {site}")
