"""``flopbook serve``: a local web app over the same library as the command line.

The workbench opens a scenario of any kind (fleet, training, inference, fund, company) from
a file, a reference case or a link, recomputes it as it is edited, and draws the
distribution and the tornado of any output; the audit page takes a workbook and marks its
findings on its cells; the catalog, the cases and the claim checker are pages too. Every
figure comes from the library (scenario readers, models, :func:`flopbook.report.build_report`,
the renderers, the audit): the web layer only presents them, as the command line does.

It is a presentation layer at the top, beside the command line (see the layer contract in
pyproject.toml); nothing below imports it.
"""

from __future__ import annotations

from flopbook.web.app import create_app
from flopbook.web.server import serve

__all__ = ["create_app", "serve"]
