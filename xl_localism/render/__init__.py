"""How a sheet is written, apart from what it shows.

What a sheet shows is decided as plain data: :class:`xl_localism.layout.SheetLayout` (Summary and
Flags in :mod:`xl_localism.layout`; the national report's sheets in
:mod:`xl_localism.batch.national`). A renderer only translates a layout into one library's calls:

* :mod:`xl_localism.render.xlsxwriter`: every new workbook (feedback workbooks, the national and
  trend reports). The template is also written by XlsxWriter, directly, in
  :mod:`xl_localism.workbook.template`, as it needs formulas, validations and defined names.
* :mod:`xl_localism.render.openpyxl`: results drawn into a copy of a trust's own workbook
  (``xl-localism score --write-summary``), the one case where an existing file is opened.
* :mod:`xl_localism.workbook.xlwings_render`: the open workbook, inside Excel.
* :mod:`xl_localism.render.docx`: the Position Statement as a Word document, from the statement
  model of :mod:`xl_localism.position_statement`, the same one the worksheet draft is drawn from.
"""
