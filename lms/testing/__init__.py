"""Helpers shared by the tests, the benchmarks and the scan script (not used by the application)."""
