# Thin wrapper over CMake so that a fresh machine needs two commands: `make run`, `make test`.
#   make deps    apt-get install whatever Debian package is missing (nothing when all are there)
#   make         optimised build in build/
#   make run     serves the main example (HTTP on 127.0.0.1:8080)
#   make test    deps + build + every test (CTest) on the optimised build: the developer's check
#   make test-asan  the same suite on the ASan+UBSan build (build-asan/); CI runs both (.ci/run)
#   make ci      make test, then make test-asan: what .ci/run runs from a clean clone
#   make bench   performance comparison against ../shared/bench peers
#   make stress  the CTest suite 5 times while two busy loops load the cores (tests/stress.sh)
#   make soak    SOAK_MINUTES (10) of mixed hostile load on an echo server: RSS/fd slopes,
#                latency percentiles, every byte checked (tests/soak/load.py)
#   make fuzz    tests/fuzz/fuzz.lua on the ASan+UBSan build: FUZZ_SEEDS seeds from FUZZ_SEED,
#                FUZZ_CALLS calls each (default 8 x 125000 = 1 000 000), JOBS at a time
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
SOAK_MINUTES ?= 10
FUZZ_SEED    ?= 1
FUZZ_SEEDS   ?= 8
FUZZ_CALLS   ?= 125000
FUZZ_TIMEOUT ?= 1800
# g++/cmake build the emulator; liblua5.1-0-dev, libboost-dev, catch2 are the fixed stack;
# libssl-dev gives crypto its hashes (OpenSSL libcrypto); rapidjson-dev parses for sjson;
# pkg-config finds Lua; curl and python3 are the real clients the end-to-end tests drive;
# mosquitto and mosquitto-clients are the real MQTT broker and clients of the mqtt tests
# (tests/mqtt/broker.py starts its own broker on a free loopback port, never the service);
# nodejs runs nodemcu-tool against the --serial console (tests/console, installed by npm);
# libedit-dev gives -i line editing and history (BSD licence; GNU readline would be GPL);
# strace counts the system calls per message of the budget test (tests/budget);
# lua-busted is the test framework whose specs the emulator runs (tests/cli/busted.sh); lcov's
# genhtml renders --coverage reports as HTML; dpkg-dev unpacks the Lua 5.1 source that
# test-asan and fuzz rebuild with ASan and Lua's API checks (tools/lua_apicheck.sh).
DEBS := g++ cmake make pkg-config liblua5.1-0-dev libboost-dev catch2 libssl-dev rapidjson-dev liburing-dev curl python3 \
        mosquitto mosquitto-clients nodejs libedit-dev strace lua-busted lcov dpkg-dev
# npm installs nodemcu-tool for that test. Asked for only when no npm command exists: a nodejs
# from elsewhere (NodeSource) bundles npm and conflicts with Debian's npm package.
DEBS_IF_NO_COMMAND := npm

all: build

deps:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	for c in $(DEBS_IF_NO_COMMAND); do command -v $$c >/dev/null || missing="$$missing $$c"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# The generated Makefile, not CMakeCache.txt, marks a finished configure: a configure stopped
# half-way (Ctrl-C, a full disk, a build/ copied from elsewhere) leaves a cache without one, and
# the next make must configure again instead of failing on "No rule to make target 'Makefile'".
$(BUILD)/Makefile:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

# The emulator alone (no tests): what `make run` needs.
emulator: $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS) --target nodemcu-emu

run: deps emulator
	$(BUILD)/nodemcu-emu --port-map 80=8080 examples/http_server.lua

# The sanitizer pass is a second full build of everything (about as long again): it runs in CI
# (make ci) and on demand, so that make test from a fresh clone stays within a few minutes.
test: deps build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 120

ci: test
	$(MAKE) --no-print-directory test-asan

# Lua itself under ASan, with its API checks (a C function pushing past its stack room fails
# at that push): Debian's Lua 5.1 source rebuilt once into $(ASAN_BUILD)/lua-apicheck and put
# in front of Debian's library. Offline, the runs use Debian's library and say so.
LUA_APICHECK = libdir=$$(tools/lua_apicheck.sh $(ASAN_BUILD)/lua-apicheck) \
	  && echo "$@: Lua 5.1 with ASan and API checks from $$libdir" \
	  || { libdir=""; echo "$@: Debian's uninstrumented liblua5.1 (no Lua source to rebuild)"; }

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DNODEMCU_EMU_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	# The 60 s soak runs once, in the optimised build: its figures (RSS, latency) mean little
	# under ASan's quarantine, and a second minute would only lengthen make test.
	@$(LUA_APICHECK); cd $(ASAN_BUILD) && LD_LIBRARY_PATH=$$libdir ASAN_OPTIONS=detect_leaks=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 240 -E '^soak'

# Each seed is one run of tests/fuzz/run.sh (its own temporary flash, a time limit per run);
# a crash, a sanitizer report, a hang or a driver failure fails the target with the seed to replay.
fuzz: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DNODEMCU_EMU_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target nodemcu-emu
	@$(LUA_APICHECK); start=$$(date +%s); \
	seq $(FUZZ_SEED) $$(( $(FUZZ_SEED) + $(FUZZ_SEEDS) - 1 )) | \
	  LD_LIBRARY_PATH=$$libdir ASAN_OPTIONS=detect_leaks=1 xargs -P $(JOBS) -I SEED \
	    tests/fuzz/run.sh $(ASAN_BUILD)/nodemcu-emu SEED $(FUZZ_CALLS) $(FUZZ_TIMEOUT); \
	status=$$?; \
	echo "make fuzz: $(FUZZ_SEEDS) seeds from $(FUZZ_SEED) x $(FUZZ_CALLS) calls = $$(( $(FUZZ_SEEDS) * $(FUZZ_CALLS) )) calls in $$(( $$(date +%s) - start )) s: $$([ $$status -eq 0 ] && echo ok || echo FAILED)"; \
	exit $$status

bench: deps build
	bench/run.sh

stress: build
	JOBS=$(JOBS) tests/stress.sh $(BUILD)

soak: build
	python3 tests/soak/load.py --seconds $$(( $(SOAK_MINUTES) * 60 )) $(BUILD)/nodemcu-emu

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

.PHONY: all deps build emulator run test ci test-asan fuzz bench stress soak clean
