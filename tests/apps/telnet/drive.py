#!/usr/bin/env python3
"""Drives tests/apps/telnet with a Python socket client: the console app runs unchanged under
the emulator (--boot, real time); lines typed over TCP go to node.input, everything the
interpreter prints comes back through node.output.
Usage: drive.py path/to/nodemcu-emu   (prints "N passed, N failed"; exits 1 on a failure)"""

import os
import socket
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import Checks, Emulator, Flash, emulator_path  # noqa: E402

APP = os.path.dirname(os.path.abspath(__file__))
TIMEOUT = 5


class Session:
    """A telnet-ish client: send a line, read until the expected text has arrived."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.buffer = b""

    def read_until(self, *wanted, timeout=TIMEOUT):
        """Reads until every byte string in `wanted` is in the buffer (or the time is up, or
        the server closes); returns and clears the buffer."""
        deadline = time.monotonic() + timeout
        while not all(w in self.buffer for w in wanted):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                break
            if not data:
                break
            self.buffer += data
        got, self.buffer = self.buffer, b""
        return got

    def send(self, line, *wanted):
        self.sock.sendall(line.encode() + b"\r\n")
        return self.read_until(*wanted)

    def close(self):
        self.sock.close()


def main():
    exe = emulator_path()
    checks = Checks()
    flash = Flash(APP)
    flash.write_json("config.json", {"port": 0})
    try:
        emu = checks.watch(Emulator(exe, ["--boot", "--fs", flash.dir, "--strict", "--run-for", "50"],
                                    "telnet"))
        up = emu.wait_for(r"telnet: listening on (\S+) port (\d+)", 10)
        if not checks.check("init.lua starts the console server once the station has its IP", up,
                            emu.stdout()):
            return checks.finish()
        port = int(up.group(2))

        s = Session(port)
        got = s.read_until(b"Welcome to NodeMCU world")
        checks.check("a client is greeted through node.output (heap and IP in the banner)",
                     b"Welcome to NodeMCU world (" in got and b"mem free, 127.0.0.1)" in got, got)

        got = s.send("print(1+1)", b"2\n", b"> ")
        checks.check("print(1+1) answers 2 and the prompt '> '", got == b"2\n> ", got)

        got = s.send("=node.heap() > 0", b"true\n", b"> ")
        checks.check("=node.heap() > 0 answers true (the '=' shorthand)", got == b"true\n> ", got)

        got = s.send("for i = 1, 3 do", b">> ")
        checks.check("an incomplete statement gets the continuation prompt '>> '", got == b">> ", got)
        s.send("print(i * i)", b">> ")
        got = s.send("end", b"9\n", b"> ")
        checks.check("the statement runs when complete", got == b"1\n4\n9\n> ", got)

        got = s.send("tmr.create():alarm(200, tmr.ALARM_SINGLE, function() print('tick') end)",
                     b"> ", b"tick\n")
        checks.check("output of a timer callback later on reaches the client too",
                     got == b"> tick\n", got)

        got = s.send("print(string.rep('x', 5000))", b"> ")
        checks.check("a 5000-character line arrives whole (sent in pieces over 'sent')",
                     got == b"x" * 5000 + b"\n> ", f"{len(got)} bytes: {got[:60]!r}...{got[-20:]!r}")

        got = s.send("error('boom')", b"> ")
        got += s.send("print('still here')", b"still here\n", b"> ")
        checks.check("an error typed at the console reaches the telnet user, and the console "
                     "keeps working",
                     b"stdin:1: boom" in got and got.endswith(b"> still here\n> "), got)

        other = Session(port)
        got = other.read_until(b"another session", timeout=TIMEOUT)
        checks.check("a second client is turned away while a session is open",
                     b"another session is active" in got and other.read_until(timeout=2) == b"", got)
        other.close()

        checks.check("nothing of the session went to the UART (node.output(fn, 0))",
                     "Welcome" not in emu.stdout() and "tick" not in emu.stdout(), emu.stdout())

        s.close()
        closed = emu.wait_for(r"telnet: session closed", TIMEOUT)
        checks.check("closing the connection gives the UART its output back", closed, emu.stdout())

        s = Session(port)
        got = s.read_until(b"Welcome")
        got = s.send("print(node.chipid(), wifi.sta.getip())", b"> ")
        checks.check("a new session works after the first one ended", got == b"10597059\t127.0.0.1\t255.0.0.0\t127.0.0.1\n> ", got)
        s.close()
        emu.wait_for(r"(?s)session closed.*session closed", TIMEOUT)

        status = emu.stop()
        # 0 when the device was idle; 143 when the signal interrupted Lua code (a slow build
        # can still be printing the session's end): both are a clean stop, a PANIC is not.
        checks.check("SIGTERM stops the emulator cleanly (status 0, or 143 inside Lua)", status in (0, 143), f"status {status}")
        # stderr holds the typed error above and its traceback, nothing else.
        errors = [line for line in emu.stderr().splitlines()
                  if line.strip() and "boom" not in line and "traceback" not in line
                  and not line.startswith("\t")]
        checks.check("no other error, warning or PANIC on stderr (--strict)", not errors, errors)
        return checks.finish()
    finally:
        for emu in checks.emulators:
            emu.stop()
        flash.remove()


if __name__ == "__main__":
    sys.exit(main())
