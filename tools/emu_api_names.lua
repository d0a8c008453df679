-- Prints the names the emulator exposes for one module (arg MOD via emu.getenv
-- is unavailable in -e, so the module name is the global EMU_MOD set by -e).
local mod = EMU_MOD
local out = {}
local function walk(t, prefix, depth)
  for k, v in pairs(t) do
    if type(k) == "string" and k:sub(1, 2) ~= "__" then
      if type(v) == "table" and depth < 2 then walk(v, prefix .. k .. ".", depth + 1)
      else out[#out + 1] = prefix .. k end
    end
  end
end
local function methods(obj, tag)
  local mt = obj and getmetatable(obj)
  local idx = mt and mt.__index
  if type(idx) ~= "table" then return end
  for k in pairs(idx) do
    if type(k) == "string" and k:sub(1, 2) ~= "__" then out[#out + 1] = "<" .. tag .. ">:" .. k end
  end
end
walk(_G[mod], "", 0)
local function try(f, ...) local ok, r = pcall(f, ...) if ok then return r end end
if mod == "file" then
  local f = try(file.open, "aud.tmp", "w") methods(f, "file_obj") if f then f:close() file.remove("aud.tmp") end
elseif mod == "tmr" then methods(tmr.create(), "tmr_dyn")
elseif mod == "net" then
  methods(net.createConnection(net.TCP), "net_tcpsocket")
  methods(net.createServer(net.TCP), "net_tcpserver")
  if net.createUDPSocket then methods(net.createUDPSocket(), "net_udpsocket") end
elseif mod == "sjson" then methods(sjson.encoder({}), "encoder") methods(sjson.decoder(), "decoder")
elseif mod == "crypto" and crypto.new_hash then methods(crypto.new_hash("SHA1"), "hash")
end
table.sort(out)
print(table.concat(out, "\n"))
