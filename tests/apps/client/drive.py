#!/usr/bin/env python3
"""Drives tests/apps/client: a local HTTP server (python's http.server on a free port of
127.0.0.1) plays the cloud service, a --hosts file maps the name api.local to 127.0.0.1, and
the app runs unchanged under the emulator (--boot, real time) until it ends by itself.
Usage: drive.py path/to/nodemcu-emu        the test ("N passed, N failed"; exit 1 on failure)
       drive.py --serve PORT               only the server, to run the app by hand"""

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import Checks, Emulator, Flash, emulator_path  # noqa: E402

APP = os.path.dirname(os.path.abspath(__file__))
ANSWER = {"ok": True, "id": 42, "interval": 60, "message": "hello, device"}


class ReadingsHandler(BaseHTTPRequestHandler):
    """POST /api/readings takes a JSON reading and answers with ANSWER (HTTP/1.0: the
    connection closes after the answer)."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        self.server.requests.append({"path": self.path, "host": self.headers.get("Host"),
                                     "type": self.headers.get("Content-Type"), "body": body})
        if self.path != "/api/readings":
            return self.send_error(404)
        try:
            json.loads(body)
        except ValueError:
            return self.send_error(400, "bad json")
        data = json.dumps(ANSWER).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        if self.server.verbose:
            super().log_message(fmt, *args)


def start_server(port=0, verbose=False):
    server = ThreadingHTTPServer(("127.0.0.1", port), ReadingsHandler)
    server.requests, server.verbose = [], verbose
    server.timeout = 1
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_app(exe, checks, config, extra_args, name):
    """Runs the app on a fresh flash with `config` as config.json; returns (emu, status, flash)."""
    flash = Flash(APP)
    flash.write_json("config.json", config)
    hosts = os.path.join(flash.tmp, "hosts")
    with open(hosts, "w") as f:
        f.write("127.0.0.1   api.local\n")
    emu = checks.watch(Emulator(exe, ["--boot", "--fs", flash.dir, "--hosts", hosts, "--strict"]
                                + extra_args, name))
    status = emu.wait_exit(30)
    emu.elapsed = time.monotonic() - emu.started
    return emu, status, flash


def result_of(flash):
    try:
        return json.loads(flash.read("result.json"))
    except (OSError, ValueError):
        return None


def test_success(exe, checks, server, port):
    config = {"ssid": "nodemcu-emu", "pwd": "emulator", "host": "api.local", "port": port,
              "path": "/api/readings", "wifi_timeout": 15}
    # --run-for 300 is only a backstop: an app that did not end by itself would still be running
    # when run_app stops waiting (30 s), so no wall-clock threshold is needed to tell them apart.
    emu, status, flash = run_app(exe, checks, config, ["--adc", "612", "--run-for", "300"], "client")
    try:
        out = emu.stdout()
        checks.check("the app ends by itself once it has its answer (status 0, long before --run-for)",
                     status == 0, f"status {status} after {emu.elapsed:.1f} s")
        checks.check("it waited for the station's events, then for its IP",
                     "associated with nodemcu-emu" in out and "got IP 127.0.0.1" in out, out)
        checks.check("net.dns.resolve found api.local through --hosts", "api.local is 127.0.0.1" in out, out)
        checks.check("the server got exactly one POST /api/readings", len(server.requests) == 1
                     and server.requests[0]["path"] == "/api/readings", server.requests)
        req = server.requests[0] if server.requests else {"body": b"{}"}
        try:
            reading = json.loads(req["body"])
        except ValueError:
            reading = {}
        checks.check("with Host api.local:PORT and a JSON Content-Type",
                     req.get("host") == f"api.local:{port}" and req.get("type") == "application/json", req)
        checks.check("the reading carries the chip id, the ADC value (--adc 612) and the MAC",
                     reading.get("chipid") == 10597059 and reading.get("device") == "NODE-A1B2C3"
                     and reading.get("adc") == 612 and reading.get("mac") == "5c:cf:7f:a1:b2:c3"
                     and isinstance(reading.get("uptime_ms"), int), reading)
        checks.check("it printed the server's answer", "server answered 200" in out
                     and '"message":"hello, device"' in out, out)
        result = result_of(flash)
        checks.check("result.json in flash holds the decoded answer",
                     result and result.get("ok") is True and result.get("status") == 200
                     and result.get("answer") == ANSWER and result.get("server") == "127.0.0.1", result)
        errors = [line for line in emu.stderr().splitlines() if line.strip()]
        checks.check("no warning or error on stderr (--strict)", not errors, errors)
    finally:
        flash.remove()


def test_unknown_name(exe, checks, server, port):
    config = {"ssid": "nodemcu-emu", "pwd": "emulator", "host": "nowhere.local", "port": port,
              "path": "/api/readings", "wifi_timeout": 15}
    before = len(server.requests)
    emu, status, flash = run_app(exe, checks, config, ["--run-for", "300"], "client (unknown name)")
    try:
        result = result_of(flash)
        checks.check("a name missing from --hosts is reported, and nothing is sent",
                     status == 0 and "cannot resolve nowhere.local" in emu.stdout()
                     and result and result.get("error") == "cannot resolve nowhere.local"
                     and len(server.requests) == before, (status, emu.stdout(), result))
    finally:
        flash.remove()


def test_no_ap(exe, checks, server, port):
    config = {"ssid": "nodemcu-emu", "pwd": "emulator", "host": "api.local", "port": port,
              "path": "/api/readings", "wifi_timeout": 4}
    before = len(server.requests)
    emu, status, flash = run_app(exe, checks, config, ["--wifi", "no-ap", "--run-for", "8"],
                                 "client (--wifi no-ap)")
    try:
        out = emu.stdout()
        checks.check("with --wifi no-ap the emulator ends at the --run-for bound (status 0)",
                     status == 0, f"status {status} after {emu.elapsed:.1f} s")
        checks.check("the station reports NO_AP_FOUND while it retries",
                     "no connection to nodemcu-emu: NO_AP_FOUND" in out, out)
        checks.check("the app reports that it never got an IP", "no IP address after 4 s" in out
                     and "got IP" not in out, out)
        result = result_of(flash)
        checks.check("and writes that to result.json; the server heard nothing",
                     result and result.get("ok") is False and "no IP address" in result.get("error", "")
                     and len(server.requests) == before, (result, server.requests[before:]))
    finally:
        flash.remove()


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        server = start_server(int(sys.argv[2]), verbose=True)
        print(f"serving POST /api/readings on 127.0.0.1:{server.server_address[1]} (Ctrl-C ends)")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            return 0
    exe = emulator_path()
    checks = Checks()
    server = start_server()
    port = server.server_address[1]
    try:
        test_success(exe, checks, server, port)
        test_unknown_name(exe, checks, server, port)
        test_no_ap(exe, checks, server, port)
    finally:
        server.shutdown()
        server.server_close()
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
