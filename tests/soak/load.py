#!/usr/bin/env python3
"""Soak test: tests/soak/server.lua under mixed hostile load for a while (make soak).

Starts the emulator (real time) on the server, reads its port from its output, and runs worker
threads that each loop over a mix of clients on 127.0.0.1:
  normal      one request, body 1..8000 bytes, response read at once
  trickle     a small request sent one byte at a time (a slowloris that does finish)
  slow-read   a 20-40 KB body; the response is read 512 bytes at a time with pauses
  half-close  the request, then shutdown(SHUT_WR); whatever comes back must be a prefix of the
              echo, and the connection must end (EOF or reset) in bounded time
  reset       part of the request or of the response, then close with SO_LINGER 0 (RST)
Every complete response is checked byte for byte (SHA-1 of the body sent = of the body echoed).
Meanwhile /proc/PID/status (VmRSS) and /proc/PID/fd of the emulator are sampled every 0.5 s.

It prints the figures and fails (exit 1) if any complete request lost or changed a byte, a
client hung, the emulator died or printed an error, the RSS or descriptor slope after warm-up
is above its bound, or the descriptors do not return to their idle count once the load stops.
Usage: load.py [--seconds S] [--workers N] path/to/nodemcu-emu
Every socket operation has a timeout; the emulator runs with --run-for as a backstop.
"""

import argparse
import hashlib
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "apps"))
from harness import descriptor_count  # noqa: E402
IO_TIMEOUT = 20          # seconds: any single socket operation (waits in the backlog included)
RSS_SLOPE_KB_MIN = 1024  # bound after warm-up, KiB of RSS per minute
FD_SLOPE_MIN = 5         # bound after warm-up, descriptors per minute
# Sanitizer builds: ASan's quarantine keeps freed memory, the RSS slope is reported, not bounded.
SANITIZED = os.environ.get("NODEMCU_EMU_SANITIZED") == "1"
MIX = [("normal", 50), ("trickle", 10), ("slow-read", 10), ("half-close", 15), ("reset", 15)]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.count = {name: 0 for name, _ in MIX}
        self.latency = {}           # kind -> [seconds], complete requests (normal, trickle, slow-read)
        self.bytes_sent = 0         # request bodies of the complete requests
        self.bytes_echoed = 0       # response bodies of the complete requests (checked)
        self.partial_echoed = 0     # bytes that came back to half-close / reset clients (prefix-checked)
        self.failures = []

    def fail(self, what):
        with self.lock:
            if len(self.failures) < 50:
                self.failures.append(what)


def request(body):
    return (b"POST /echo HTTP/1.1\r\nHost: device\r\nContent-Length: %d\r\n\r\n" % len(body)) + body


def expected(body):
    return (b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body)) + body


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT)
    s.settimeout(IO_TIMEOUT)
    return s


def read_all(s, chunk=65536, pause=0.0, limit=None):
    """Everything until EOF (or `limit` bytes); a reset ends it too. (data, how_it_ended)."""
    data = b""
    while limit is None or len(data) < limit:
        try:
            got = s.recv(chunk)
        except ConnectionResetError:
            return data, "reset"
        except socket.timeout:
            return data, "timeout"
        if not got:
            return data, "eof"
        data += got
        if pause:
            time.sleep(pause)
    return data, "limit"


def rst_close(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def complete(stats, kind, port, rng, body, send, read):
    started = time.monotonic()
    with connect(port) as s:
        send(s, request(body))
        data, ended = read(s)
    took = time.monotonic() - started
    want = expected(body)
    if data != want:
        stats.fail(f"{kind}: {len(body)}-byte body: got {len(data)} of {len(want)} bytes ({ended}), "
                   f"sha1 {hashlib.sha1(data[-len(body):] if body else b'').hexdigest()[:12]} "
                   f"want {hashlib.sha1(body).hexdigest()[:12]}")
        return
    with stats.lock:
        stats.latency.setdefault(kind, []).append(took)
        stats.bytes_sent += len(body)
        stats.bytes_echoed += len(data) - (len(want) - len(body))


def client(stats, kind, port, rng):
    if kind == "normal":
        body = rng.randbytes(rng.randint(1, 8000))
        complete(stats, kind, port, rng, body, lambda s, r: s.sendall(r), read_all)
    elif kind == "trickle":
        body = rng.randbytes(rng.randint(1, 40))

        def send(s, r):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for i in range(len(r)):
                s.sendall(r[i:i + 1])
                time.sleep(0.002)
        complete(stats, kind, port, rng, body, send, read_all)
    elif kind == "slow-read":
        body = rng.randbytes(rng.randint(20000, 40000))
        sender = {}

        def send(s, r):  # the body is bigger than the buffers: send while reading
            t = threading.Thread(target=lambda: sender.update(err=_sendall(s, r)), daemon=True)
            t.start()
            sender["t"] = t

        def read(s):
            out = read_all(s, chunk=512, pause=0.001)
            sender["t"].join(IO_TIMEOUT)
            if sender.get("err"):
                stats.fail(f"slow-read: sending failed: {sender['err']}")
            return out
        complete(stats, kind, port, rng, body, send, read)
    elif kind == "half-close":
        body = rng.randbytes(rng.randint(1, 4000))
        with connect(port) as s:
            s.sendall(request(body))
            s.shutdown(socket.SHUT_WR)
            data, ended = read_all(s)
        if ended == "timeout" or not expected(body).startswith(data):
            stats.fail(f"half-close: {len(data)} bytes back, ended by {ended}, "
                       f"prefix ok: {expected(body).startswith(data)}")
        with stats.lock:
            stats.partial_echoed += len(data)
    elif kind == "reset":
        body = rng.randbytes(rng.randint(100, 20000))
        r = request(body)
        s = connect(port)
        try:
            if rng.random() < 0.5:
                s.sendall(r[:rng.randint(1, len(r) - 1)])      # RST in the middle of the request
                data = b""
            else:
                s.sendall(r)                                 # RST in the middle of the answer
                data, _ = read_all(s, chunk=1024, limit=rng.randint(1, len(r)))
            if not expected(body).startswith(data):
                stats.fail(f"reset: the {len(data)} bytes received are not a prefix of the echo")
            with stats.lock:
                stats.partial_echoed += len(data)
        finally:
            rst_close(s)
    with stats.lock:
        stats.count[kind] += 1


def _sendall(s, data):
    try:
        s.sendall(data)
    except OSError as e:
        return e
    return None


def worker(stats, port, seed, stop):
    rng = random.Random(seed)
    kinds, weights = zip(*MIX)
    while not stop.is_set():
        kind = rng.choices(kinds, weights)[0]
        try:
            client(stats, kind, port, rng)
        except (OSError, socket.timeout) as e:
            stats.fail(f"{kind}: {type(e).__name__}: {e}")


class Emulator:
    def __init__(self, exe, seconds):
        self.proc = subprocess.Popen([exe, "--run-for", str(seconds + 120), os.path.join(HERE, "server.lua"), "0"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.out, self.err = [], []
        self.ready = threading.Event()
        for stream, into in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=self._read, args=(stream, into), daemon=True).start()

    def _read(self, stream, into):
        for line in stream:
            into.append(line)
            if line.startswith("soak: listening"):
                self.ready.set()
        self.ready.set()

    def port(self, timeout=20):
        self.ready.wait(timeout)
        for line in self.out:
            m = re.match(r"soak: listening on port (\d+)", line)
            if m:
                return int(m.group(1))
        return None

    def sample(self):
        """(VmRSS KiB, open descriptors) of the emulator process."""
        pid = self.proc.pid
        with open(f"/proc/{pid}/status") as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        return rss, descriptor_count(pid)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return self.proc.returncode


def slope_per_minute(points):
    """Least-squares slope of [(t seconds, value)], per minute."""
    n = len(points)
    if n < 3:
        return 0.0
    mt = sum(t for t, _ in points) / n
    mv = sum(v for _, v in points) / n
    var = sum((t - mt) ** 2 for t, _ in points)
    if var == 0:
        return 0.0
    return 60 * sum((t - mt) * (v - mv) for t, v in points) / var


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def wait_idle_fds(emu, idle_fds, timeout=30):
    """Once the load stops, the descriptors must come back to the idle count (connections the
    server still drains, or the idle timeout closes, are given `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    fds = None
    while time.monotonic() < deadline:
        _, fds = emu.sample()
        if fds <= idle_fds:
            return fds
        time.sleep(0.2)
    return fds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("emulator")
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--seed", type=int, default=8266)
    args = ap.parse_args()

    emu = Emulator(os.path.abspath(args.emulator), args.seconds)
    stats = Stats()
    failed = []
    try:
        port = emu.port()
        if port is None:
            print("soak: the server did not start:", "".join(emu.err)[-2000:])
            return 1
        time.sleep(0.2)
        idle_rss, idle_fds = emu.sample()
        print(f"soak: server on port {port}, pid {emu.proc.pid}, idle RSS {idle_rss} KiB, "
              f"{idle_fds} descriptors; {args.workers} workers for {args.seconds:.0f} s", flush=True)
        stop = threading.Event()
        threads = [threading.Thread(target=worker, args=(stats, port, args.seed + i, stop), daemon=True)
                   for i in range(args.workers)]
        started = time.monotonic()
        for t in threads:
            t.start()
        samples = []
        next_report = started + 60
        while time.monotonic() - started < args.seconds and emu.proc.poll() is None:
            time.sleep(0.5)
            now = time.monotonic() - started
            rss, fds = emu.sample()
            samples.append((now, rss, fds))
            if time.monotonic() >= next_report:
                next_report += 60
                with stats.lock:
                    done = sum(stats.count.values())
                print(f"soak: {now:.0f} s: {done} clients, RSS {rss} KiB, {fds} descriptors, "
                      f"{len(stats.failures)} failures", flush=True)
        stop.set()
        for t in threads:
            t.join(IO_TIMEOUT * 3)
            if t.is_alive():
                failed.append("a client thread hung")
        if emu.proc.poll() is not None:
            failed.append(f"the emulator exited during the run (status {emu.proc.returncode})")
            return report(args, stats, samples, idle_rss, idle_fds, None, emu, failed)
        end_fds = wait_idle_fds(emu, idle_fds)
        return report(args, stats, samples, idle_rss, idle_fds, end_fds, emu, failed)
    finally:
        emu.stop()


def report(args, stats, samples, idle_rss, idle_fds, end_fds, emu, failed):
    warm = min(max(10.0, args.seconds * 0.2), args.seconds / 2)  # warm-up left out of the slopes
    after = [(t, r, f) for t, r, f in samples if t >= warm]
    rss_slope = slope_per_minute([(t, r) for t, r, _ in after])
    fd_slope = slope_per_minute([(t, f) for t, _, f in after])
    peak_rss = max((r for _, r, _ in samples), default=0)
    peak_fds = max((f for _, _, f in samples), default=0)
    device = [line.strip() for line in emu.out if line.startswith("soak: stats")]
    errors = [line.strip() for line in emu.err if line.strip()]
    lat = [t for times in stats.latency.values() for t in times]
    print(f"soak: clients {sum(stats.count.values())}: " +
          ", ".join(f"{k} {v}" for k, v in stats.count.items()))
    for kind, times in [("all complete", lat)] + sorted(stats.latency.items()):
        print(f"soak: latency of {kind} requests ({len(times)}): p50 {percentile(times, 50) * 1000:.1f} ms, "
              f"p99 {percentile(times, 99) * 1000:.1f} ms, max {max(times, default=0) * 1000:.1f} ms")
    print(f"soak: bytes sent {stats.bytes_sent}, echoed {stats.bytes_echoed} (checked by SHA-1), "
          f"partial echoes to half-close/reset clients {stats.partial_echoed} (prefix-checked)")
    print(f"soak: RSS idle {idle_rss} KiB, peak {peak_rss} KiB, slope after {warm:.0f} s warm-up "
          f"{rss_slope:+.1f} KiB/min (bound {RSS_SLOPE_KB_MIN})")
    print(f"soak: descriptors idle {idle_fds}, peak {peak_fds}, after the load {end_fds}, "
          f"slope {fd_slope:+.2f}/min (bound {FD_SLOPE_MIN})")
    if device:
        print(f"soak: device's last {device[-1][len('soak: '):]}")
    failed += stats.failures
    if stats.bytes_sent != stats.bytes_echoed:
        failed.append(f"bytes lost: sent {stats.bytes_sent}, echoed {stats.bytes_echoed}")
    if not lat:
        failed.append("no request completed")
    if SANITIZED:
        print("soak: RSS slope not bounded (# SKIP sanitizer build: ASan's quarantine keeps freed memory)")
    elif rss_slope > RSS_SLOPE_KB_MIN:
        failed.append(f"RSS grows {rss_slope:.1f} KiB/min after warm-up")
    if fd_slope > FD_SLOPE_MIN:
        failed.append(f"descriptors grow {fd_slope:.2f}/min after warm-up")
    if end_fds is not None and end_fds > idle_fds:
        failed.append(f"descriptors leaked: {end_fds} open after the load, {idle_fds} when idle")
    if errors:
        failed.append("the emulator printed errors: " + " | ".join(errors[:5]))
    for f in failed:
        print(f"soak: FAIL {f}")
    print("soak: " + ("FAILED" if failed else "passed"), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
