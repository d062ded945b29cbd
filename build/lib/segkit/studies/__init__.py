"""One folder per study notebook, holding the helpers and texts that notebook calls:
:mod:`~segkit.studies.segmentation`, :mod:`~segkit.studies.credit_risk` and
:mod:`~segkit.studies.market`; :mod:`~segkit.studies.paths` resolves data paths from the project
root so the notebooks run the same from any folder.
"""
