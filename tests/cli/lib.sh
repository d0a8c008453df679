# Shared by the command-line checks (run.sh, robustness.sh): sourced after `set -u`. Resolves the
# emulator given as $1 to an absolute path, works in a fresh temporary folder removed at exit,
# and counts checks: pass NAME / fail NAME [DETAIL...] print TAP-style lines.
EMU=${1:?usage: ${0##*/} path/to/nodemcu-emu}
EMU=$(cd "$(dirname "$EMU")" && pwd)/$(basename "$EMU")
WORK=$(mktemp -d)
# Only the main shell removes it: a background subshell signalled before it exec'd its command
# would otherwise run this trap too and delete the folder under the rest of the checks.
MAIN_PID=$BASHPID
trap '[[ $BASHPID == "$MAIN_PID" ]] && rm -rf "$WORK"' EXIT
cd "$WORK" || exit 2

passed=0
failed=0
OUT=$WORK/out
ERR=$WORK/err

pass() {
  passed=$((passed + 1))
  echo "ok - $1"
}
fail() {
  failed=$((failed + 1))
  echo "not ok - $1"
  shift
  for line in "$@"; do echo "    $line"; done
  echo "    stdout: $(head -c 600 "$OUT" 2>/dev/null)"
  echo "    stderr: $(head -c 600 "$ERR" 2>/dev/null)"
}
