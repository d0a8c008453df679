"""Shared pieces of the app drivers (tests/apps/*/drive.py).

Each driver copies its app folder into a fresh temporary flash directory (so the source tree
stays clean and runs can overlap), starts the emulator on it with --boot in real time, talks
to it with real clients on 127.0.0.1, and prints one line per check, then "N passed, N failed".
Every wait is bounded; the emulator is always stopped (SIGTERM, then SIGKILL) at the end.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

# Files of the app folders that belong to the test, not to the device's flash.
NOT_FLASH = shutil.ignore_patterns("drive.py", "__pycache__", "*.pyc")


def descriptor_count(pid):
    """Open descriptors of process `pid`, without the loop's io_uring (src/core/send_ring.hpp):
    the first TCP send opens it, once per process; it is no connection's."""
    n = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == "anon_inode:[io_uring]":
                continue
        except OSError:
            continue  # closed meanwhile
        n += 1
    return n


def emulator_path():
    """The emulator: first argument, else $NODEMCU_EMU, else build/nodemcu-emu."""
    if len(sys.argv) > 1:
        path = sys.argv[1]
    else:
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        path = os.environ.get("NODEMCU_EMU", os.path.join(root, "build", "nodemcu-emu"))
    path = os.path.abspath(path)
    if not os.access(path, os.X_OK):
        sys.exit(f"emulator not found or not executable: {path}")
    return path


class Checks:
    """One line per check, then the totals; finish() gives the exit status."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.emulators = []

    def skip(self, name, reason):
        """A check that cannot run on this host: TAP's "ok - NAME # SKIP REASON", not a pass."""
        self.skipped += 1
        print(f"ok - {name} # SKIP {reason}", flush=True)

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print(f"ok - {name}", flush=True)
        else:
            self.failed += 1
            print(f"not ok - {name}", flush=True)
            for line in str(detail).splitlines()[:20]:
                print(f"    {line}")
        return bool(condition)

    def watch(self, emulator):
        """Its output is shown if anything failed."""
        self.emulators.append(emulator)
        return emulator

    def finish(self):
        for emu in self.emulators:
            emu.stop()
        if self.failed:
            for emu in self.emulators:
                print(f"--- {emu.name}: status {emu.proc.returncode}")
                print("    stdout: " + emu.stdout()[-3000:].replace("\n", "\n            "))
                print("    stderr: " + emu.stderr()[-3000:].replace("\n", "\n            "))
        if self.skipped:
            print(f"# {self.skipped} skipped", flush=True)
        print(f"{self.passed} passed, {self.failed} failed", flush=True)
        return 1 if self.failed else 0


class Flash:
    """A temporary copy of an app folder, used as the device's flash (--fs)."""

    def __init__(self, app_dir):
        self.tmp = tempfile.mkdtemp(prefix="nodemcu-app-")
        self.dir = os.path.join(self.tmp, "flash")
        shutil.copytree(app_dir, self.dir, ignore=NOT_FLASH)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb" if isinstance(data, bytes) else "w") as f:
            f.write(data)

    def write_json(self, name, value):
        self.write(name, json.dumps(value))

    def read(self, name):
        with open(self.path(name), "rb") as f:
            return f.read()

    def exists(self, name):
        return os.path.exists(self.path(name))

    def remove(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


class Emulator:
    """The emulator as a subprocess; its stdout and stderr are collected by two threads."""

    def __init__(self, exe, args, name="emulator"):
        self.name = name
        self.args = args
        self._out, self._err = [], []
        self._cond = threading.Condition()
        self.started = time.monotonic()
        self.proc = subprocess.Popen([exe] + args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._readers = [threading.Thread(target=self._read, args=(self.proc.stdout, self._out)),
                         threading.Thread(target=self._read, args=(self.proc.stderr, self._err))]
        for reader in self._readers:
            reader.daemon = True
            reader.start()

    def _read(self, stream, into):
        for raw in iter(stream.readline, b""):
            with self._cond:
                into.append(raw.decode("utf-8", "replace"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def stdout(self):
        with self._cond:
            return "".join(self._out)

    def stderr(self):
        with self._cond:
            return "".join(self._err)

    def wait_for(self, pattern, timeout):
        """The first match of the regex `pattern` in stdout within `timeout` s, else None."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = regex.search("".join(self._out))
                if found:
                    return found
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._readers_alive()):
                    return None
                self._cond.wait(min(left, 0.1))

    def _readers_alive(self):
        return any(r.is_alive() for r in self._readers)

    def wait_exit(self, timeout):
        """The exit status, or None if it is still running after `timeout` s."""
        try:
            status = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        for reader in self._readers:
            reader.join(timeout=5)
        return status

    def stop(self):
        """SIGTERM (the emulator closes the device cleanly and exits 0), SIGKILL if it hangs."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        for reader in self._readers:
            reader.join(timeout=5)
        return self.proc.returncode


def _proc_net_tcp_addr(field):
    """'0100007F:1F90' (from /proc/net/tcp) -> ('127.0.0.1', 8080)."""
    ip_hex, port_hex = field.split(":")
    ip = ".".join(str(b) for b in reversed(bytes.fromhex(ip_hex)))
    return ip, int(port_hex, 16)


def wait_peer_read(sock, timeout=10):
    """Waits until the other end of the loopback connection `sock` has read everything sent to
    it (its receive queue in /proc/net/tcp is empty): the next send is then a separate read on
    that side, whatever the load on the machine — no sleep-and-hope. True, or False on timeout."""
    mine, theirs = sock.getsockname()[:2], sock.getpeername()[:2]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        queued = None
        with open("/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                cols = line.split()
                if _proc_net_tcp_addr(cols[1]) == theirs and _proc_net_tcp_addr(cols[2]) == mine:
                    queued = int(cols[4].split(":")[1], 16)
                    break
        if queued == 0:
            return True
        time.sleep(0.005)
    return False


def outstanding_sends(trace_path):
    """From a --trace=json:FILE log: per socket, the most bytes sent and not yet reported
    sent at any moment, and how many sends it made. {obj: (max_outstanding, sends)}"""
    state = {}
    with open(trace_path) as f:
        for line in f:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            obj, kind = event.get("obj"), event.get("ev")
            if not obj or not obj.startswith("tcp"):
                continue
            queue, peak, sends = state.get(obj, ([], 0, 0))
            if kind == "send":
                queue.append(event.get("n", 0))
                sends += 1
                peak = max(peak, sum(queue))
            elif kind == "sent" and queue:
                queue.pop(0)
            state[obj] = (queue, peak, sends)
    return {obj: (peak, sends) for obj, (_, peak, sends) in state.items()}
