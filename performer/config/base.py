"""The base of every file schema (rigs, scenes, shows, gallery hours)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Base for file schemas: unknown fields are errors and values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)
