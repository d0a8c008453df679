#!/bin/sh
# tools/lua_apicheck.sh DIR
#
# Builds DIR/liblua5.1.so.0: Debian's own Lua 5.1 (the source of the installed liblua5.1-0, its
# patches and its symbol versions) compiled with AddressSanitizer and LUA_USE_APICHECK, for
# `make test-asan` and `make fuzz` to run the emulator against (LD_LIBRARY_PATH=DIR).
#
# Why: Debian's liblua5.1 is not instrumented. A C function that pushes more values than the
# stack has room for (Lua guarantees LUA_MINSTACK = 20 slots to a C function; more need
# lua_checkstack) writes past the end of the Lua stack from inside liblua, where ASan sees
# nothing until a heap header it overwrote is checked much later, if ever. With this build each
# such push fails an assertion at the call that made it, and every access Lua makes to its own
# memory is checked.
#
# The source comes from Debian's deb-src archive through a private apt configuration under DIR
# (the machine's own apt sources are not touched). Prints DIR on success; exits non-zero (and
# says why) when the source cannot be had, e.g. offline: the caller then uses Debian's library.
set -eu
dir=${1:?usage: tools/lua_apicheck.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
lib="$dir/liblua5.1.so.0"
if [ -f "$lib" ]; then echo "$dir"; exit 0; fi

version=$(dpkg-query -W -f='${Version}' liblua5.1-0 2>/dev/null) || {
  echo "lua_apicheck: liblua5.1-0 is not installed" >&2; exit 1; }
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")

apt="$dir/apt"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/parts"
cat >"$apt/sources.list" <<EOF
deb-src http://deb.debian.org/debian $codename main
deb-src http://deb.debian.org/debian $codename-updates main
deb-src http://deb.debian.org/debian-security $codename-security main
EOF
opts="-o Dir::Etc::SourceList=$apt/sources.list -o Dir::Etc::SourceParts=$apt/parts \
  -o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache -o APT::Sandbox::User=root -qq"
src="$dir/src"
rm -rf "$src" && mkdir -p "$src"
# shellcheck disable=SC2086  # $opts is a list of words
if ! apt-get $opts update >/dev/null 2>&1 ||
   ! (cd "$src" && apt-get $opts source "lua5.1=$version" >/dev/null 2>&1); then
  echo "lua_apicheck: could not fetch the source of lua5.1 $version from deb.debian.org" >&2
  exit 1
fi
top=$(find "$src" -mindepth 1 -maxdepth 1 -type d -name 'lua5.1-*' | head -n 1)
[ -n "$top" ] && [ -f "$top/debian/version-script" ] || {
  echo "lua_apicheck: unexpected source layout in $src" >&2; exit 1; }

# The library's objects: every src/*.c but the two programs and luac's printer.
objs=""
for c in "$top"/src/*.c; do
  case $(basename "$c") in lua.c | luac.c | print.c) continue ;; esac
  o="$dir/obj/$(basename "$c" .c).o"
  mkdir -p "$dir/obj"
  gcc -c -O1 -g -fPIC -fsanitize=address -fno-omit-frame-pointer -DLUA_USE_LINUX \
      -DLUA_USE_APICHECK "$c" -o "$o"
  objs="$objs $o"
done
# shellcheck disable=SC2086
gcc -shared -fsanitize=address -o "$lib.tmp" $objs -Wl,-soname,liblua5.1.so.0 \
    -Wl,--version-script="$top/debian/version-script" -ldl -lm
mv "$lib.tmp" "$lib"
echo "$dir"
