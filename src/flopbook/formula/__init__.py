"""Model kinds declared once: formulas in flopbook's unit expression language, compiled to
NumPy (samples), to Excel (live workbook formulas) and to text (docs and tables).

This package sits in the core layer: it reads :mod:`flopbook.calc`, :mod:`flopbook.inputs`
and :mod:`flopbook.quantity`, and nothing from models, cases, reports, renderers or the CLI.
"""

from flopbook.formula.declaration import (
    Case,
    Constant,
    Form,
    Formula,
    Kind,
    Ratio,
    extensive,
    ratio,
    step,
)

__all__ = ["Case", "Constant", "Form", "Formula", "Kind", "Ratio", "extensive", "ratio", "step"]
