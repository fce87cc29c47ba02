"""End-to-end tests: the service over real HTTP against the GitHub simulator."""
