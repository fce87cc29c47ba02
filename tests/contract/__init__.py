"""Contract tests: the simulator and the service against GitHub's published REST and webhook descriptions."""
