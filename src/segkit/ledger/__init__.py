"""The ledger at the boundary: reading files, mapping files, the canonical schema, validation.

- :mod:`~segkit.ledger.io`: CSV, Excel, Parquet and DataFrame readers;
- :mod:`~segkit.ledger.mapping`: mapping files (source columns, formats, defaults);
- :mod:`~segkit.ledger.schema`: the canonical tables and their contracts;
- :mod:`~segkit.ledger.validation`: value rules run in the engine;
- :mod:`~segkit.ledger.currency`, :mod:`~segkit.ledger.rates`: a currency per row, converted into
  the functional currency from the export's functional amounts or a rates table;
- :mod:`~segkit.ledger.model`: :class:`Ledger` and :func:`read_ledger`.
"""

from segkit.ledger.mapping import Mapping, load_mapping
from segkit.ledger.model import Ledger, read_ledger

__all__ = ["Ledger", "Mapping", "load_mapping", "read_ledger"]
