"""Tests of the GitHub simulator itself."""
