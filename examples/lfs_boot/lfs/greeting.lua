-- A module that lives in the LFS.
return function(who) return "hello " .. who .. ", from LFS (image of " .. node.LFS.time .. ")" end
