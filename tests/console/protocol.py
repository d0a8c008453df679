#!/usr/bin/env python3
"""The board's console on the --serial pty, byte for byte, from a raw pty client (no pyserial):
the echo, CR LF line ends, '> ' and '>> ' prompts, '=expr', errors, uart.write, uart.on in every
mode, uart.setup's echo flag, node.output, files landing in --fs, node.restart() with the banner
and init.lua again, the termios calls tools make. Then the same lines through -i on pipes: after
the host's conventions (no echo, LF) the two transcripts must be the same.
Usage: protocol.py path/to/nodemcu-emu   (prints "N passed, N failed"; exits 1 on a failure)"""

import re
import subprocess
import termios

from serial_lib import TIMEOUT, Wire, serial_session

# The banner's shape; its build date is the release's (src/modules/node/node_version.hpp).
BANNER_LINE = re.compile(rb"NodeMCU 2\.2\.1\.0 build \d{8} powered by Lua 5\.1\.\d on SDK 2\.2\.1\(6ab97e9\)")
BANNER = b""  # the exact bytes, as -i prints them (main() reads them first)

# Lines whose replies must be the same on the pty and on -i (no errors: those go to stderr on
# the host's terminal, to the UART on the board).
PARITY = ['x = 20', 'print(x + 1)', '=x * 2', 'for i = 1, 2 do', 'print(i)', 'end',
          'uart.write(0, "raw|")', 'print(#"a\\tb", nil)']


def exact(checks, wire, line, want, name=None):
    got = wire.exchange(line)
    return checks.check(name or f"{line!r} gives {want!r}", got == want, f"got {got!r}")


def console_basics(checks, wire):
    exact(checks, wire, 'print("echo1337")', b'print("echo1337")\r\necho1337\r\n> ',
          "the line is echoed, output lines end in CR LF, then the '> ' prompt (nodemcu-tool's check)")
    exact(checks, wire, "=6*7", b"=6*7\r\n42\r\n> ", "'=expr' prints the value")
    got = wire.exchange("for i = 1, 2 do") + wire.exchange("print(i)") + wire.exchange("end")
    checks.check("an unfinished statement gets '>> ' until it is complete", got ==
                 b"for i = 1, 2 do\r\n>> print(i)\r\n>> end\r\n1\r\n2\r\n> ", f"got {got!r}")
    wire.send("print(1)\r\n")
    got = wire.read_until()
    checks.check("CR LF from the tool (ESPlorer) is one line end", got == b"print(1)\r\n1\r\n> ",
                 f"got {got!r}")
    wire.send("prinx\x7ft(5)\n")
    got = wire.read_until()
    checks.check("DEL erases the last character on the line and on the screen",
                 got == b"prinx\x08 \x08t(5)\r\n5\r\n> ", f"got {got!r}")
    wire.send("\n")
    got = wire.read_until()
    checks.check("an empty line only gets a new prompt", got == b"\r\n> ", f"got {got!r}")
    got = wire.exchange('error("boom")')
    checks.check("an error is reported on the UART, as the firmware's lua.c does",
                 b"stdin:1: boom" in got and got.endswith(b"\r\n> "), f"got {got!r}")
    exact(checks, wire, 'uart.write(0, "a\\nb", 33)', b'uart.write(0, "a\\nb", 33)\r\na\nb!> ',
          "uart.write sends its bytes as they are (no CR added)")


def uart_on_modes(checks, wire):
    exact(checks, wire, 'uart.on("data", "\\n", function(d) uart.write(0, "<" .. d .. ">") '
          'if d == "stop\\n" then uart.on("data") end end, 0)',
          b'uart.on("data", "\\n", function(d) uart.write(0, "<" .. d .. ">") if d == "stop\\n" '
          b'then uart.on("data") end end, 0)\r\n> ', "uart.on('data', '\\n', f, 0) is accepted")
    wire.send("hello\n")
    got = wire.read_until(b"<hello\n>")
    checks.check("run_input 0: a line up to the end char goes to the callback, unechoed",
                 got == b"<hello\n>", f"got {got!r}")
    wire.send("stop\n")
    got = wire.read_until(b"<stop\n>")
    checks.check("the callback unregisters itself", got == b"<stop\n>", f"got {got!r}")
    exact(checks, wire, "=1+1", b"=1+1\r\n2\r\n> ", "lines reach the interpreter again after")

    wire.exchange('uart.on("data", 3, function(d) uart.write(0, "<" .. d .. ">") '
                  'if d == "end" then uart.on("data") end end, 0)')
    wire.send("abcdefend")
    got = wire.read_until(b"<end>")
    checks.check("a byte count frames the input in fixed chunks", got == b"<abc><def><end>",
                 f"got {got!r}")
    wire.exchange('uart.on("data", 0, function(d) uart.write(0, "<" .. d .. ">") '
                  'if d == "!" then uart.on("data") end end, 0)')
    wire.send("ab!")
    got = wire.read_until(b"<!>")
    checks.check("count 0: every byte is a frame", got == b"<a><b><!>", f"got {got!r}")

    wire.exchange('uart.on("data", "\\r", function(d) uart.write(0, "<" .. d .. ">") end, 1)')
    got = wire.exchange("y = 5")
    checks.check("run_input 1: the line is echoed, handed to the callback, then run",
                 got == b"y = 5\r\n<y = 5>> ", f"got {got!r}")
    got = wire.exchange('uart.on("data")')
    checks.check("... the line that unregisters it too", got == b'uart.on("data")\r\n<uart.on("data")>> ',
                 f"got {got!r}")
    exact(checks, wire, "=y", b"=y\r\n5\r\n> ", "... and the interpreter ran the lines")

    wire.send("uart.setup(0, 9600, 8, 0, 1, 0)\n")
    wire.read_until()
    wire.send("=3*3\n")
    got = wire.read_until()
    checks.check("uart.setup(..., echo 0): typed lines are no longer echoed", got == b"9\r\n> ",
                 f"got {got!r}")
    wire.send("uart.setup(0, 115200, 8, 0, 1, 1)\n")
    wire.read_until()
    exact(checks, wire, "=4", b"=4\r\n4\r\n> ", "uart.setup(..., echo 1) brings the echo back")


def node_output(checks, wire):
    line = 'node.output(function(s) uart.write(0, "[" .. s .. "]") end, 0)'
    wire.send(line + "\n")
    got = wire.read_until(b"[> ]")
    checks.check("node.output(f, 0): the console's text goes to the function only",
                 got == line.encode() + b"\r\n[> ]", f"got {got!r}")
    wire.send("print(8)\n")
    got = wire.read_until(b"> ]")
    checks.check("... print and the prompt too (the echo still goes to the UART)",
                 got == b"print(8)\r\n[8\n> ]" or got == b"print(8)\r\n[8\n][> ]", f"got {got!r}")
    wire.send("node.output(nil)\n")
    got = wire.read_until()
    checks.check("node.output(nil) gives the UART back", got == b"node.output(nil)\r\n> ",
                 f"got {got!r}")


def files_and_termios(checks, wire, flash):
    wire.exchange('f = file.open("typed.txt", "w") f:write("from the console\\n") f:close()')
    checks.check("a file written at the console lands in --fs",
                 flash.exists("typed.txt") and flash.read("typed.txt") == b"from the console\n")
    fd = wire.fd
    ok = True
    detail = ""
    try:
        for baud in (termios.B9600, termios.B230400, termios.B921600, termios.B115200):
            attrs = termios.tcgetattr(fd)
            attrs[4] = attrs[5] = baud
            termios.tcsetattr(fd, termios.TCSADRAIN, attrs)
        termios.tcdrain(fd)
        termios.tcsendbreak(fd, 0)
        termios.tcflush(fd, termios.TCIOFLUSH)
    except OSError as e:
        ok, detail = False, str(e)
    checks.check("tcsetattr at any baud rate, tcdrain, tcsendbreak, tcflush succeed", ok, detail)
    exact(checks, wire, "=7", b"=7\r\n7\r\n> ", "the console works at whatever rate was set last")


def restart(checks, wire):
    wire.send("node.restart()\n")
    got = wire.read_until(b"init.lua ran, boot 2\r\n> ")
    checks.check("node.restart() reboots: prompt, the banner, init.lua again, the prompt",
                 got == b"node.restart()\r\n> " + BANNER + b"init.lua ran, boot 2\r\n> ",
                 f"got {got!r}")
    exact(checks, wire, "=x", b"=x\r\nnil\r\n> ", "the new boot has a fresh Lua state")


def strip_echo(line, reply):
    echo = line.encode() + b"\r\n"
    return reply[len(echo):] if reply.startswith(echo) else b"<no echo>" + reply


def parity(checks, exe, flash, wire):
    """The same lines at -i on pipes: the host's form of the same console."""
    pty_side = b"".join(strip_echo(line, wire.exchange(line)) for line in PARITY)
    pty_side = pty_side.replace(b"\r\n", b"\n")
    run = subprocess.run([exe, "-i", "--fs", flash.dir], input="\n".join(PARITY).encode() + b"\n",
                         capture_output=True, timeout=TIMEOUT)
    out = run.stdout
    start = out.find(BANNER.replace(b"\r\n", b"\n"))
    stdio_side = out[start + len(BANNER) - 2:] if start >= 0 else b"<no banner>" + out
    # -i ends with the newline it prints at the end of input; its first prompt follows the boot.
    stdio_side = stdio_side[len(b"> "):]
    if stdio_side.endswith(b"\n"):
        stdio_side = stdio_side[:-1]
    checks.check("-i on pipes answers the same lines with the same text and prompts",
                 stdio_side == pty_side, f"pty: {pty_side!r}\n-i:  {stdio_side!r}")


def read_banner(exe, checks):
    """The banner as -i prints it (with "\n"), in the pty's form (with "\r\n")."""
    global BANNER
    out = subprocess.run([exe, "-i"], input=b"", capture_output=True, timeout=TIMEOUT).stdout
    line = next((l for l in out.split(b"\n") if l.startswith(b"NodeMCU")), b"")
    checks.check("the boot banner names the release, Lua and the SDK", BANNER_LINE.fullmatch(line),
                 out)
    BANNER = b"\r\n" + line + b"\r\n"


def session(checks, exe, flash, emu, link):
    checks.check("nothing of the device goes to stdout", emu.stdout() == "", emu.stdout())
    wire = Wire(link)
    console_basics(checks, wire)
    uart_on_modes(checks, wire)
    node_output(checks, wire)
    files_and_termios(checks, wire, flash)
    restart(checks, wire)
    parity(checks, exe, flash, wire)
    wire.close()
    checks.check("the pty's path is reported on stderr", "UART0 on /dev/pts/" in emu.stderr(),
                 emu.stderr())


def main():
    return serial_session(session, before=read_banner)


if __name__ == "__main__":
    raise SystemExit(main())
