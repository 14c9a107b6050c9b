"""Benchmarks: speed and memory of mockloop's hot paths as ratios to baselines measured in
the same run (`make bench`). Never timed assertions in the test suite."""
