"""Webhook handlers: one module per event family, each registering on a router."""
