#!/usr/bin/env python3
"""-i on a terminal: lines are edited (libedit) before the interpreter gets them: history with the
up arrow, Ctrl-A to the start of the line, backspace; '=expr'; a timer's output while a line is
half-typed does not lose it; Ctrl-D ends the console and the history is saved in $HOME.
The emulator runs under a pseudo-terminal (os.openpty), as in a terminal window.
Usage: line_editing.py path/to/nodemcu-emu   (prints "N passed, N failed"; exits 1 on a failure)"""

import os
import select
import shutil
import subprocess
import tempfile
import time

from serial_lib import TIMEOUT, Checks, emulator_path


class Terminal:
    def __init__(self, exe, args, home):
        self.master, slave = os.openpty()
        env = dict(os.environ, HOME=home, TERM="xterm")
        self.proc = subprocess.Popen([exe, *args], stdin=slave, stdout=slave, stderr=slave,
                                     env=env, start_new_session=True)
        os.close(slave)
        self.seen = b""

    def type(self, keys):
        os.write(self.master, keys.encode())

    def wait_for(self, text, count=1):
        """Reads until `text` has appeared `count` times in all the output so far."""
        want = text.encode()
        deadline = time.monotonic() + TIMEOUT
        while self.seen.count(want) < count and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.seen += os.read(self.master, 4096)
                except OSError:
                    break
        return self.seen.count(want) >= count

    def wait_prompt(self, after):
        """Reads until a prompt follows the text `after`: the editor has the terminal again (while
        a line runs, libedit gives the terminal its cooked mode back, and keys typed then are the
        kernel's to echo)."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            at = self.seen.rfind(after.encode())
            if at >= 0 and b"> " in self.seen[at:]:
                return True
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                self.seen += os.read(self.master, 4096)
        return False

    def finish(self):
        try:
            status = self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            status = None
        os.close(self.master)
        return status


def main():
    exe = emulator_path()
    checks = Checks()
    home = tempfile.mkdtemp(prefix="nodemcu-home-")
    try:
        term = Terminal(exe, ["-i"], home)
        # The console's prompt, then the editor's over it ("\r> "): keys typed before that would
        # meet the terminal's own line discipline.
        checks.check("the prompt comes up", term.wait_for("\r> "), term.seen)
        term.type("x = 6\r")
        term.wait_prompt("x = 6")
        term.type("=x * 7\r")
        checks.check("'=expr' prints its value", term.wait_for("42") and term.wait_prompt("42"),
                     term.seen)
        term.type("\x1b[A\r")  # up arrow: the last line again
        checks.check("the up arrow recalls the last line",
                     term.wait_for("42", 2) and term.wait_prompt("42"), term.seen)
        term.type("5*5\x01=\r")  # Ctrl-A, then '=' in front
        checks.check("Ctrl-A moves to the start of the line",
                     term.wait_for("25") and term.wait_prompt("25"), term.seen)
        term.type("=1+9\x7f3\r")  # backspace
        checks.check("backspace edits the line", term.wait_for("\n4\r\n") and term.wait_prompt("\n4"),
                     term.seen)
        term.type('tmr.create():alarm(50, tmr.ALARM_SINGLE, function() print("tick") end)\r')
        term.wait_prompt("end)")
        term.type("=1")  # half-typed when the timer fires
        checks.check("a timer prints while a line is half-typed", term.wait_for("tick"), term.seen)
        term.type("00\r")
        checks.check("... and the line is still whole", term.wait_for("100") and term.wait_prompt("100"),
                     term.seen)
        term.type("\x04")  # Ctrl-D
        status = term.finish()
        checks.check("Ctrl-D ends the console (status 0)", status == 0, f"status {status}")
        history = os.path.join(home, ".nodemcu_emu_history")
        saved = open(history).read() if os.path.exists(history) else ""
        checks.check("the history is saved in $HOME/.nodemcu_emu_history", "=5*5" in saved and "=100" in saved, saved)
    finally:
        status = checks.finish()
        shutil.rmtree(home, ignore_errors=True)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
