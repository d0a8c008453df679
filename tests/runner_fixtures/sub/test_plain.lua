-- Fixture for tests/cli/test_runner.sh: a script without emu cases passes by running to the end.
assert(tmr.ALARM_SINGLE == 0)
