-- args: --firmware=2
-- The argument checks of node, uart and gpio as 2.2.1 words them (fixtures/arg_errors.lua).
require("fixtures.arg_errors")(2)
