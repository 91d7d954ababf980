"""What Swell's benchmark scripts share: building, timing processes, a loopback cluster.

Imported by bench/scale, bench/scheduling and bench/outputs (public tools only: Python's
standard library, the swell binaries, /proc).
"""
import os
import signal
import socket
import subprocess
import sys
import threading
import time


def release_binaries(build):
    """Builds the three release executables (unless `build` is false); returns their folder."""
    if build:
        for product in ("swell", "swell-coordinator", "swell-node"):
            subprocess.run(["swift", "build", "-c", "release", "--product", product], check=True, stdout=sys.stderr)
    return subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], capture_output=True, text=True,
                          check=True).stdout.strip()


def kib_peak(pid, field="VmHWM"):
    """Resident memory of a live process, in KiB: its peak (VmHWM), or `field`."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_of(rusage):
    return rusage.ru_utime + rusage.ru_stime


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_reap(proc, timeout=60):
    """Waits for proc and returns its rusage (its own and its reaped children)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return rusage
        time.sleep(0.05)
    proc.kill()
    _, status, rusage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return rusage


def timed(argv, **kw):
    """Runs argv to the end; returns (wall seconds, cpu seconds, peak KiB, exit code).

    The wall time ends when wait4 returns, not at a polling step: a thread samples the peak
    resident memory meanwhile (every 50 ms, and rusage gives the peak of the reaped tree)."""
    start = time.monotonic()
    proc = subprocess.Popen(argv, **kw)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.wait(0.05):
            peak[0] = max(peak[0], kib_peak(proc.pid))
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, rusage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, cpu_of(rusage), max(peak[0], rusage.ru_maxrss), proc.returncode


class Cluster:
    """One swell-coordinator and `nodes` swell-node processes on a free loopback port, logs in
    `work`; the constructor returns once every node is up (or exits after 120 s)."""

    def __init__(self, bin_dir, work, nodes, slots):
        self.bin, self.work = bin_dir, work
        self.endpoint = f"tcp://127.0.0.1:{free_port()}"
        self.coord_log = open(os.path.join(work, "coordinator.log"), "w")
        self.coordinator = subprocess.Popen(
            [f"{bin_dir}/swell-coordinator", "--listen", self.endpoint, "--state", os.path.join(work, "state"),
             "--log-level", "warning"], stderr=self.coord_log, stdout=subprocess.DEVNULL)
        self.nodes = []
        self.node_logs = []
        start = time.monotonic()
        for i in range(nodes):
            log = open(os.path.join(work, f"node{i}.log"), "w")
            self.node_logs.append(log)
            self.nodes.append(subprocess.Popen(
                [f"{bin_dir}/swell-node", "--join", self.endpoint, "--name", f"n{i:03d}", "--slots", str(slots),
                 "--workdir", work, "--log-level", "warning"], stderr=log, stdout=subprocess.DEVNULL))
        self.join_seconds = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            out = subprocess.run([f"{bin_dir}/swell", "status", "--coordinator", self.endpoint, "--json"],
                                 capture_output=True, text=True).stdout
            if out.count('"state" : "up"') >= nodes:
                self.join_seconds = time.monotonic() - start
                break
            time.sleep(0.1)
        if self.join_seconds is None:
            self.stop()
            sys.exit(f"bench: the {nodes} nodes did not all join within 120 s (logs in {work})")

    def down_events(self):
        with open(os.path.join(self.work, "coordinator.log")) as f:
            return sum(1 for line in f if " is down" in line)

    def rejoins(self):
        n = 0
        for i in range(len(self.nodes)):
            with open(os.path.join(self.work, f"node{i}.log")) as f:
                n += sum(1 for line in f if "joining again" in line)
        return n

    def peaks(self):
        return kib_peak(self.coordinator.pid), max((kib_peak(p.pid) for p in self.nodes), default=0)

    def stop(self):
        """SIGTERM to every process this cluster started, then reap; returns the CPU seconds
        of the coordinator and of all nodes (with their tasks)."""
        for p in self.nodes + [self.coordinator]:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        nodes_cpu = sum(cpu_of(wait_reap(p)) for p in self.nodes)
        coord_cpu = cpu_of(wait_reap(self.coordinator))
        return coord_cpu, nodes_cpu


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def task_counts(journal, stage="tasks"):
    """(tasks with a final report, tasks run more than once) in the newest run of a journal."""
    import sqlite3
    db = sqlite3.connect(f"file:{journal}?mode=ro", uri=True)
    try:
        run = db.execute("SELECT id FROM run ORDER BY createdAt DESC, id DESC LIMIT 1").fetchone()[0]
        done, again = db.execute(
            'SELECT COUNT(DISTINCT "index"), COUNT(DISTINCT CASE WHEN attempt > 1 THEN "index" END) '
            "FROM report WHERE run = ? AND stage = ?", (run, stage)).fetchone()
        return done, again
    finally:
        db.close()

