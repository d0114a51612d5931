"""The HTTP service: one shared Calculator behind a small, stable JSON API (FastAPI on uvicorn)."""
