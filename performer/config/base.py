"""The base of every file schema (rigs, scenes, shows, gallery hours)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Base for file schemas: unknown fields are errors, numbers finite and values immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
