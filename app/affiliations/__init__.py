"""Verified affiliations: which "Engineer at X" signatures X's people really made, from GitHub's own data."""
