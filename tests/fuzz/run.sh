#!/bin/sh
# run.sh EMULATOR SEED CALLS [TIME_LIMIT_SECONDS] [-- extra fuzz.lua options, e.g. --log-from K]
#
# One fuzz run (tests/fuzz/fuzz.lua) as a device with a fresh temporary flash (--fs), names from
# tests/fuzz/hosts only (--hosts: no DNS query leaves the machine), virtual time, and callback
# errors printed rather than rebooting the device (--on-error continue). Stdin is /dev/null
# (uart.on("data") reads it). The run fails on: a non-zero exit (crash, sanitizer abort), a
# sanitizer report, no "FUZZ: done" line (the driver found a failure), the time limit (a
# hang), or a file the emulator wrote into its working directory instead of the flash. On failure it prints the seed, the driver's last lines and how to replay.
set -u
if [ $# -lt 3 ]; then
  echo "usage: $0 EMULATOR SEED CALLS [TIME_LIMIT_SECONDS] [-- fuzz.lua options]" >&2
  exit 2
fi
emu=$1 seed=$2 calls=$3
limit=${4:-600}
shift 3
[ $# -gt 0 ] && [ "$1" != "--" ] && shift
[ $# -gt 0 ] && [ "$1" = "--" ] && shift
here=$(cd "$(dirname "$0")" && pwd)
case $emu in /*) ;; *) emu=$(pwd)/$emu ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/nodemcu-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
mkdir "$work/fs"
# The working directory is the temporary folder too: a host-relative path the emulator should
# not have used (a bug to find) lands there, not in the source tree.
cd "$work" || exit 2
start=$(date +%s)
# Models on every bus, so that i2c, spi, ow, dht and ws2812 calls reach the models' code and
# not only the empty bus (the pins are ones pin_arg picks: 1..12; spi:8 is a gpio chip-select).
# fuzz.lua adds models written in Lua at i2c:0x42, spi:9, ow:7, dht:9 and ws2812.1.
timeout -k 10 "$limit" "$emu" --virtual-time --on-error continue --hosts "$here/hosts" \
  --attach i2c:0x76=bme280 --attach i2c:0x50=at24c32 --attach i2c:0x20=pcf8574 \
  --attach spi:8=bme280 --attach spi=bme280 --attach ow:3=ds18b20 --attach ow:3=ds18b20 \
  --attach ow:4=ds18b20,parasite=1 --attach dht:5=dht22 --attach dht:6=dht11 \
  --attach ws2812=strip:16 \
  --fs "$work/fs" "$here/fuzz.lua" --seed "$seed" --calls "$calls" "$@" \
  </dev/null >"$work/out" 2>&1
status=$?
elapsed=$(( $(date +%s) - start ))

reason=""
if [ $status -eq 124 ] || [ $status -eq 137 ]; then
  reason="hang: still running after ${limit} s"
elif grep -aq -e "ERROR: AddressSanitizer" -e "ERROR: LeakSanitizer" -e "runtime error:" \
     -e "SUMMARY: UndefinedBehaviorSanitizer" "$work/out"; then
  reason="sanitizer report"
elif [ $status -ne 0 ]; then
  reason="exit status $status"
elif ! grep -aq "^FUZZ: done" "$work/out"; then
  reason="the driver did not finish"
elif [ -n "$(ls -A "$work" | grep -v -e '^fs$' -e '^out$')" ]; then
  reason="files written outside the flash, in the working directory: $(ls -A "$work" | grep -v -e '^fs$' -e '^out$' | tr '\n' ' ')"
fi

if [ -z "$reason" ]; then
  done_line=$(grep -a "^FUZZ: done" "$work/out" | tail -n 1)
  echo "fuzz: seed $seed ok in ${elapsed} s -- ${done_line#FUZZ: done: }"
  grep -a "^FUZZ: note" "$work/out" | sed "s/^FUZZ: /fuzz: seed $seed: /"
  exit 0
fi

echo "fuzz: FAILED seed $seed ($reason) after ${elapsed} s"
echo "---- the driver's last lines"
grep -a "^FUZZ" "$work/out" | tail -n 40
if grep -aq -e "Sanitizer" -e "runtime error:" "$work/out"; then
  echo "---- sanitizer report"
  grep -a -n -m 1 -e "==ERROR" -e "runtime error:" "$work/out" | cut -d: -f1 | {
    read -r first && tail -n "+$first" "$work/out" | head -n 80
  }
fi
echo "---- the end of the output"
tail -c 3000 "$work/out" | tail -n 25
progress=$(grep -a "^FUZZ: progress" "$work/out" | tail -n 1 | awk '{print $3}')
echo "---- replay"
echo "  $0 $emu $seed $calls $limit"
echo "  with every call printed from the last progress mark on:"
echo "  $0 $emu $seed $calls $limit -- --log-from ${progress:-1}"
exit 1
