-- Installs the LFS loader so that require finds LFS modules (as 3.0's lua_examples/lfs/_init.lua).
package.loaders[3] = function(name)
  return node.LFS.get(name) or ("\n\tno LFS module '" .. name .. "'")
end
