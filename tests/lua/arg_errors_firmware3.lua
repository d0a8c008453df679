-- args: --firmware=3
-- The argument checks of node, uart and gpio as 3.0 words them (fixtures/arg_errors.lua).
require("fixtures.arg_errors")(3)
