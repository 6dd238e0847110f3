"""What every reference case file holds, whatever its kind: a name, a title, a summary, its
sources (cited by key from its checks) and notes. Each runner's file model adds its own
sections to :class:`CaseFileBase`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from flopbook.cases.result import Source


class SourceSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    url: str | None = None
    date: str | None = None


class CaseFileBase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    kind: str
    title: str
    summary: str
    sources: dict[str, SourceSpec]
    notes: list[str] = Field(default_factory=list)

    def source_map(self) -> dict[str, Source]:
        """The sources as :class:`Source` objects, by key."""
        return {k: Source(k, s.title, s.url, s.date) for k, s in self.sources.items()}
