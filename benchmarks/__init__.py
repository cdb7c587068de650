"""Performance scripts, run by `make bench` (not by the test suite)."""
