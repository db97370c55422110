"""Workbook doors: reading submissions into models, writing templates and results (openpyxl)."""
