"""The ``tailwatch`` command line: a thin layer over the package.

One module per subcommand, each exposing ``command`` (a click command) and
``main(argv) -> int``. Modules load lazily so ``tailwatch --help`` stays fast and a
subcommand's heavy imports are paid only when it runs.
"""

from __future__ import annotations

import importlib
import importlib.util

import click

from tailwatch.cli._run import run

#: subcommand name -> module that defines it.
SUBCOMMANDS: dict[str, str] = {
    "read": "tailwatch.cli.read",
    "whois": "tailwatch.cli.whois",
    "data": "tailwatch.cli.data",
    "flights": "tailwatch.cli.flights",
    "visits": "tailwatch.cli.visits",
    "trips": "tailwatch.cli.trips",
    "explain": "tailwatch.cli.explain",
    "demo": "tailwatch.cli.demo",
    "watch": "tailwatch.cli.watch",
    "history": "tailwatch.cli.history",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(n for n, m in SUBCOMMANDS.items() if importlib.util.find_spec(m))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = SUBCOMMANDS.get(cmd_name)
        if module is None or importlib.util.find_spec(module) is None:
            return None
        command: click.Command = importlib.import_module(module).command
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tailwatch")
def cli() -> None:
    """tailwatch: take-offs, landings, stays and trips of watched aircraft, with evidence."""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``tailwatch`` console script."""
    return run(cli, argv)


__all__ = ["cli", "main"]
