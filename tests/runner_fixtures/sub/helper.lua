-- Fixture for tests/cli/test_runner.sh: not a test file (neither *_spec.lua nor test_*.lua).
error("the runner must not run this file")
