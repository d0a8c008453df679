-- args: --firmware=3
-- Spot checks of docs/firmware-coverage.md for 3.0: crypto's encoders are gone (encoder has
-- them), and what a stock 3.0 build registers for node, file and tmr is there.
local emu = require "emu"

emu.test("crypto.toHex/toBase64 are encoder's at 3.0", function()
  emu.eq(crypto.toHex, nil)
  emu.eq(crypto.toBase64, nil)
  emu.eq(encoder.toHex("\1\171"), "01ab")
end)

emu.test("a stock 3.0 build's node, file and tmr names are all there", function()
  for _, n in ipairs({ "bootreason", "chipid", "compile", "dsleep", "dsleepMax", "flashid", "flashindex",
                       "flashreload", "flashsize", "getcpufreq", "getpartitiontable", "heap", "info",
                       "input", "output", "random", "restart", "restore", "setcpufreq", "setonerror",
                       "setpartitiontable", "sleep", "startup", "startupcommand", "stripdebug" }) do
    emu.eq(type(node[n]), "function", "node." .. n)
  end
  for _, n in ipairs({ "get", "list", "reload" }) do emu.eq(type(node.LFS[n]), "function", "node.LFS." .. n) end
  for _, n in ipairs({ "getcontents", "putcontents", "stat", "fsinfo", "on", "list" }) do
    emu.eq(type(file[n]), "function", "file." .. n)
  end
  for _, n in ipairs({ "ccount", "create", "delay", "now", "softwd", "time", "wdclr" }) do
    emu.eq(type(tmr[n]), "function", "tmr." .. n)
  end
  -- TIMER_SUSPEND_ENABLE is off in a stock build
  emu.eq(tmr.suspend_all, nil)
end)
