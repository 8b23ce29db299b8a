"""Run a click command in process and turn errors into one clear line and an exit code."""

from __future__ import annotations

import sys

import click

from tailwatch.errors import InputError, TailwatchError

EXIT_OK = 0
EXIT_FAILURE = 1  # the run went on but something could not be done (e.g. a bad file)
EXIT_USAGE = 2  # bad arguments or bad input the user must fix


def run(command: click.Command, argv: list[str] | None) -> int:
    """Invoke ``command`` with ``argv`` (default ``sys.argv[1:]``), never raising.

    Commands return an ``int`` exit code (or ``None`` for success). A
    :class:`~tailwatch.errors.TailwatchError` becomes ``error: <message>`` on
    stderr, without a traceback.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        result = command.main(args=args, prog_name="tailwatch", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return EXIT_FAILURE
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except InputError as exc:
        click.echo(f"error: {exc}", err=True)
        return EXIT_USAGE
    except TailwatchError as exc:
        click.echo(f"error: {exc}", err=True)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130
    if isinstance(result, int):
        return result
    return EXIT_OK
