"""Output files every layer may write: result tables and workbooks a user's data cannot break.

- :mod:`~segkit.output.export`: :func:`~segkit.output.export.write_table`, one table as CSV,
  Excel or Parquet chosen by extension;
- :mod:`~segkit.output.workbook`: formatted sheets (:func:`~segkit.output.workbook.add_sheet`);
- :mod:`~segkit.output.safe`: no live formulas, amounts rounded to the currency, the same bytes
  for the same table, files that appear whole.

It sits below the concepts, the studies and the reports, so that each of them writes files the
same way; it imports only :mod:`segkit.checks`, :mod:`segkit.text` and the exceptions.
"""
