#!/usr/bin/env python3
"""Hostile real peers (python sockets on 127.0.0.1) against device scripts, in real time: a
real peer cannot keep pace with virtual time, so these run without --virtual-time and every
wait is bounded and polled (never a sleep-and-hope). In-process hostile peers under virtual
time (never-reading peer, slowloris, reset mid-send) are in tests/lua/net_tcp_hostile.lua.

  flood       10 000 connects past the connection limit (5): they wait in the host's backlog,
              the script sees none of them, the 5 it has keep working, then the backlog drains
              and no descriptor is left behind
  half-close  the peer shuts down its write side: the device gets the data, then
              disconnection(0); the peer sees its connection end
  rst         SO_LINGER 0 close while the device is sending: one disconnection, the server
              goes on, no descriptor left behind
  no-read     a peer that never reads: "sent" stops, RSS stays flat, the idle timeout drops it
  burst       a 2921-byte burst at the documentation's one-line echo server: the third frame's
              send overflows the 2920-byte send buffer, a PANIC naming the script line; with
              --on-error=continue the emulator survives and keeps serving

Usage: drive.py path/to/nodemcu-emu   (prints "N passed, N failed"; exits 1 on a failure)
"""

import os
import select
import socket
import struct
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "apps"))
from harness import Checks, Emulator, descriptor_count, emulator_path  # noqa: E402

TIMEOUT = 20  # seconds: the bound of every wait
# Sanitizer builds: ASan's quarantine keeps freed memory, so RSS bounds are skipped there.
SANITIZED = os.environ.get("NODEMCU_EMU_SANITIZED") == "1"


def check_rss(checks, name, before, after, bound_kb):
    if SANITIZED:
        checks.skip(name, "sanitizer build: ASan's quarantine keeps freed memory")
    else:
        checks.check(name, after - before < bound_kb, f"{before} -> {after} KiB")


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def poll(condition, timeout=TIMEOUT, step=0.02):
    """condition() until it is true (then its value) or `timeout` s pass (then its last value)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


def rst_close(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    s.settimeout(TIMEOUT)
    return s


def echo_once(port, data=b"ping"):
    """A fresh client: sends `data`, returns what comes back (the echo), or an error text."""
    try:
        with connect(port) as s:
            s.sendall(data)
            got = b""
            while len(got) < len(data):
                more = s.recv(4096)
                if not more:
                    break
                got += more
            return got
    except OSError as e:
        return f"{type(e).__name__}: {e}"


class Device:
    """The emulator on a script written to a temp file; `port` is read from its output."""

    def __init__(self, exe, checks, name, script, args=(), script_args=()):
        self.dir = tempfile.mkdtemp(prefix="nodemcu-hostile-")
        self.script = os.path.join(self.dir, f"{name}.lua")
        with open(self.script, "w") as f:
            f.write(script)
        self.emu = checks.watch(Emulator(exe, list(args) + [self.script] + list(script_args), name))
        found = self.emu.wait_for(r"hostile: port (\d+)", TIMEOUT)
        self.port = int(found.group(1)) if found else None
        self.pid = self.emu.proc.pid

    def last(self, pattern):
        """The last line of stdout starting with `pattern` (a prefix), or ""."""
        lines = [line for line in self.emu.stdout().splitlines() if line.startswith(pattern)]
        return lines[-1] if lines else ""

    def stop(self):
        status = self.emu.stop()
        for name in os.listdir(self.dir):
            os.remove(os.path.join(self.dir, name))
        os.rmdir(self.dir)
        return status


def start(exe, checks, name, script, args, script_args=()):
    """A Device that is up (it printed its port), else None (a failed check, the emulator stopped)."""
    dev = Device(exe, checks, name, script, args, script_args)
    if checks.check(f"{name}: the server is up", dev.port, dev.emu.stderr()):
        return dev
    dev.stop()
    return None


def check_fds_back(checks, name, dev, idle_fds):
    """Once the peers are gone, the emulator's descriptors come back to the idle count."""
    fds = poll(lambda: descriptor_count(dev.pid) <= idle_fds and descriptor_count(dev.pid), step=0.1) or descriptor_count(dev.pid)
    checks.check(f"{name}: no descriptor left behind", fds <= idle_fds, f"{fds} open, {idle_fds} when idle")


# An echo server that reports how many connections it accepted and has open, on each change.
COUNTING_ECHO = """
local accepted, open = 0, 0
local function report() print(string.format("hostile: accepted %d open %d", accepted, open)) end
local srv = net.createServer(net.TCP, 30)
srv:listen(0, function(c)
  accepted, open = accepted + 1, open + 1
  report()
  local function gone() open = open - 1 report() end
  c:on("receive", function(s, d) s:send(d) end)
  c:on("disconnection", gone)
  c:on("reconnection", gone)
end)
print("hostile: port " .. srv:getaddr())
"""


def test_flood(exe, checks):
    dev = start(exe, checks, "flood", COUNTING_ECHO, ["--run-for", "120"])
    if not dev:
        return
    try:
        idle_fds, rss0 = descriptor_count(dev.pid), rss_kb(dev.pid)
        holders = [connect(dev.port) for _ in range(5)]
        for i, h in enumerate(holders):
            h.sendall(b"hold%d" % i)
        echoes = [h.recv(16) for h in holders]
        checks.check("flood: 5 connections (the limit) are accepted and echo",
                     echoes == [b"hold%d" % i for i in range(5)] and
                     poll(lambda: dev.last("hostile: accepted") == "hostile: accepted 5 open 5"), echoes)

        completed = pending = 0
        for _ in range(40):  # 40 waves of 250: 10 000 connects
            wave = []
            for _ in range(250):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setblocking(False)
                s.connect_ex(("127.0.0.1", dev.port))
                wave.append(s)
            _, writable, _ = select.select([], wave, [], 0.1)
            for s in wave:
                if s in writable and s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    completed += 1
                else:
                    pending += 1
                rst_close(s)
        print(f"    flood: {completed} handshakes completed in the host's backlog, {pending} still pending")
        checks.check("flood: 10 000 connects past the limit: the script saw none of them",
                     dev.last("hostile: accepted") == "hostile: accepted 5 open 5", dev.last("hostile: accepted"))
        for i, h in enumerate(holders):
            h.sendall(b"still%d" % i)
        echoes = [h.recv(16) for h in holders]
        checks.check("flood: the 5 connections it has keep working meanwhile",
                     echoes == [b"still%d" % i for i in range(5)], echoes)

        for h in holders:
            h.close()
        # The backlog drains: each waiting (now dead) peer is accepted and ends at once.
        drained = poll(lambda: dev.last("hostile: accepted").endswith(" open 0")
                       and echo_once(dev.port) == b"ping", timeout=60, step=0.2)
        checks.check("flood: once the 5 close, the backlog drains and a new client is served",
                     drained, dev.last("hostile: accepted"))
        check_fds_back(checks, "flood", dev, idle_fds)
        rss1 = rss_kb(dev.pid)
        print(f"    flood: {dev.last('hostile: accepted')}; RSS {rss0} -> {rss1} KiB")
        check_rss(checks, "flood: RSS grew less than 32 MiB", rss0, rss1, 32 * 1024)
        checks.check("flood: nothing on stderr", not dev.emu.stderr().strip(), dev.emu.stderr())
    finally:
        dev.stop()


HALF_CLOSE = """
local srv = net.createServer(net.TCP, 30)
srv:listen(0, function(c)
  local got = {}
  c:on("receive", function(s, d) got[#got + 1] = d s:send(d) end)
  c:on("disconnection", function(_, err)
    print(string.format("hostile: disconnection %d after %q", err, table.concat(got)))
  end)
end)
print("hostile: port " .. srv:getaddr())
"""


def test_half_close(exe, checks):
    dev = start(exe, checks, "half-close", HALF_CLOSE, ["--run-for", "60"])
    if not dev:
        return
    try:
        with connect(dev.port) as s:
            s.sendall(b"last words")
            s.shutdown(socket.SHUT_WR)
            got, ended = b"", "eof"
            try:
                while True:
                    more = s.recv(4096)
                    if not more:
                        break
                    got += more
            except ConnectionResetError:
                ended = "reset"
            except socket.timeout:
                ended = "timeout"
        seen = dev.emu.wait_for(r"hostile: disconnection (-?\d+) after (.*)", TIMEOUT)
        checks.check("half-close: the device gets the data, then disconnection(0)",
                     seen and seen.group(1) == "0" and seen.group(2) == '"last words"',
                     dev.emu.stdout())
        checks.check("half-close: the peer's connection ends (no hang); what it got back is the echo or nothing",
                     ended in ("eof", "reset") and b"last words".startswith(got), f"{ended}, {got!r}")
        print(f"    half-close: the peer got {got!r} back, then {ended}")
        checks.check("half-close: the server still serves", echo_once(dev.port) == b"ping")
        checks.check("half-close: nothing on stderr", not dev.emu.stderr().strip(), dev.emu.stderr())
    finally:
        dev.stop()


# Streams 1460-byte chunks from "sent" until the peer goes; reports every drop.
STREAMER = """
local timeout = tonumber(arg[1]) or 30
local chunk = string.rep("z", 1460)
local srv = net.createServer(net.TCP, timeout)
srv:listen(0, function(c)
  local sent, calls = 0, 0
  local function gone(_, err)
    print(string.format("hostile: drop %d sent %d", err, sent))
  end
  c:on("sent", function(s)
    sent, calls = sent + #chunk, calls + 1
    if calls % 100 == 0 then print(string.format("hostile: sent %d", sent)) end
    if sent < 50 * 1024 * 1024 then s:send(chunk) end
  end)
  c:on("receive", function(s, d) if d == "ping" then s:send("ping") end end)
  c:on("disconnection", gone)
  c:on("reconnection", gone)
  c:send(chunk)
end)
print("hostile: port " .. srv:getaddr())
"""


def test_rst_mid_send(exe, checks):
    dev = start(exe, checks, "rst", STREAMER, ["--run-for", "60"])
    if not dev:
        return
    try:
        idle_fds = descriptor_count(dev.pid)
        for round_ in range(20):
            s = connect(dev.port)
            got = b""
            while len(got) < 10000:
                got += s.recv(4096)
            rst_close(s)
            poll(lambda: dev.emu.stdout().count("hostile: drop") > round_, timeout=TIMEOUT)
        drops = [line for line in dev.emu.stdout().splitlines() if line.startswith("hostile: drop")]
        checks.check("rst: 20 resets while the device sends: one disconnection(-9) each",
                     len(drops) == 20 and all(line.startswith("hostile: drop -9 ") for line in drops), drops)
        checks.check("rst: the server still serves", poll(lambda: echo_ping_streamer(dev.port)))
        check_fds_back(checks, "rst", dev, idle_fds)
        checks.check("rst: nothing on stderr (no PANIC, no error)", not dev.emu.stderr().strip(), dev.emu.stderr())
    finally:
        dev.stop()


def echo_ping_streamer(port):
    """A client of STREAMER: the stream comes first; True once 10 000 bytes arrived."""
    try:
        with connect(port) as s:
            got = b""
            while len(got) < 10000:
                more = s.recv(4096)
                if not more:
                    return False
                got += more
            return True
    except OSError:
        return False


def test_no_read(exe, checks):
    # A 2 s idle timeout (real time): the drop comes 2 s after the host stopped taking data.
    dev = start(exe, checks, "no-read", STREAMER, ["--run-for", "60"], ["2"])
    if not dev:
        return
    try:
        rss0 = rss_kb(dev.pid)
        s = connect(dev.port)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        dropped = dev.emu.wait_for(r"hostile: drop (-?\d+) sent (\d+)", TIMEOUT)
        rss1 = rss_kb(dev.pid)
        sent = int(dropped.group(2)) if dropped else None
        print(f"    no-read: the host took {sent} bytes, then sent stopped; RSS {rss0} -> {rss1} KiB")
        checks.check("no-read: sent stops (the host's buffers fill) and the idle timeout drops the peer (-8)",
                     dropped and dropped.group(1) == "-8" and sent < 50 * 1024 * 1024, dev.emu.stdout()[-500:])
        check_rss(checks, "no-read: the device's memory does not grow with what it cannot send",
                  rss0, rss1, 16 * 1024)
        rst_close(s)
        checks.check("no-read: nothing on stderr", not dev.emu.stderr().strip(), dev.emu.stderr())
    finally:
        dev.stop()


# The documentation's one-line echo server (docs/net.md), on a free port instead of 80.
ONE_LINER = ('sv=net.createServer(net.TCP,30) sv:listen(0,function(c) c:on("receive",function(c,pl) '
             'c:send(pl) end) end)\nprint("hostile: port " .. sv:getaddr())\n')


def burst(port, n=2921):
    """Sends n bytes in one write (one host read on the device: 1460 + 1460 + 1 back to back)
    and reads the echo until the connection ends or the 2920 bytes the two first frames' sends
    queued are back; returns the bytes echoed."""
    with connect(port) as s:
        s.sendall(b"b" * n)
        got = b""
        try:
            while True:
                more = s.recv(65536)
                if not more:
                    break
                got += more
                if len(got) >= 2920:
                    break
        except (ConnectionResetError, socket.timeout):
            pass
        return got


def test_burst(exe, checks):
    dev = start(exe, checks, "burst", ONE_LINER, ["--run-for", "60"])
    if not dev:
        return
    try:
        got = burst(dev.port)
        status = dev.emu.wait_exit(TIMEOUT)
        err = dev.emu.stderr()
        where = os.path.basename(dev.script) + ":1:"
        checks.check("burst: a send past the 2920-byte buffer is a PANIC naming the script line, exit 1",
                     status == 1 and "PANIC: unprotected error in call to Lua API (" in err
                     and where in err and "out of memory" in err, f"status {status}: {err[-800:]}")
        print(f"    burst: the peer got {len(got)} of 2921 bytes back before the PANIC")
    finally:
        dev.stop()

    dev = start(exe, checks, "burst-continue", ONE_LINER, ["--run-for", "60", "--on-error=continue"])
    if not dev:
        return
    try:
        got = burst(dev.port)
        panicked = poll(lambda: "PANIC" in dev.emu.stderr())
        checks.check("burst: with --on-error=continue the PANIC is reported and the emulator survives",
                     panicked and dev.emu.proc.poll() is None, dev.emu.stderr()[-800:])
        checks.check("burst: ... and keeps serving (a new client is echoed)", echo_once(dev.port) == b"ping")
        print(f"    burst (continue): the peer got {len(got)} of 2921 bytes back")
    finally:
        dev.stop()


def main():
    exe = emulator_path()
    checks = Checks()
    for test in (test_flood, test_half_close, test_rst_mid_send, test_no_read, test_burst):
        test(exe, checks)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
