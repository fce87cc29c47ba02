"""Security regressions (issue 18): every finding of the audit, as a test, end to end where it was found end to end."""
