"""The jobs layer: the Job type, the durable queue, and the small shared store with its key scheme."""
