-- Booting from LFS under --firmware=3: the first boot loads the image and restarts, later boots
-- run from it. Build and run (from the repository root):
--   mkdir -p /tmp/flash && cp examples/lfs_boot/init.lua /tmp/flash/
--   build/nodemcu-emu --make-lfs /tmp/flash/lfs.img examples/lfs_boot/lfs
--   build/nodemcu-emu --firmware=3 --lfs-size 0x20000 --boot --fs /tmp/flash
-- Or skip the image: build/nodemcu-emu --firmware=3 --lfs examples/lfs_boot/lfs examples/lfs_boot/init.lua
if not node.flashindex("_init") then
  print("no LFS image yet: " .. (node.LFS.reload("lfs.img") or "loaded, restarting"))
  return
end
node.flashindex("_init")()
print(require("greeting")("world"))
print("LFS modules: " .. table.concat(node.LFS.list(), ", "))
