"""The landing layer: validated signatures reach the default branch exactly once, in batches."""
