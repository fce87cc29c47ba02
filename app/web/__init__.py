"""The web layer: the FastAPI app factory and webhook intake."""
