#!/usr/bin/env bash
# bench/mqtt.sh - the mqtt row of `make bench`: QoS 0 and QoS 1 publishes per second from the
# emulator (bench/mqtt_pub.lua) to a local mosquitto, beside the same loop on Node.js with npm
# `mqtt` (bench/mqtt_pub.js), in one run against one broker. Median of REPS runs each.
# mosquitto runs on a free loopback port with its own config in a temporary folder; npm `mqtt`
# is installed into $BENCH_BUILD/node_modules (project-local) on the first run.
# usage: bench/mqtt.sh [COUNT_QOS0 [COUNT_QOS1 [REPS]]]
set -u
REPO=$(cd "$(dirname "$0")/.." && pwd)
EMU=${NODEMCU_EMU:-$REPO/build/nodemcu-emu}
BENCH_BUILD=${BENCH_BUILD:-$REPO/build/bench-tools}
N0=${1:-20000} N1=${2:-5000} REPS=${3:-3}
command -v mosquitto >/dev/null || { echo "bench/mqtt.sh: mosquitto missing (make deps)" >&2; exit 2; }
mkdir -p "$BENCH_BUILD"
have_node=0
if command -v node >/dev/null && command -v npm >/dev/null; then
  [ -d "$BENCH_BUILD/node_modules/mqtt" ] ||
    (cd "$BENCH_BUILD" && npm install --no-audit --no-fund --silent mqtt@5 >/dev/null 2>&1)
  [ -d "$BENCH_BUILD/node_modules/mqtt" ] && have_node=1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nodemcu-mqtt-bench.XXXXXX")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
{
  echo "listener $port 127.0.0.1"
  echo "allow_anonymous true"
  [ "$(id -u)" = 0 ] && echo "user root"
} >"$tmp/mosquitto.conf"
mosquitto -c "$tmp/mosquitto.conf" >/dev/null 2>&1 &
broker=$!
trap 'kill $broker 2>/dev/null; wait $broker 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.05; done

median() { sort -n | awk '{v[NR]=$1} END {if (NR) print (NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2); else print "-"}'; }
measure() {  # measure CMD... : median publishes/s over REPS runs
  for _ in $(seq "$REPS"); do timeout 120 "$@" 2>/dev/null | awk '/^publishes\/s/ {print $2}'; done | median
}
e0=$(measure "$EMU" "$REPO/bench/mqtt_pub.lua" "$port" 0 "$N0")
e1=$(measure "$EMU" "$REPO/bench/mqtt_pub.lua" "$port" 1 "$N1")
n0=- n1=-
if [ $have_node = 1 ]; then
  export MQTT_JS=$BENCH_BUILD/node_modules/mqtt
  n0=$(measure node "$REPO/bench/mqtt_pub.js" "$port" 0 "$N0")
  n1=$(measure node "$REPO/bench/mqtt_pub.js" "$port" 1 "$N1")
fi
echo
echo "## mqtt: publishes/s to a local mosquitto ($(mosquitto -h 2>/dev/null | head -1 | awk '{print $3}'), median of $REPS; QoS 0 x $N0, QoS 1 x $N1)"
echo
echo "| client | QoS 0 publishes/s | QoS 1 publishes/s |"
echo "|---|---:|---:|"
echo "| nodemcu-emu (firmware queue: one packet in flight) | $e0 | $e1 |"
echo "| node + npm mqtt $( [ $have_node = 1 ] && node -p "require('$BENCH_BUILD/node_modules/mqtt/package.json').version" ) | $n0 | $n1 |"
