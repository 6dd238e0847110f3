"""docs/funding.md and the code do not drift apart."""

import re

from conftest import ROOT
from flopbook.models.funding import COMMON_FIELDS, COMPANY_FIELDS, FUND_FIELDS
from flopbook.models.funding_verdict import thresholds
from flopbook.payer_file import CompanyFile, FundFile

DOC = (ROOT / "docs" / "funding.md").read_text()
# the field tables, without the formula tables generated from the declarations
FIELDS = re.sub(r"<!-- formulas of .*?<!-- end of the formulas of \w+ -->", "", DOC, flags=re.S)


def row(name: str) -> str:
    return next(line for line in FIELDS.splitlines() if line.startswith(f"| `{name}`"))


def test_every_payer_field_is_documented_with_its_example():
    for specs in (COMMON_FIELDS, FUND_FIELDS, COMPANY_FIELDS):
        for name, spec in specs.items():
            if name == "amount":  # a key inside funding_rounds
                assert spec.example in row("funding_rounds")
                continue
            assert spec.example in row(name), name
    for model in (FundFile, CompanyFile):
        for name in model.model_fields:
            assert f"`{name}`" in DOC, name


def test_every_threshold_is_stated_with_its_reason():
    for band in thresholds().bands:
        assert f"| {band.words} |" in DOC


def test_every_option_is_documented():
    for option in ("--fleet", "--only", "--capex", "--year", "--fx", "--format", "--samples"):
        assert f"`{option}" in DOC, option
