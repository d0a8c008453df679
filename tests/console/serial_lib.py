"""Shared by the console drivers: an emulator whose UART0 is a pseudo-terminal (--serial=PATH),
and a raw client of that pty written with os/termios only (no pyserial), as a tool opens a
/dev/ttyUSB0: raw mode, a baud rate, flushed on open."""

import os
import select
import sys
import termios
import time
import tty

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "apps"))
from harness import Checks, Emulator, Flash, emulator_path  # noqa: E402,F401

HERE = os.path.dirname(os.path.abspath(__file__))
TIMEOUT = 20  # a bound on every wait, never a threshold: a loaded machine only gets slower


def start_serial(exe, flash, extra=(), name="emulator"):
    """Starts the emulator with --serial linked in the flash's temporary folder; returns it and
    the link once the link exists (the device is at its prompt then), or (emu, None)."""
    link = os.path.join(flash.tmp, "ttyEMU")
    emu = Emulator(exe, ["--serial=" + link, "--fs", flash.dir, *extra], name=name)
    deadline = time.monotonic() + TIMEOUT
    while not os.path.islink(link):
        if time.monotonic() > deadline or emu.proc.poll() is not None:
            return emu, None
        time.sleep(0.01)
    return emu, link


def serial_session(body, extra=("--boot",), before=None):
    """The frame of a console driver: the emulator on --serial with a temporary copy of
    tests/console/flash (its init.lua), `before(exe, checks)` first if given, then
    `body(checks, exe, flash, emu, link)` once the pty is linked; the totals and the exit status
    at the end, the emulator stopped and the copy removed whatever happened."""
    exe = emulator_path()
    checks = Checks()
    if before:
        before(exe, checks)
    flash = Flash(os.path.join(HERE, "flash"))
    try:
        emu, link = start_serial(exe, flash, list(extra))
        checks.watch(emu)
        if checks.check("--serial=PATH links the pty once the device is at its prompt", link):
            body(checks, exe, flash, emu, link)
    finally:
        status = checks.finish()
        flash.remove()
    return status


class Wire:
    """The tool's end of the line: raw bytes in and out."""

    def __init__(self, path, baud=termios.B115200):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)  # TCSAFLUSH: what the device said before the tool came is gone
        attrs = termios.tcgetattr(self.fd)
        attrs[4] = attrs[5] = baud
        termios.tcsetattr(self.fd, termios.TCSANOW, attrs)
        self.buffer = b""

    def send(self, data):
        os.write(self.fd, data if isinstance(data, bytes) else data.encode())

    def read_until(self, suffix=b"> ", timeout=TIMEOUT):
        """Reads until the buffer ends with `suffix` (the prompt, by default); returns it and
        starts a new one. On timeout returns what came."""
        deadline = time.monotonic() + timeout
        while not self.buffer.endswith(suffix):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                self.buffer += os.read(self.fd, 4096)
        got, self.buffer = self.buffer, b""
        return got

    def exchange(self, line, suffix=b"> "):
        """Types `line` with the LF a terminal program sends; returns everything up to the
        next prompt."""
        self.send(line + "\n")
        return self.read_until(suffix)

    def close(self):
        os.close(self.fd)
