-- The console tests' init.lua: proves --boot runs it at every power-on on the --serial pty.
boots = (rtcmem and rtcmem.read32(0) or 0) + 1
if rtcmem then rtcmem.write32(0, boots) end
print("init.lua ran, boot " .. boots)
