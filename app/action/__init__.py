"""The GitHub Action: one event in, its jobs run to completion in one process, with no state outside GitHub."""
