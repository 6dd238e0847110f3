"""flopbook: AI compute economics, right by construction.

    >>> import flopbook as fb
    >>> fb.q("30k USD/GPU") * fb.q("10k GPU")
    >>> fleet = fb.load_scenario("scenario.yaml"); fleet.run().to_dataframe()
    >>> fb.case("deepseek-semianalysis")

The public names are listed once, in ``__init__.pyi`` (which type checkers read), and each is
imported on first use, so that ``import flopbook`` (and ``flopbook --help``) stay fast: pint,
NumPy and pandas load only when a quantity is first made.
"""

import lazy_loader

from flopbook.version import __version__  # noqa: E402,F401

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
