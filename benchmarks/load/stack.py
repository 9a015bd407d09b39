"""A whole noise2noise stack on free loopback ports for a benchmark: Kafka (KRaft), S3Proxy, one
gateway and one worker, started from the built jars (`./mvnw -pl api-gateway,worker -am package` and
`./mvnw -f local-stack/pom.xml package`) as scripts/run-local.sh starts them, and stopped again.
Standard library only.
"""
from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ACCESS_KEY, SECRET_KEY = "n2n-local", "n2n-local-secret"
# socket reads and writes of any length (the profile's default hides those under 10 ms), GC, parks
JFR_OPTIONS = "settings=profile,socket-threshold=0ms,synchronization-threshold=1ms"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{what} not up after {timeout:.0f} s")


def healthy(url: str, timeout: float = 2) -> bool:
    """Whether a health endpoint (e.g. the management port's /actuator/health/readiness) answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except urllib.error.HTTPError:
        return False


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def cpu_of(stat: str) -> float:
    """CPU seconds (user + system) of a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat text."""
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class LocalStack:
    """Start with `with LocalStack(...) as stack:`; `stack.base_url`, `stack.management_url(...)`.
    more_gateways: further gateways on the same broker and bucket (replicas, e.g. with other settings), by
    name, with their own arguments; `stack.gateway_url(name)`."""

    def __init__(self, state: Path, gateway_args: list[str] = (), worker_args: list[str] = (),
                 jfr: bool = False, log=print, more_gateways: dict[str, list[str]] | None = None):
        self.state = state
        self.gateway_args = list(gateway_args)
        self.more_gateways = {name: list(args) for name, args in (more_gateways or {}).items()}
        self.worker_args = list(worker_args)
        self.jfr = jfr
        self.log = log
        self.processes: list[subprocess.Popen] = []
        self.names: list[str] = []
        apps = ("gateway", *self.more_gateways, "worker")
        self.ports = {name: free_port() for name in
                      ("kafka", "controller", "s3", *apps, *(app + "_mgmt" for app in apps))}
        self.base_url = self.gateway_url("gateway")

    def gateway_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def management_url(self, app: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[app + '_mgmt']}{path}"

    def jfr_file(self, app: str) -> Path:
        return self.state / f"{app}.jfr"

    def _start(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        out = open(self.state / f"{name}.log", "wb")
        # a session of its own, so stopping it never signals this process's group
        self.processes.append(subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                               start_new_session=True, env={**os.environ, **(env or {})}))
        self.names.append(name)

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system) each process of the stack has used so far (the scripts exec java)."""
        return {name: cpu_of(Path(f"/proc/{process.pid}/stat").read_text())
                for name, process in zip(self.names, self.processes)}

    def cpu_seconds_by_kind(self) -> dict[str, dict[str, float]]:
        """Each process's CPU time so far split by its threads: the JIT compilers', the GC's and the rest
        (the service's own work). A window whose "jit" share is large measures a JVM still warming up."""
        used: dict[str, dict[str, float]] = {}
        for name, process in zip(self.names, self.processes):
            kinds = used.setdefault(name, {"jit": 0.0, "gc": 0.0, "service": 0.0})
            for task in Path(f"/proc/{process.pid}/task").iterdir():
                try:
                    stat = (task / "stat").read_text()
                except OSError:  # the thread ended meanwhile
                    continue
                thread = stat[stat.index("(") + 1:stat.rindex(")")]
                kind = ("jit" if thread.startswith(("C1 Compiler", "C2 Compiler"))
                        else "gc" if thread.startswith(("GC Thread", "G1 ", "VM Thread")) else "service")
                kinds[kind] += cpu_of(stat)
        return used

    def _jar(self, module: str) -> str:
        jars = glob.glob(str(ROOT / module / "target" / f"{module}-*-exec.jar"))
        if not jars:
            raise SystemExit(f"no {module} jar: ./mvnw -B -ntp -o -q -pl api-gateway,worker -am package -DskipTests")
        return jars[0]

    def _java(self, app: str) -> list[str]:
        command = ["java"]
        if self.jfr:
            command.append(f"-XX:StartFlightRecording=filename={self.jfr_file(app)},{JFR_OPTIONS}")
        return command

    def _common_args(self) -> list[str]:
        p = self.ports
        return ["--server.address=127.0.0.1", f"--spring.kafka.bootstrap-servers=127.0.0.1:{p['kafka']}",
                f"--n2n.storage.endpoint=http://127.0.0.1:{p['s3']}", f"--n2n.storage.access-key={ACCESS_KEY}",
                f"--n2n.storage.secret-key={SECRET_KEY}", "--management.server.address=127.0.0.1"]

    def _start_gateway(self, name: str, args: list[str]) -> None:
        p = self.ports
        self._start(name, self._java(name) + ["-jar", self._jar("api-gateway"), *self._common_args(),
                    f"--server.port={p[name]}", f"--management.server.port={p[name + '_mgmt']}", *args])

    def __enter__(self) -> "LocalStack":
        if self.state.exists():
            shutil.rmtree(self.state)
        self.state.mkdir(parents=True)
        p = self.ports
        try:
            self._start("kafka", [str(ROOT / "scripts/kafka-broker.sh"), str(p["kafka"]), str(p["controller"]),
                                  str(self.state / "kafka")])
            # the S3 server is started by a script: its JVM is recorded through the environment
            s3_jfr = {"JAVA_TOOL_OPTIONS": self._java("s3")[1]} if self.jfr else None
            self._start("s3", [str(ROOT / "scripts/s3-server.sh"), str(p["s3"]), str(self.state / "s3"),
                               ACCESS_KEY, SECRET_KEY], s3_jfr)
            wait_until(lambda: port_open(p["kafka"]) and port_open(p["s3"]), "kafka and s3proxy", 90)
            common = self._common_args()
            self._start_gateway("gateway", self.gateway_args)
            djl = ROOT / "benchmarks/results/tmp/djl"
            self._start("worker", self._java("worker") + [
                "-Dai.djl.offline=true", f"-DDJL_CACHE_DIR={djl}", f"-Dorg.bytedeco.javacpp.cachedir={djl}-javacpp",
                "-jar", self._jar("worker"), *common, f"--server.port={p['worker']}",
                f"--management.server.port={p['worker_mgmt']}", f"--n2n.inference.models-dir={ROOT / 'models/zoo'}",
                *self.worker_args])
            wait_until(lambda: healthy(self.management_url("gateway", "/actuator/health/readiness")), "gateway")
            # once the first has made the bucket: replicas racing to create it can fail on "already owned by you"
            for name, args in self.more_gateways.items():
                self._start_gateway(name, args)
            for app in ("worker", *self.more_gateways):
                wait_until(lambda: healthy(self.management_url(app, "/actuator/health/readiness")), app)
            self.log(f"stack up in {self.state}: gateway {self.base_url}, kafka {p['kafka']}, s3 {p['s3']}")
        except BaseException:
            self.stop()
            raise
        return self

    @contextmanager
    def paused(self, name: str) -> Iterator[None]:
        """One process of the stack stopped (SIGSTOP) meanwhile, e.g. the worker, so jobs stay queued."""
        process = self.processes[self.names.index(name)]
        os.killpg(process.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.killpg(process.pid, signal.SIGCONT)

    def stop(self) -> None:
        # one at a time, in reverse: the gateway and worker close their Kafka clients while Kafka still answers
        # (stopped together, the gateway spent 30 s retrying the gone broker before it was killed)
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()
        self.names.clear()
        # the broker's and the bucket's data; logs and recordings stay
        for data in ("kafka", "s3"):
            shutil.rmtree(self.state / data, ignore_errors=True)

    def __exit__(self, *exc) -> None:
        self.stop()
