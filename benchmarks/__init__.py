"""`make bench`: performance and accuracy figures, run as `python -m benchmarks.<name>`."""
