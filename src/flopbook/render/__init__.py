"""Renderers: results -> tables, JSON, CSV, workbooks, HTML. A renderer never computes."""
