-- hardening: module functions run with the Lua heap (--heap) all but full, so that "not enough
-- memory" strikes at every allocation they make in turn. Lua raises it with a longjmp, which
-- must never skip a C++ destructor: under the ASan build a leaked std::string, vector or
-- shared_ptr fails this run at exit (LeakSanitizer), a corrupted object at once.
-- Runs as a device whose --fs is a fresh temporary folder (fixtures/fs/sandbox.lua).
-- A registration under memory pressure (node.task.post, sck:on, ...) once left the registry
-- half-resized, and a later callback was called as a number (src/lua/heap_budget.hpp says why).
local dir = require("fixtures.fs.sandbox").enter(nil, { "--hosts", "fixtures/hosts", "--heap", "262144" })
local emu = require "emu"

local squeeze, release = emu.squeeze_heap, emu.release_heap

local big = string.rep("0123456789abcdef", 512)  -- 8 KB
local checked = 0

-- Runs op under every slack from 0 to `upto` bytes: it succeeds or fails with a string.
local function under_pressure(name, op, upto)
  for slack = 0, upto or 3000, 37 do
    squeeze(slack)
    local ok, err = pcall(op)
    release()
    checked = checked + 1
    if not ok and type(err) ~= "string" then
      error(name .. " at slack " .. slack .. ": error is a " .. type(err))
    end
  end
end

emu.test("encoder and crypto results pushed with the heap full", function()
  under_pressure("toBase64", function() return encoder.toBase64(big) end, 20000)
  under_pressure("fromBase64", function() return encoder.fromBase64("QUJD" .. ("QUJD"):rep(2000)) end, 12000)
  under_pressure("toHex", function() return encoder.toHex(big) end, 20000)
  under_pressure("fromHex", function() return encoder.fromHex(("41"):rep(4000)) end, 8000)
  under_pressure("crypto.hash", function() return crypto.hash("SHA512", big) end)
  under_pressure("crypto.hmac", function() return crypto.hmac("SHA256", big, "key") end)
  under_pressure("crypto.sha1", function() return crypto.sha1(big) end)
  under_pressure("crypto.encrypt", function() return crypto.encrypt("AES-CBC", "0123456789abcdef", big) end, 12000)
  under_pressure("hash object", function()
    local h = crypto.new_hash("MD5")
    h:update(big)
    return h:finalize()
  end)
end)

emu.test("sjson, file and node tables built with the heap full", function()
  for name, text in pairs({ ["a.json"] = '{"a":[1,2,3],"b":{"c":"d"}}', ["b.lua"] = "return 42" }) do
    local f = file.open(name, "w")
    f:write(text)
    f:close()
  end
  under_pressure("sjson.encode", function() return sjson.encode({ 1, "two", { three = 3 } }) end)
  under_pressure("sjson.decode", function() return sjson.decode('{"a":[1,2,3],"b":{"c":"d"}}') end)
  under_pressure("file.list", function() return file.list() end)
  under_pressure("file.list pattern", function() return file.list("%.lua$") end)
  under_pressure("file.stat", function() return file.stat("a.json") end)
  under_pressure("file.read", function()
    local f = file.open("a.json", "r")
    local s = f and f:read()
    if f then f:close() end
    return s
  end)
  under_pressure("crypto.fhash", function() return crypto.fhash("SHA1", "a.json") end)
  under_pressure("dofile", function() return dofile("b.lua") end)
  under_pressure("loadfile", function() return loadfile("b.lua") end)
  under_pressure("node.compile", function() return node.compile("b.lua") end)
  under_pressure("node.info", function() return node.info("build_config") end)
  under_pressure("node.task.post", function() node.task.post(function() end) end)
end)

emu.test("wifi, net and tmr objects made with the heap full", function()
  under_pressure("wifi.sta.getconfig", function() return wifi.sta.getconfig(true) end)
  under_pressure("wifi.sta.getconfig (list)", function() return wifi.sta.getconfig() end)
  under_pressure("wifi.sta.getmac", function() return wifi.sta.getmac() end)
  under_pressure("wifi.ap.getmac", function() return wifi.ap.getmac() end)
  under_pressure("wifi.sta.getip", function() return wifi.sta.getip() end)
  under_pressure("wifi.sta.getapinfo", function() return wifi.sta.getapinfo() end)
  under_pressure("wifi.ap.dhcp.config", function() return wifi.ap.dhcp.config({ start = "192.168.4.100" }) end)
  under_pressure("wifi.sta.config", function() return wifi.sta.config({ ssid = "nodemcu-emu", pwd = "emulator", save = false }) end)
  under_pressure("net.ifinfo", function() return net.ifinfo(0) end)
  under_pressure("udp socket", function()
    local u = net.createUDPSocket()
    u:listen(0)
    local port, ip = u:getaddr()
    u:on("receive", function() end)
    u:close()
    return port, ip
  end)
  under_pressure("udp dns", function()
    local u = net.createUDPSocket()
    u:dns("127.0.0.1", function() end)
  end)
  under_pressure("net.dns.resolve", function() net.dns.resolve("127.0.0.1", function() end) end)
  under_pressure("net.dns.getdnsserver", function() return net.dns.getdnsserver(0) end)
  under_pressure("tmr", function()
    local t = tmr.create()
    t:alarm(100, tmr.ALARM_SINGLE, function() end)
    t:unregister()
  end)
  if node.setonerror then  -- 3.x only
    under_pressure("node.setonerror", function() node.setonerror(function() end) end)
    node.setonerror()
  end
  collectgarbage()
end)

emu.test("mqtt clients made, configured and connected with the heap full", function()
  local srv = net.createServer(net.TCP, 30)
  srv:listen(0, function() end)
  local port = srv:getaddr()
  under_pressure("mqtt.Client", function()
    local m = mqtt.Client("id", 60, "user", "pass", 1, 2000)
    m:lwt("will/topic", "gone", 1, 1)
    m:on("message", function() end)
    m:connect("127.0.0.1", port, 0, function() end, function() end)
    m:close()
  end)
  srv:close()
  collectgarbage()
end)

emu.test("the heap squeezes really ran out of memory", function()
  squeeze(0)
  local ok, err = pcall(function() return encoder.toHex(big) end)
  release()
  emu.eq(ok, false)
  emu.contains(err, "not enough memory")
  emu.truthy(checked > 1000, "runs: " .. checked)
end)
