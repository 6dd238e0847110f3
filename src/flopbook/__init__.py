"""flopbook: AI compute economics, right by construction.

    >>> import flopbook as fb
    >>> fb.q("30k USD/GPU") * fb.q("10k GPU")
    >>> fleet = fb.load_scenario("scenario.yaml"); fleet.run().to_dataframe()
    >>> fb.case("deepseek-semianalysis")

The public names are listed once, in ``__init__.pyi`` (which type checkers read), and each is
imported on first use, so that ``import flopbook`` (and ``flopbook --help``) stay fast: pint,
NumPy and pandas load only when a quantity is first made.
"""

import importlib

import lazy_loader

from flopbook.version import __version__  # noqa: E402,F401

_attribute, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)


def __getattr__(name: str) -> object:
    # The audit package is itself callable (flopbook.audit(path) runs the audit), so it is
    # what flopbook.audit names: a function there would hide the package from
    # `import flopbook.audit.workbook as workbook`.
    if name == "audit":
        return importlib.import_module("flopbook.audit")
    return _attribute(name)
