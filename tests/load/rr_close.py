#!/usr/bin/env python3
"""Nothing lost when the device closes under load (issue 17, rr-close).

bench/http.lua answers each connection with one HTTP/1.0 response and closes it from "sent".
The emulator closes such a connection at once when nothing is unread (docs/net.md, the graceful
close): this drives 64 clients at a time through 3000 requests and checks that every one of them
reads the whole response, then a clean FIN — never a reset, never a short answer.

usage: rr_close.py NODEMCU_EMU [SCRIPT]   (SCRIPT: another server script, default bench/http.lua)
"""
import os
import selectors
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REQUEST = b"GET / HTTP/1.0\r\nHost: x\r\n\r\n"
RESPONSE = b"HTTP/1.0 200 OK\r\nContent-Length: 13\r\n\r\nHello, world!"
TOTAL = 3000
CONCURRENT = 64
LIMIT_S = 120  # a bound on a hung run, not a performance threshold


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stderr_of(log):
    log.seek(0)
    return log.read()[-2000:]


def wait_listening(port, emu, log):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if emu.poll() is not None:
            sys.exit(f"the emulator exited early: {stderr_of(log)}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit("the emulator never listened")


class Client:
    def __init__(self, sel, port):
        self.sock = socket.socket()
        self.sock.setblocking(False)
        self.sock.connect_ex(("127.0.0.1", port))
        self.answer = b""
        self.sent = False
        sel.register(self.sock, selectors.EVENT_WRITE, self)


def main():
    exe = os.path.abspath(sys.argv[1])
    port = free_port()
    script = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "bench", "http.lua")
    # stderr to a file: a pipe nobody reads would block the emulator once full.
    log = tempfile.TemporaryFile(mode="w+")
    emu = subprocess.Popen([exe, "--limits", "tcp=0", script, str(port)],
                           stdout=subprocess.DEVNULL, stderr=log, text=True)
    try:
        wait_listening(port, emu, log)
        sel = selectors.DefaultSelector()
        started = done = 0
        failures = []
        deadline = time.monotonic() + LIMIT_S
        while started < min(CONCURRENT, TOTAL):
            Client(sel, port)
            started += 1
        while done < TOTAL:
            if time.monotonic() > deadline:
                sys.exit(f"FAIL: {done} of {TOTAL} answered within {LIMIT_S} s")
            for key, _ in sel.select(timeout=1):
                c = key.data
                if not c.sent:
                    err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if err:
                        failures.append(f"connect: {os.strerror(err)}")
                    else:
                        c.sock.sendall(REQUEST)  # 27 bytes: fits the empty send buffer
                        c.sent = True
                        sel.modify(c.sock, selectors.EVENT_READ, c)
                        continue
                else:
                    try:
                        chunk = c.sock.recv(4096)
                    except BlockingIOError:
                        continue
                    except OSError as e:  # a reset: the answer may have been discarded
                        failures.append(f"{e.strerror} after {len(c.answer)} bytes")
                        chunk = b""
                        c.answer = None
                    if chunk:
                        c.answer += chunk
                        continue
                    if c.answer is not None and c.answer != RESPONSE:
                        failures.append(f"answer {c.answer!r}")
                sel.unregister(c.sock)
                c.sock.close()
                done += 1
                if started < TOTAL:
                    Client(sel, port)
                    started += 1
        if emu.poll() is not None:
            sys.exit(f"FAIL: the emulator exited: {stderr_of(log)}")
        if failures:
            print(f"FAIL: {len(failures)} of {TOTAL} requests lost their answer, e.g. {failures[:3]}")
            sys.exit(1)
        print(f"ok: {TOTAL} requests, {CONCURRENT} at a time: every answer whole, then FIN")
    finally:
        if emu.poll() is None:
            emu.terminate()
            try:
                emu.wait(timeout=10)
            except subprocess.TimeoutExpired:
                emu.kill()
                emu.wait()


if __name__ == "__main__":
    main()
