"""Benchmarks for a practice of realistic size (issue 18). Not production code,
not part of the test suite: ``scripts/bench-data`` generates the practice,
``bench/run`` measures it. See docs/performance.md."""
