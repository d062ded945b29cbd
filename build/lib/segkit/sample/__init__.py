"""The seeded synthetic ledger behind ``data/sample/``: customers with firmographics
(:mod:`~segkit.sample.customers`), invoices, credit notes and payments
(:mod:`~segkit.sample.transactions`), assembled and written by :mod:`~segkit.sample.generator`.
"""

from segkit.sample.generator import SIZE_CLASSES, sample_ledger, write_sample

__all__ = ["SIZE_CLASSES", "sample_ledger", "write_sample"]
