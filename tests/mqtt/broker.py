"""mqtt against a real broker: Debian's mosquitto, started here on a free loopback port with a
config file of its own in a temporary directory (never the system service), checked from the
outside with mosquitto_pub / mosquitto_sub. The emulator runs in real time (a real peer cannot
keep pace with virtual time); every wait is bounded.

Usage: broker.py EMULATOR
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apps"))
from harness import Checks, Emulator, emulator_path  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    """mosquitto with its own config, persistence and (optionally) password file in `tmp`."""

    def __init__(self, tmp, password=None):
        self.tmp = tmp
        self.port = free_port()
        self.conf = os.path.join(tmp, "mosquitto.conf")
        lines = [f"listener {self.port} 127.0.0.1", "persistence true",
                 f"persistence_location {tmp}/", f"log_dest file {tmp}/broker.log",
                 "log_type all"]
        if os.geteuid() == 0:
            # As root mosquitto switches to the "mosquitto" user, which cannot write this
            # private temporary directory: stay who we are (no service, no shared files).
            lines.append("user root")
        if password:
            pwfile = os.path.join(tmp, "passwd")
            subprocess.run(["mosquitto_passwd", "-c", "-b", pwfile, password[0], password[1]],
                           check=True, capture_output=True)
            lines += ["allow_anonymous false", f"password_file {pwfile}"]
        else:
            lines += ["allow_anonymous true"]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(["mosquitto", "-c", self.conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def stop(self):
        """SIGTERM: mosquitto saves its persistence file and closes every client."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self):
        try:
            with open(os.path.join(self.tmp, "broker.log")) as f:
                return f.read()
        except OSError:
            return ""

    def sub(self, topic, count, qos=0, extra=()):
        """A mosquitto_sub that exits after `count` messages (or 30 s)."""
        return subprocess.Popen(["mosquitto_sub", "-p", str(self.port), "-t", topic, "-C",
                                 str(count), "-q", str(qos), "-W", "30", *extra],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def pub(self, topic, message=None, qos=0, retain=False, lines=None):
        args = ["mosquitto_pub", "-p", str(self.port), "-t", topic, "-q", str(qos)]
        if retain:
            args.append("-r")
        if lines is not None:
            args.append("-l")
            subprocess.run(args, input=lines, text=True, check=True, timeout=60)
        else:
            subprocess.run(args + ["-m", message], check=True, timeout=30)


def wait_subscribed(broker, client_id, timeout=10):
    """mosquitto_sub is subscribed once the broker logged its SUBSCRIBE (no sleep-and-hope)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if f"Received SUBSCRIBE from {client_id}" in broker.log():
            return True
        time.sleep(0.02)
    return False


def sub_output(proc, timeout=40):
    try:
        out, _ = proc.communicate(timeout=timeout)
        return out
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()[0]


class Run:
    def __init__(self, exe, checks, tmp):
        self.exe, self.checks, self.tmp, self.n = exe, checks, tmp, 0

    def emulator(self, script, profile=2, flash=None):
        self.n += 1
        path = os.path.join(self.tmp, f"script{self.n}.lua")
        with open(path, "w") as f:
            f.write(script)
        args = [f"--firmware={profile}"]
        if flash:
            args += ["--fs", flash]
        return self.checks.watch(Emulator(self.exe, args + [path], name=f"emulator#{self.n}"))


def connect_lua(port, body, client="dev", extra_client="", profile=2):
    secure = "false" if profile == 3 else "0"
    return f"""
m = mqtt.Client("{client}", 60{extra_client})
m:on("offline", function() print("offline") end)
m:on("message", function(c, t, d) print("message", t, d) end)
{body.get("before", "")}
m:connect("127.0.0.1", {port}, {secure}, function(c)
  print("connected")
  {body.get("connected", "")}
end, function(c, code) print("connfail", code) end)
"""


def main():
    exe = emulator_path()
    checks = Checks()
    if not shutil.which("mosquitto") or not shutil.which("mosquitto_sub"):
        checks.skip("mqtt against mosquitto", "mosquitto / mosquitto-clients not installed (make deps)")
        return checks.finish()
    tmp = tempfile.mkdtemp(prefix="nodemcu-mqtt-")
    brokers = []
    try:
        run = Run(exe, checks, tmp)

        def broker(**kw):
            d = tempfile.mkdtemp(dir=tmp)
            b = Broker(d, **kw)
            brokers.append(b)
            return b

        # --- publish and subscribe both ways, under each profile ---
        for profile in (1, 2, 3):
            b = broker()
            sub = b.sub("dev/out", 1, qos=1, extra=["-i", "watcher"])
            wait_subscribed(b, "watcher")
            emu = run.emulator(connect_lua(b.port, {"connected": """
  c:subscribe("dev/cmd", 1, function()
    print("subscribed")
    c:publish("dev/out", "hello from the device", 1, 0, function() print("puback") end)
  end)"""}, profile=profile), profile=profile)
            ok = emu.wait_for(r"subscribed", 15) is not None
            if ok:
                b.pub("dev/cmd", "switch on", qos=1)
            checks.check(f"firmware {profile}: the device's message arrives at mosquitto_sub",
                         sub_output(sub).strip() == "hello from the device", emu.stdout())
            checks.check(f"firmware {profile}: mosquitto_pub's message reaches the message callback",
                         emu.wait_for(r"message\tdev/cmd\tswitch on", 15) is not None, emu.stdout())
            checks.check(f"firmware {profile}: puback fired", emu.wait_for(r"puback", 15) is not None,
                         emu.stdout())
            emu.stop()
            b.stop()

        # --- retained messages, both ways ---
        b = broker()
        b.pub("dev/retained", "kept", qos=1, retain=True)
        emu = run.emulator(connect_lua(b.port, {"connected": """
  c:subscribe("dev/retained", 0)
  c:publish("dev/state", "on", 1, 1, function() print("stored") end)"""}))
        checks.check("a retained message reaches a later subscriber on the device",
                     emu.wait_for(r"message\tdev/retained\tkept", 15) is not None, emu.stdout())
        emu.wait_for(r"stored", 15)
        emu.stop()
        later = b.sub("dev/state", 1)
        checks.check("the device's retained message reaches a later mosquitto_sub",
                     sub_output(later).strip() == "on")

        # --- the will, when the emulator's process is killed ---
        will = b.sub("dev/will", 1, extra=["-i", "will-watcher"])
        wait_subscribed(b, "will-watcher")
        emu = run.emulator(connect_lua(b.port, {"before": 'm:lwt("dev/will", "device lost", 0, 0)'},
                                       client="willdev"))
        if checks.check("the device with a will connects", emu.wait_for(r"connected", 15), emu.stdout()):
            emu.proc.kill()
            emu.proc.wait()
        checks.check("killing the emulator makes the broker publish the will",
                     sub_output(will).strip() == "device lost")

        # --- QoS 1 redelivery across a broker restart (persistent session) ---
        flash = os.path.join(tmp, "flash")
        os.makedirs(flash)
        emu = run.emulator(connect_lua(b.port, {"connected": """
  if not subscribed then
    subscribed = true
    c:subscribe("dev/q1", 1, function() print("subscribed") end)
  end""", "before": """
m:on("offline", function()
  print("offline")
  -- Reconnect once the test says so (file "go" in the flash), polling like a device would.
  local t = tmr.create()
  t:alarm(100, tmr.ALARM_AUTO, function()
    if file.exists("go") then
      t:unregister()
      m:connect("127.0.0.1", PORT, 0, function() print("connected") end, function(c, r) print("connfail", r) end)
    end
  end)
end)""".replace("PORT", str(b.port))}, client="persistent", extra_client=', "", "", 0'), flash=flash)
        emu.wait_for(r"subscribed", 15)
        b.stop()
        checks.check("the broker going away fires offline", emu.wait_for(r"offline", 15), emu.stdout())
        b.start()
        b.pub("dev/q1", "queued while offline", qos=1)
        b.stop()   # the queued message is in mosquitto's persistence file only
        b.start()
        open(os.path.join(flash, "go"), "w").close()
        checks.check("after a broker restart the persistent session gets the QoS 1 message",
                     emu.wait_for(r"message\tdev/q1\tqueued while offline", 20), emu.stdout())
        emu.stop()

        # --- 1000 messages each way, nothing lost or reordered ---
        # 1.x/2.x send the head of the queue again whenever something (a received packet, the
        # 1 s tick) calls mqtt_send_if_possible while its PUBACK is outstanding: with traffic in
        # both directions at once the broker sees duplicates (QoS 1 allows them). So under 2.x
        # the directions take turns; under 3.x (each packet sent once) they run at once.
        for profile in (2, 3):
            n = 1000
            concurrent = profile == 3
            sub = b.sub("dev/bulk-out", n, qos=1, extra=["-i", f"bulk-watcher{profile}"])
            wait_subscribed(b, f"bulk-watcher{profile}")
            emu = run.emulator(connect_lua(b.port, {"before": f"""
got = 0
inorder = true
m:on("message", function(c, t, d)
  got = got + 1
  if tonumber(d) ~= got then inorder = false end
  if got == {n} then print("received", got, inorder) end
end)""", "connected": f"""
  c:subscribe("dev/bulk-in", 1, function()
    print("subscribed")
    local acked = 0
    for i = 1, {n} do
      c:publish("dev/bulk-out", tostring(i), 1, 0, function()
        acked = acked + 1
        if acked == {n} then print("all acked") end
      end)
    end
  end)"""}, client=f"bulk{profile}", profile=profile), profile=profile)
            subscribed = emu.wait_for(r"subscribed", 15) is not None
            if not concurrent:
                emu.wait_for(r"all acked", 60)
            if subscribed:
                b.pub("dev/bulk-in", qos=1, lines="".join(f"{i}\n" for i in range(1, n + 1)))
            out = sub_output(sub, 90).split()
            bad = [(i, v) for i, v in enumerate(out) if v != str(i + 1)][:5]
            checks.check(f"firmware {profile}: {n} QoS 1 messages from the device arrive at mosquitto_sub in order",
                         out == [str(i) for i in range(1, n + 1)], f"got {len(out)}, first differences {bad}")
            checks.check(f"firmware {profile}: {n} QoS 1 messages from mosquitto_pub reach the device in order",
                         emu.wait_for(rf"received\t{n}\ttrue", 60), emu.stdout()[-500:])
            checks.check(f"firmware {profile}: every publish was acknowledged", emu.wait_for(r"all acked", 60))
            emu.stop()

        # --- offline, then a reconnect driven by the script ---
        emu = run.emulator(connect_lua(b.port, {"before": """
m:on("offline", function()
  print("offline")
  local function again()
    m:connect("127.0.0.1", PORT, 0, function() print("reconnected") end,
      function(c, r) print("retry", r); tmr.create():alarm(200, tmr.ALARM_SINGLE, again) end)
  end
  again()
end)""".replace("PORT", str(b.port))}))
        emu.wait_for(r"connected", 15)
        b.stop()
        checks.check("a stopped broker fires offline", emu.wait_for(r"offline", 15), emu.stdout())
        checks.check("reconnecting to a stopped broker fails with CONN_FAIL_SERVER_NOT_FOUND",
                     emu.wait_for(r"retry\t-5", 15), emu.stdout())
        b.start()
        checks.check("the script's reconnect succeeds once the broker is back",
                     emu.wait_for(r"reconnected", 15), emu.stdout())
        emu.stop()
        b.stop()

        # --- a broker that is down: the failure callback with the firmware's code ---
        for profile, expect in ((2, r"connfail\t-5"), (3, r"connfail\t-5")):
            emu = run.emulator(connect_lua(free_port(), {}, profile=profile), profile=profile)
            checks.check(f"firmware {profile}: no broker on the port: fail_cb gets CONN_FAIL_SERVER_NOT_FOUND (-5)",
                         emu.wait_for(expect, 15), emu.stdout())
            emu.stop()

        # --- examples/mqtt_sensor.lua against this broker ---
        b = broker()
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        with open(os.path.join(root, "examples", "mqtt_sensor.lua")) as f:
            example = f.read().replace('PORT = "127.0.0.1", 1883', f'PORT = "127.0.0.1", {b.port}')
        readings = b.sub("sensor/+/temperature", 1)
        acks = b.sub("sensor/+/ack", 1, extra=["-i", "ack-watcher"])
        wait_subscribed(b, "ack-watcher")
        emu = run.emulator(example)
        if emu.wait_for(r"listening on", 15):
            b.pub("sensor/NodeMCU_a1b2c3/cmd", "led on", qos=1)
        checks.check("examples/mqtt_sensor.lua publishes a reading",
                     sub_output(readings).strip() == "25.0", emu.stdout())
        checks.check("examples/mqtt_sensor.lua acts on a command and acknowledges it",
                     # The ack reaching mosquitto_sub can overtake this process's reading of
                     # the device's stdout: wait for the line rather than look for it.
                     sub_output(acks).strip() == "led on"
                     and emu.wait_for(r"command:\tled on", 15) is not None,
                     emu.stdout())
        emu.stop()
        b.stop()

        # --- wrong password ---
        b = broker(password=("device", "secret"))
        emu = run.emulator(connect_lua(b.port, {}, extra_client=', "device", "wrong"'))
        # mosquitto answers a wrong password with return code 5 (not authorized); the firmware
        # hands the CONNACK's code to the failure callback as it is.
        checks.check("a wrong password: the failure callback gets the broker's code 5, then offline",
                     emu.wait_for(r"connfail\t5\noffline", 15), emu.stdout())
        emu.stop()
        emu = run.emulator(connect_lua(b.port, {}, extra_client=', "device", "secret"'))
        checks.check("the right password connects", emu.wait_for(r"connected", 15), emu.stdout())
        emu.stop()
    finally:
        for b in brokers:
            b.stop()
        if checks.failed:
            for b in brokers:
                print("--- broker log tail:\n" + b.log()[-2000:])
        shutil.rmtree(tmp, ignore_errors=True)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
