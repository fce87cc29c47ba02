"""The worker layer: one dispatcher turns a job into a context and runs review or landing on it."""
