"""``python -m segkit`` runs the command line."""

from segkit.cli import app

app(prog_name="segkit")
