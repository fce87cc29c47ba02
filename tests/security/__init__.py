"""Security regressions (issue 18): every finding, end to end through the simulator over real HTTP."""
