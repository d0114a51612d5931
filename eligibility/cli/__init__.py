"""The `eligibility` command: thin typer wrappers over the library."""

from __future__ import annotations

import os

# A command-line run loads no pydantic plugins: discovering them scans every
# installed distribution's entry points (~15 ms of a ~0.25 s `check`). A user who
# sets the variable keeps their choice; the library itself never touches it.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from eligibility.cli.app import app

__all__ = ["app"]
