"""Tests of the pure rules engine, the repo config and the offline CLI."""
