"""A name in Chinese and English: every word the calculator shows exists in both."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Names(BaseModel):
    """A name in Chinese and English."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    zh: str
    en: str
