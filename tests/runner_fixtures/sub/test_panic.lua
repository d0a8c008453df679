-- Fixture for tests/cli/test_runner.sh: a script without emu cases whose net callback PANICs:
-- the device reboots, so --on-error=panic ends the emulator with status 1 mid-file.
local port_socket = net.createUDPSocket()
port_socket:listen(0)
local port = port_socket:getaddr()
port_socket:on("receive", function() error("boom outside any case") end)
net.createUDPSocket():send(port, "127.0.0.1", "hi")
