"""Moved to :mod:`flopbook.files` (below the audit, which writes its recomputed workbook
with it); kept so that existing imports keep working."""

from flopbook.files import SUFFIXES, Outputs, check_folder, check_target, write_atomically  # noqa: F401
