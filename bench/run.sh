#!/usr/bin/env bash
# bench/run.sh - `make bench`: runs the workloads of ../shared/bench (its run_peers.sh) against
# nodemcu-emu serving bench/echo.lua and bench/http.lua, beside the peers there, in one session,
# then prints the peers' table and the ratios issues 4 and 17 set as targets (docs/performance.md).
#
# usage: bench/run.sh [run_peers.sh options]     e.g. bench/run.sh --reps 1 --dur 2
#        bench/run.sh --report DIR                re-print the tables of an earlier run
#   --same-core   run everything (servers and loadgen) on CPU 0: steadier echo ratios on a
#                 2-core machine, where unpinned runs flip between "server has its own core"
#                 (~100% server CPU) and "shares one with loadgen" (~50%) from run to run
#   Options are passed to run_peers.sh (--reps, --dur, --warmup, --conns, --hold-conns,
#   --no-startup, --workloads, --peers, --out, more --server ...). Defaults here:
#   --peers "c node luv luv_framed" (add copas with --peers), all workloads, 3 reps x 5 s.
#   The reps are rounds: each round runs every workload once on every server, one workload
#   at a time, so that the figures a ratio compares are seconds apart, not minutes.
# Environment:
#   NODEMCU_EMU   the emulator binary (default: <repo>/build/nodemcu-emu, what `make` builds)
#   BENCH_KIT     the kit's folder (default: ../shared/bench next to the repository)
#   BENCH_BUILD   where loadgen, c_epoll_echo and the results go (default: <repo>/build/bench-tools;
#                 ../shared/bench itself may be read-only)
# Limits lifted for the emulator: --limits tcp=0 (the device allows 5 established TCP
# connections; the workloads open 50 and 1000). The heap is not enforced unless --heap is given.
set -u
REPO=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${BENCH_KIT:-$(dirname "$REPO")/shared/bench}
LABEL=nodemcu-emu
EMU=${NODEMCU_EMU:-$REPO/build/nodemcu-emu}
BENCH_BUILD=${BENCH_BUILD:-$REPO/build/bench-tools}
case $BENCH_BUILD in /*) ;; *) BENCH_BUILD=$PWD/$BENCH_BUILD ;; esac  # run_peers.sh cds to its folder
export BENCH_BUILD

if [ ! -x "$BENCH/run_peers.sh" ]; then
  echo "bench/run.sh: the peer benchmark kit is missing: expected $BENCH/run_peers.sh" >&2
  echo "  (the shared folder sits next to the repository: $(dirname "$REPO")/shared)" >&2
  exit 2
fi
# The options this script sets itself; everything else goes to run_peers.sh unchanged.
PEERS="c node luv luv_framed" WORKLOADS="echo64 echo1460 echo16k rr-close hold udp" OUT="" REPORT="" PIN=() PASS=()
REPS=3 STARTUP=1
while [ $# -gt 0 ]; do
  case "$1" in
    --peers) PEERS=$2; shift 2 ;;
    --workloads) WORKLOADS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --report) REPORT=$2; shift 2 ;;
    --same-core)
      command -v taskset >/dev/null || { echo "bench/run.sh: --same-core needs taskset (util-linux)" >&2; exit 2; }
      PIN=(taskset -c 0); shift ;;
    --reps) REPS=$2; shift 2 ;;
    --no-startup) STARTUP=0; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) PASS+=("$1"); shift ;;
  esac
done

# Runs the peers and the emulator; sets OUT (results) and UDP_APART.
run_all() {
  case $EMU in /*) ;; *) EMU=$PWD/$EMU ;; esac  # run_peers.sh runs servers from its own folder
  if [ ! -x "$EMU" ]; then
    echo "bench/run.sh: no emulator at $EMU: run \`make build\` (or set NODEMCU_EMU)" >&2
    exit 2
  fi
  mkdir -p "$BENCH_BUILD"
  OUT=${OUT:-$BENCH_BUILD/results-$(date +%Y%m%d-%H%M%S)}
  mkdir -p "$OUT"
  case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac

  SERVER="$EMU --limits tcp=0 $REPO/bench/{mode}.lua {port}"
  STARTUP_CMD="$EMU -e ''"

  # The bench scripts bind UDP only when net.createUDPSocket exists. Without it the emulator would
  # never pass run_peers.sh's UDP readiness check (15 s wasted per rep): then the udp workload runs
  # for the peers alone.
  has_udp=$("$EMU" -e 'print(net and net.createUDPSocket ~= nil)' 2>/dev/null)
  UDP_APART=0
  if [ "$has_udp" != true ] && [[ " $WORKLOADS " == *" udp "* ]]; then
    echo "bench/run.sh: this build has no net.createUDPSocket: udp is measured for the peers only" >&2
    UDP_APART=1
  fi

  # Interleaved: run_peers.sh runs one peer through all its workloads and reps before the next,
  # so the emulator's and C's figures of a row were minutes apart and a machine that slowed or
  # sped up in between moved the ratio. Here each call is one rep of one workload for every
  # server in turn (seconds apart), and the medians are taken over REPS such rounds.
  local rep wl dir emu_args
  : >"$OUT/results.txt"
  for rep in $(seq "$REPS"); do
    for wl in $WORKLOADS; do
      dir=$OUT/r$rep-$wl
      emu_args=(--server "$SERVER" --label "$LABEL")
      if [ "$wl" = udp ] && [ "$UDP_APART" = 1 ]; then
        [ -n "$PEERS" ] || continue
        emu_args=()  # the peers alone
      fi
      "${PIN[@]}" "$BENCH/run_peers.sh" --peers "$PEERS" --workloads "$wl" --no-startup --reps 1 \
        "${emu_args[@]}" --out "$dir" "${PASS[@]}" >/dev/null || status=$?
      sed "s/ rep=1 / rep=$rep /" "$dir/results.txt" >>"$OUT/results.txt" 2>/dev/null
    done
  done
  # Start-up times once, after the loads (a run_peers.sh call with no workload).
  if [ "$STARTUP" = 1 ]; then
    "${PIN[@]}" "$BENCH/run_peers.sh" --peers "" --workloads "" --server "$SERVER" --label "$LABEL" \
      --startup-cmd "$STARTUP_CMD" --out "$OUT/main" "${PASS[@]}" >/dev/null 2>&1 || status=$?
  fi
}

status=0
if [ -n "$REPORT" ]; then
  OUT=$REPORT UDP_APART=0
  [ -f "$OUT/results.txt" ] || { echo "bench/run.sh: no results.txt in $OUT" >&2; exit 2; }
  ls -d "$OUT"/r*-udp >/dev/null 2>&1 && ! grep -q "server=$LABEL .*case=udp" "$OUT/results.txt" && UDP_APART=1
else
  run_all
fi
STARTUP_CSV=$OUT/main/startup.csv

echo
echo "## nodemcu-emu vs peers ($(date -r "$OUT/results.txt" '+%Y-%m-%d %H:%M'), $(nproc) cores, $(uname -m))"
echo
"$BENCH/summarize.sh" "$OUT/results.txt" "$STARTUP_CSV"

# ------------------------------------------------------------------ ratios
# Medians of the reps per (server, case), as summarize.sh takes them; each ratio is
# nodemcu-emu / peer from this run. "more" rows want a ratio >= target, "less" rows <= target.
echo
awk -v emu="$LABEL" -v startup="$STARTUP_CSV" -v udp_apart="$UDP_APART" '
function kv(k,   i, a) { for (i = 1; i <= NF; i++) { split($i, a, "="); if (a[1] == k) return a[2] } return "" }
function add(key, x) { vals[key] = vals[key] (vals[key] == "" ? "" : " ") x }
function median(key,   n, i, j, t, v) {
  n = split(vals[key], v, " ")
  if (n == 0) return ""
  for (i = 2; i <= n; i++) { t = v[i] + 0; for (j = i - 1; j >= 1 && v[j] + 0 > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
  return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
# One line: what, unit, emulator value, peer value, ratio, target and verdict.
function row(what, key, peer, better, target,   e, p, r, verdict) {
  e = median(emu SUBSEP key); p = median(peer SUBSEP key)
  if (e == "" || p == "") {
    printf "| %s | %s | %s | %s | - | %s | not measured |\n", what, peer, (e == "" ? "-" : e), (p == "" ? "-" : p), target_text(better, target)
    return
  }
  if (p + 0 <= 0) {
    printf "| %s | %s | %s | %s | - | %s | peer value <= 0 |\n", what, peer, e, p, target_text(better, target)
    return
  }
  r = e / p
  if (target == "") verdict = "(context)"
  else if (better == "more") verdict = r >= target ? "ok" : "BELOW TARGET"
  else verdict = r <= target ? "ok" : "ABOVE TARGET"
  if (verdict != "ok" && target != "") missed++
  if (target != "") checked++
  printf "| %s | %s | %s | %s | %.2fx | %s | %s |\n", what, peer, e, p, r, target_text(better, target), verdict
}
function target_text(better, target) { return target == "" ? "" : (better == "more" ? ">= " : "<= ") target "x" }
/^RESULT/ {
  s = kv("server"); c = kv("case")
  if (c ~ /^echo/) add(s SUBSEP c, kv("mbps"))
  # Server CPU per echoed message: unlike MB/s it does not depend on whether the scheduler
  # put server and loadgen on the same core of the 2 (then both run at ~50% CPU).
  if (c ~ /^echo/ && kv("rtt_per_s") > 0) add(s SUBSEP c "cpu", sprintf("%.2f", kv("srv_cpu_pct") * 1e4 / kv("rtt_per_s")))
  if (c == "rr-close" && kv("conn_per_s") > 0) add(s SUBSEP c, sprintf("%.1f", kv("srv_cpu_pct") * 1e4 / kv("conn_per_s")))
  if (c == "hold") add(s SUBSEP c, kv("kib_per_conn"))
  if (c == "udp") add(s SUBSEP c, kv("dgram_per_s"))
  if (c == "udp" && kv("dgram_per_s") > 0) add(s SUBSEP c "cpu", sprintf("%.2f", kv("srv_cpu_pct") * 1e4 / kv("dgram_per_s")))
}
END {
  # hyperfine CSV: command,mean,stddev,median,user,system,min,max (seconds); fallback: command,mean.
  while ((getline line < startup) > 0) {
    if (line ~ /^command,/) continue
    n = split(line, f, ","); cmd = f[1]; for (i = 2; i <= n - 7 && n > 8; i++) cmd = cmd "," f[i]
    gsub(/^"|"$/, "", cmd)
    ms = (n >= 8 ? f[n - 4] : f[n]) * 1000
    if (cmd == "lua5.1 -e '\'''\''") vals["lua5.1" SUBSEP "startup"] = sprintf("%.2f", ms)
    else if (cmd !~ /^(lua5\.1|node) /) vals[emu SUBSEP "startup"] = sprintf("%.2f", ms)  # the one command the kit does not time itself
  }
  print "| ratio (nodemcu-emu / peer, same run) | peer | nodemcu-emu | peer value | ratio | target | verdict |"
  print "|---|---|---:|---:|---:|---|---|"
  # Issue 17: server CPU per unit (placement-independent), against C epoll (the limit on this
  # machine) and plain luv; memory per idle connection; the 16 KiB buffering; startup.
  row("echo 64 B server CPU us/msg", "echo64cpu", "c", "less", "1.2")
  row("echo 64 B server CPU us/msg", "echo64cpu", "luv", "less", "1.0")
  row("echo 1460 B server CPU us/msg", "echo1460cpu", "c", "less", "1.2")
  row("echo 1460 B server CPU us/msg", "echo1460cpu", "luv", "less", "1.0")
  row("rr-close server CPU us/req", "rr-close", "c", "less", "1.2")
  row("rr-close server CPU us/req", "rr-close", "luv", "less", "1.0")
  if (udp_apart) printf "| udp 512 B server CPU us/dgram | c | - | %s | - | <= 1.2x | emulator has no UDP yet |\n", (median("c" SUBSEP "udpcpu") == "" ? "-" : median("c" SUBSEP "udpcpu"))
  else {
    row("udp 512 B server CPU us/dgram", "udpcpu", "c", "less", "1.2")
    row("udp 512 B server CPU us/dgram", "udpcpu", "luv", "less", "1.0")
  }
  row("hold KiB per idle conn", "hold", "luv_framed", "less", "1.0")
  row("echo 16 KiB MB/s", "echo16k", "luv_framed", "more", "2.5")
  row("startup ms (median)", "startup", "lua5.1", "less", "1.5")
  # For context only: throughput swings with where the scheduler puts the load generator.
  row("echo 16 KiB server CPU us/msg", "echo16kcpu", "luv_framed", "less", "")
  row("echo 64 B MB/s", "echo64", "luv", "more", "")
  row("echo 64 B MB/s", "echo64", "node", "more", "")
  row("echo 1460 B MB/s", "echo1460", "luv", "more", "")
  row("echo 1460 B MB/s", "echo1460", "c", "more", "")
  row("echo 16 KiB MB/s", "echo16k", "luv", "more", "")
  row("udp 512 B dgram/s", "udp", "luv", "more", "")
  row("udp 512 B dgram/s", "udp", "c", "more", "")
  printf "\n%d of %d targets met%s\n", checked - missed, checked, missed ? " (see docs/performance.md)" : ""
}' "$OUT/results.txt"
echo
echo "raw results: $OUT (server logs per run, results.txt, startup.csv)"
# The mqtt row (not with --report: it is measured, not stored): bench/mqtt.sh.
if [ -z "$REPORT" ] && command -v mosquitto >/dev/null; then
  "${PIN[@]}" "$REPO/bench/mqtt.sh" || status=$?
fi
if ! grep -q "server=$LABEL " "$OUT/results.txt" 2>/dev/null; then
  echo "bench/run.sh: no result for $LABEL: see the $LABEL.*.log files in $OUT/r*" >&2
  exit 1
fi
exit "$status"
