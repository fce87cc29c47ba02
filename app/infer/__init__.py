"""Infer a letter's config from the letter itself (`undersigned init`, the onboarding PR). Pure: texts in."""
