"""What every reference case file holds, whatever its kind: a name, a title, a summary, its
sources (cited by key from its checks) and notes. Each runner's file model adds its own
sections to :class:`CaseFileBase`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from flopbook.cases.result import CaseResult, Source
from flopbook.errors import InputError

if TYPE_CHECKING:
    from flopbook.scenario import Document


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
    # what the case concludes, in words, with {checks[i].ratio:.1f}-style figures: the last
    # line of the case ("the claim is off by 2.8x"), not only whether checks passed
    conclusion: str

    def source_map(self) -> dict[str, Source]:
        """The sources as :class:`Source` objects, by key."""
        return {k: Source(k, s.title, s.url, s.date) for k, s in self.sources.items()}


class CheckMeta(BaseModel):
    """What every case check says about itself: its category (see CHECK_CATEGORIES) and, for
    a test, why its tolerance is as wide as it is."""

    category: Literal["reproduction", "restatement", "consistency"]
    tolerance_reason: str | None = None

    @model_validator(mode="after")
    def _tolerance_has_a_reason(self) -> CheckMeta:
        if getattr(self, "tolerance", None) is not None and not self.tolerance_reason:
            raise ValueError("a tolerance needs tolerance_reason: why it is that wide")
        return self


def conclude(out: CaseResult, doc: Document) -> CaseResult:
    """``out`` with the case file's conclusion, checked now so that a bad field is an error at
    the conclusion's line rather than when the case is printed."""
    out.conclusion_template = str(doc.data.get("conclusion", ""))
    try:
        out.conclusion  # noqa: B018 - formatting it is the check
    except (IndexError, AttributeError, KeyError, ValueError) as exc:
        raise doc.error(
            InputError(
                f"cannot fill in the conclusion ({exc})",
                hint="use fields such as {checks[0].ratio:.1f} or {checks[1].model_m:,.0f}",
            ),
            ("conclusion",),
        ) from None
    return out
