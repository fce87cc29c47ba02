"""The review layer: evaluate a PR with the rules and report the verdict (check run, comment, labels)."""
