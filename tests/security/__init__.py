"""Security regressions for issue 18: every finding of the audit, as a test."""
