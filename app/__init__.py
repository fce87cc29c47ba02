"""undersigned: a GitHub App that gathers open-letter signatures through pull requests."""
