"""undersigned's test suite."""
