-- args: --firmware=1
-- The argument checks of node, uart and gpio as 1.5.4.1 words them (fixtures/arg_errors.lua).
require("fixtures.arg_errors")(1)
