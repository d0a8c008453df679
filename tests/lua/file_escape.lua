-- args: --host-libs
-- file: no name a script gives, and no link placed in the flash folder, reaches a host file
-- outside --fs DIR. Such names get the device's outcome for a file that is not there.
local dir, outside = require("fixtures.fs.sandbox").enter(function(dir, outside)
  local function sh(cmd) assert(os.execute(cmd) == 0, cmd) end
  sh("printf SECRET > '" .. outside .. ".secret'")
  sh("mkdir '" .. outside .. ".dir'")
  sh("printf INNER > '" .. outside .. ".dir/inner'")
  sh("ln -s '" .. outside .. ".secret' '" .. dir .. "/abs_link'")
  local base = outside:match("[^/]+$")
  sh("ln -s '../" .. base .. ".secret' '" .. dir .. "/rel_link'")
  sh("ln -s '" .. outside .. ".dir' '" .. dir .. "/dir_link'")
  sh("ln -s /etc/passwd '" .. dir .. "/passwd'")
  sh("printf MINE > '" .. dir .. "/mine.txt'")
end, { "--host-libs", "--firmware=3" })  -- io: the checks read host files; 3: get/putcontents
local emu = require "emu"

local base = outside:match("[^/]+$")
local secret = outside .. ".secret"

local function host_read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

-- Names that point outside the folder, by traversal, absolute path or link.
local escapes = {
  "../" .. base .. ".secret", "/FLASH/../" .. base .. ".secret", "abs_link", "rel_link",
  "dir_link/inner", "passwd", "/etc/passwd", "/FLASH/dir_link/inner", "x/../../" .. base .. ".secret",
}

emu.test("open of an escaping name returns nil in every mode", function()
  for _, name in ipairs(escapes) do
    for _, mode in ipairs({ "r", "r+", "a", "a+" }) do
      emu.eq(file.open(name, mode), nil, name .. " mode " .. mode)
    end
  end
end)

emu.test("exists is false and stat nil for escaping names", function()
  for _, name in ipairs(escapes) do
    emu.eq(file.exists(name), false, name)
    if #name <= 31 then emu.eq(file.stat(name), nil, name) end
  end
end)

emu.test("getcontents of an escaping name returns nothing", function()
  for _, name in ipairs(escapes) do
    emu.eq(select("#", file.getcontents(name)), 0, name)
  end
end)

emu.test("list shows no link that points outside", function()
  emu.same(file.list(), { ["mine.txt"] = 4 })
end)

emu.test("writing through a link or a traversal creates and changes nothing outside", function()
  emu.eq(file.open("abs_link", "w"), nil)
  emu.eq(file.putcontents("rel_link", "owned"), nil)
  emu.eq(file.putcontents("dir_link/new.txt", "owned"), nil)
  emu.eq(file.putcontents("../" .. base .. ".new", "owned"), nil)
  emu.eq(file.open("/tmp/" .. base .. ".new", "w"), nil)
  emu.eq(host_read(secret), "SECRET")
  emu.eq(host_read(outside .. ".dir/new.txt"), nil)
  emu.eq(host_read(outside .. ".new"), nil)
end)

emu.test("remove and rename never touch a file outside", function()
  for _, name in ipairs(escapes) do
    file.remove(name)
    emu.eq(file.rename(name, "stolen.txt"), false, name)
  end
  emu.eq(host_read(secret), "SECRET")
  emu.eq(host_read(outside .. ".dir/inner"), "INNER")
  emu.eq(file.rename("mine.txt", "../" .. base .. ".moved"), false)
  emu.eq(file.rename("mine.txt", "dir_link/moved"), false)
  emu.eq(host_read(dir .. "/mine.txt"), "MINE")
  emu.eq(host_read(outside .. ".moved"), nil)
  emu.eq(file.exists("stolen.txt"), false)
end)

emu.test("names with empty or '.' segments are refused like missing files", function()
  for _, name in ipairs({ "./mine.txt", "a//mine.txt", "mine.txt/", ".", "" }) do
    emu.eq(file.open(name), nil, name)
    emu.eq(file.exists(name), false, name)
  end
  emu.eq(file.putcontents("./new.txt", "x"), nil)
end)

emu.test("a leading '/' that is not /FLASH names no file on the flash", function()
  emu.eq(file.open("/mine.txt"), nil)
  emu.eq(file.exists("/mine.txt"), false)
  emu.eq(file.putcontents("/made.txt", "x"), nil)
  emu.eq(host_read("/made.txt"), nil)
end)

emu.test("crypto.fhash cannot read outside either", function()
  emu.raises("file does not exist", function() return crypto.fhash("sha1", "abs_link") end)
  emu.raises("file does not exist", function() return crypto.fhash("sha1", "../" .. base .. ".secret") end)
end)

emu.test("format leaves links' targets alone", function()
  file.format()
  emu.eq(host_read(secret), "SECRET")
  emu.eq(host_read(outside .. ".dir/inner"), "INNER")
end)
