"""The `eligibility` command: thin typer wrappers over the library."""

from __future__ import annotations

from eligibility.cli.app import app

__all__ = ["app"]
