-- node.output and node.input: the device's console (spec/node.md O3).
local emu = require "emu"

emu.async("O3 node.output(fn, 0) diverts print to fn asynchronously; node.output(nil) restores it", function(done)
  local got = {}
  node.output(function(s) got[#got + 1] = s end, 0)
  print("hello", 42)
  local sync = #got
  node.task.post(node.task.LOW_PRIORITY, function()
    node.output(nil)
    emu.check(function()
      emu.eq(sync, 0, "calls before print returned")
      emu.eq(table.concat(got), "hello\t42\n")
    end)
    print("# back on the UART")
    emu.check(function() emu.eq(table.concat(got), "hello\t42\n", "nothing more after restore") end)
    done()
  end)
end)

emu.async("output written in one callback may arrive in one batched call", function(done)
  local got = {}
  node.output(function(s) got[#got + 1] = s end, 0)
  print("one")
  print("two")
  node.task.post(node.task.LOW_PRIORITY, function()
    node.output(nil)
    emu.check(function()
      emu.eq(table.concat(got), "one\ntwo\n")
      emu.eq(#got, 1, "calls")
    end)
    done()
  end)
end)

emu.test("O3 with serial_debug 0 the UART gets nothing; with 1 or none it gets a copy", function()
  local out = emu.run { script = [[
    local seen = {}
    node.output(function(s) seen[#seen + 1] = s end, 0)
    print("hidden")
    node.task.post(node.task.LOW_PRIORITY, function()
      node.output(function(s) seen[#seen + 1] = s end, 1)
      print("echoed")
      node.task.post(node.task.LOW_PRIORITY, function()
        node.output(function(s) seen[#seen + 1] = s end)
        print("echoed by default")
        node.task.post(node.task.LOW_PRIORITY, function()
          node.output(nil)
          print("captured: " .. table.concat(seen):gsub("\n", "|"))
        end)
      end)
    end)
  ]] }
  emu.eq(out, "echoed\nechoed by default\ncaptured: hidden|echoed|echoed by default|\n")
end)

emu.test("a non-numeric serial_debug keeps the UART copy, as on the device", function()
  local out = emu.run { script = [[
    node.output(function() end, "no")
    print("visible")
    node.output(nil)
  ]] }
  emu.eq(out, "visible\n")
end)

emu.test("an error in the output function is a PANIC (2.2.1 calls it with lua_call)", function()
  local out, err, status = emu.run { script = [[
    node.output(function(s) error("sink broke") end, 0)
    print("x")
  ]] }
  emu.eq(status, 1)
  emu.eq(out, "")
  emu.contains(err, "PANIC: unprotected error in call to Lua API (")
  emu.contains(err, "sink broke")
end)

emu.test("under --firmware=3 an error in the output function goes to the onerror handler", function()
  local out, err, status = emu.run { args = { "--firmware=3" }, script = [[
    node.setonerror(function(msg) node.output(nil) print("handled: " .. msg:match("[^\n]*")) end)
    node.output(function(s) error("sink broke") end, 0)
    print("x")
  ]] }
  emu.eq(status, 0, "stderr: " .. err)
  emu.contains(out, "handled: ")
  emu.contains(out, "sink broke")
end)

emu.async("node.input(str) runs str as if typed on the console, later", function(done)
  _G.typed_value = nil
  node.output(function() end, 0)  -- keep the console's prompt out of the test report
  node.input("typed_value = 6 * 7\n")
  emu.eq(typed_value, nil, "ran at once")
  tmr.create():alarm(10, tmr.ALARM_SINGLE, function()
    node.output(nil)
    emu.check(function() emu.eq(typed_value, 42) end)
    done()
  end)
end)

emu.async("node.input accepts a statement spread over several lines", function(done)
  _G.typed_sum = nil
  local got = {}
  node.output(function(s) got[#got + 1] = s end, 0)
  node.input("typed_sum = 0\nfor i = 1, 4 do\n  typed_sum = typed_sum + i\nend\n")
  tmr.create():alarm(10, tmr.ALARM_SINGLE, function()
    node.output(nil)
    emu.check(function()
      emu.eq(typed_sum, 10)
      emu.eq(table.concat(got), "> >> >> > ", "prompts")
    end)
    done()
  end)
end)

emu.async("node.input output and prompt can be captured with node.output", function(done)
  local got = {}
  node.output(function(s) got[#got + 1] = s end, 0)
  node.input("print('from input')\n")
  tmr.create():alarm(10, tmr.ALARM_SINGLE, function()
    node.output(nil)
    emu.check(function() emu.eq(table.concat(got), "from input\n> ") end)
    done()
  end)
end)

emu.test("node.input needs a string", function()
  emu.raises("bad argument #1 to 'input' (string expected, got no value)", function() node.input() end)
end)

emu.test("a console line with an error reports it and the console goes on", function()
  local out, err, status = emu.run { script = [[
    node.input("error('typed error')\nprint('next line')\n")
  ]] }
  emu.eq(status, 0)
  emu.eq(out, "> next line\n> ")
  emu.contains(err, "typed error")
end)

emu.test("print joins its arguments with tabs through tostring", function()
  local out = emu.run { script = [[print(1, nil, true, "a long string of more than sixteen bytes", 2.5)]] }
  emu.eq(out, "1\tnil\ttrue\ta long string of more than sixteen bytes\t2.5\n")
end)

emu.test("print of a value whose __tostring fails raises and prints nothing", function()
  local bad = setmetatable({}, { __tostring = function() error("no text", 0) end })
  local got = {}
  node.output(function(s) got[#got + 1] = s end, 0)
  local ok, err = pcall(print, "a long string of more than sixteen bytes", bad)
  node.output(nil)
  emu.eq(ok, false)
  emu.eq(err, "no text")
  emu.eq(#got, 0, "output calls")
end)

emu.test("print of a value whose __tostring returns no string is an error", function()
  local odd = setmetatable({}, { __tostring = function() return {} end })
  emu.raises("'tostring' must return a string to 'print'", print, odd)
end)
