#!/usr/bin/env python3
"""Drives tests/apps/webserver with curl: the app runs unchanged under the emulator (--boot,
real time) and is checked from outside, byte for byte.
Usage: drive.py path/to/nodemcu-emu   (prints "N passed, N failed"; exits 1 on a failure)"""

import hashlib
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import Checks, Emulator, Flash, emulator_path, outstanding_sends, wait_peer_read  # noqa: E402

APP = os.path.dirname(os.path.abspath(__file__))
CURL_TIMEOUT = 10


def curl(url, *extra):
    """(status, headers of the final response, body bytes), or (None, {}, b"") on failure."""
    with tempfile.TemporaryDirectory() as tmp:
        head, body = os.path.join(tmp, "head"), os.path.join(tmp, "body")
        cmd = ["curl", "-sS", "--noproxy", "*", "--max-time", str(CURL_TIMEOUT),
               "-D", head, "-o", body, "-w", "%{http_code}", *extra, url]
        try:
            run = subprocess.run(cmd, capture_output=True, timeout=CURL_TIMEOUT + 5)
        except subprocess.TimeoutExpired:
            return None, {}, b""
        if run.returncode != 0 or not os.path.exists(head):
            return None, {"error": run.stderr.decode(errors="replace")}, b""
        with open(head, "rb") as f:
            blocks = [b for b in f.read().decode("latin-1").split("\r\n\r\n") if b.strip()]
        headers = {}
        for line in blocks[-1].split("\r\n")[1:]:  # the last block: after any "100 Continue"
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        with open(body, "rb") as f:
            return int(run.stdout), headers, f.read()


def raw_request(port, parts):
    """Sends `parts` one by one, each once the emulator has read the one before (so the device
    gets them in separate receive frames, however loaded the machine), then reads the whole
    answer until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=CURL_TIMEOUT) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i, part in enumerate(parts):
            if i:
                wait_peer_read(s)
            s.sendall(part)
        answer = b""
        while True:
            data = s.recv(65536)
            if not data:
                return answer
            answer += data


def split_answer(answer):
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/") else None
    return status, body


def main():
    exe = emulator_path()
    checks = Checks()
    flash = Flash(APP)
    flash.write_json("config.json", {"port": 0})
    blob = random.Random(8266).randbytes(40000)  # binary, with every byte value
    flash.write("http/blob.bin", blob)
    trace = os.path.join(flash.tmp, "trace.jsonl")
    try:
        emu = checks.watch(Emulator(exe, ["--boot", "--fs", flash.dir, "--strict", "--run-for", "50",
                                          f"--trace=json:{trace}"], "webserver"))
        up = emu.wait_for(r"webserver: listening on (\S+) port (\d+)", 10)
        if not checks.check("init.lua waits for the IP and starts the server", up, emu.stdout()):
            return checks.finish()
        checks.check("the address printed is the station's IP", up.group(1) == "127.0.0.1", up.group(0))
        base = f"http://127.0.0.1:{up.group(2)}"
        port = int(up.group(2))

        index = flash.read("http/index.html")
        code, headers, body = curl(base + "/")
        checks.check("GET / serves http/index.html from flash", code == 200 and body == index,
                     f"status {code}, {len(body)} bytes {headers}")
        checks.check("with Content-Length and Content-Type text/html",
                     headers.get("content-length") == str(len(index))
                     and headers.get("content-type") == "text/html", headers)

        manual = flash.read("http/manual.html")
        code, headers, body = curl(base + "/manual.html")
        checks.check(f"GET of a {len(manual)}-byte page returns exactly its bytes",
                     code == 200 and len(manual) > 10240 and body == manual,
                     f"status {code}, got {len(body)} bytes")
        checks.check("its Content-Length is the file's size",
                     headers.get("content-length") == str(len(manual)), headers)

        code, headers, body = curl(base + "/blob.bin")
        checks.check("a 40000-byte binary file arrives unchanged",
                     code == 200 and body == blob and headers.get("content-type") == "application/octet-stream",
                     f"status {code}, {len(body)} bytes, {headers}")

        code, headers, body = curl(base + "/style.css")
        checks.check("GET /style.css has Content-Type text/css",
                     code == 200 and headers.get("content-type") == "text/css"
                     and body == flash.read("http/style.css"), headers)

        results = [None] * 4

        def fetch(i):
            results[i] = curl(base + "/manual.html")
        workers = [threading.Thread(target=fetch, args=(i,)) for i in range(len(results))]
        for w in workers:
            w.start()
        for w in workers:
            w.join(CURL_TIMEOUT + 10)
        checks.check("4 clients at once each get the whole large page",
                     all(r and r[0] == 200 and r[2] == manual for r in results),
                     [(r[0], len(r[2])) if r else None for r in results])

        code, headers, body = curl(base + "/missing.html")
        checks.check("GET of a missing file is 404 with a body of Content-Length bytes",
                     code == 404 and b"404" in body and headers.get("content-length") == str(len(body)),
                     f"status {code}, {headers}, {body[:200]}")

        code, headers, body = curl(base + "/api/status")
        try:
            status = json.loads(body)
        except ValueError:
            status = None
        checks.check("GET /api/status is JSON (application/json)",
                     code == 200 and isinstance(status, dict)
                     and headers.get("content-type") == "application/json", f"status {code}, {body[:300]}")
        status = status if isinstance(status, dict) else {}
        checks.check("it reports heap, uptime, chip id, IP and the requests served",
                     isinstance(status.get("heap"), int) and status["heap"] >= 0
                     and isinstance(status.get("uptime"), int)
                     and status.get("chipid") == 10597059 and status.get("ip") == "127.0.0.1"
                     and status.get("requests", 0) >= 9 and status.get("fs", {}).get("total", 0) > 0,
                     status)

        doc = {"device": "porch", "readings": [{"n": i, "label": f"sample {i:04d}", "ok": i % 3 == 0}
                                               for i in range(120)]}
        text = json.dumps(doc, separators=(",", ":")).encode()
        with tempfile.NamedTemporaryFile(suffix=".json") as f:
            f.write(text)
            f.flush()
            code, headers, body = curl(base + "/api/echo", "--data-binary", "@" + f.name,
                                       "-H", "Content-Type: application/json")
        try:
            echo = json.loads(body)
        except ValueError:
            echo = {}
        checks.check(f"POST /api/echo of a {len(text)}-byte body decodes it and sends it back",
                     code == 200 and len(text) > 5000 and echo.get("echo") == doc,
                     f"status {code}, {body[:300]}")
        checks.check("the body reached the device in several receive frames, all of it",
                     echo.get("bytes") == len(text) and echo.get("frames", 0) >= 4
                     and echo.get("sha1") == hashlib.sha1(text).hexdigest(),
                     {k: echo.get(k) for k in ("bytes", "frames", "sha1")})

        with tempfile.NamedTemporaryFile(suffix=".json") as f:
            f.write(text)
            f.flush()
            # No wall-clock threshold: curl is told to wait 60 s for "100 Continue" before
            # sending the body anyway, longer than its --max-time, so without the server's
            # "100 Continue" the request fails instead of merely being slow.
            code, headers, body = curl(base + "/api/echo", "--data-binary", "@" + f.name,
                                       "--expect100-timeout", "60",
                                       "-H", "Content-Type: application/json", "-H", "Expect: 100-continue")
        checks.check("a client that sends 'Expect: 100-continue' is told to go on",
                     code == 200 and json.loads(body or b"{}").get("bytes") == len(text),
                     f"status {code}, {headers.get('error', '')}")

        small = json.dumps({"hello": "device", "list": [1, 2, 3]}).encode()
        answer = raw_request(port, [b"POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: "
                                    + str(len(small)).encode() + b"\r\n\r\n", small[:7], small[7:20], small[20:]])
        code, body = split_answer(answer)
        try:
            echo = json.loads(body)
        except ValueError:
            echo = {}
        checks.check("a body that trickles in over 3 frames is decoded once complete",
                     code == 200 and echo.get("echo") == json.loads(small) and echo.get("frames") == 3,
                     answer[:400])

        code, headers, body = curl(base + "/api/echo", "--data-binary", '{"a":[1,2', "-H",
                                   "Content-Type: application/json")
        checks.check("a malformed JSON body is answered 400 with the decoder's error",
                     code == 400 and "error" in json.loads(body or b"{}"), f"status {code}, {body[:200]}")

        code, _, _ = curl(base + "/api/echo")
        checks.check("GET /api/echo is 405", code == 405, f"status {code}")

        status = emu.stop()
        checks.check("SIGTERM stops the emulator cleanly (status 0)", status == 0, f"status {status}")
        errors = [line for line in emu.stderr().splitlines() if line.strip()]
        checks.check("no warning, error or PANIC on stderr (run with --strict)", not errors, errors)
        peaks = outstanding_sends(trace)
        worst = max((p for p, _ in peaks.values()), default=0)
        chained = max((n for _, n in peaks.values()), default=0)
        checks.check("no socket ever had more than 2920 bytes outstanding (from --trace)",
                     0 < worst <= 2920, peaks)
        checks.check("large answers went out in many sends chained over 'sent'", chained >= 11, peaks)
        return checks.finish()
    finally:
        for emu in checks.emulators:
            emu.stop()
        flash.remove()


if __name__ == "__main__":
    sys.exit(main())
