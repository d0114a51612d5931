"""The `eligibility` typer application: every command named here, in the order help lists them.

Each command is a plain function (or, for `rules`, a typer group) in its own
module; none imports this one. A command's module is imported, and its typer
command built, only when that command is invoked (or help lists them all): a
one-applicant `check` does not pay for importing batch, compare or serve, nor for
typer building their options.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from typing import Any

import typer
from typer.core import TyperGroup

# name -> (module, attribute): a command function, or a typer application of subcommands (listed last, as
# typer lists groups)
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("eligibility.cli.check", "check"),  # the everyday command first
    "compare": ("eligibility.cli.compare", "compare"),
    "batch": ("eligibility.cli.batch", "batch"),
    "test": ("eligibility.cli.cases", "test_cases"),
    "schema": ("eligibility.cli.schema", "schema_command"),
    "serve": ("eligibility.cli.serve", "serve"),
    "rules": ("eligibility.cli.rules", "rules_app"),
}


def build_command(name: str) -> Any:
    """The click command typer makes of one command, as if it were registered on the application."""
    module, attribute = COMMANDS[name]
    target = getattr(importlib.import_module(module), attribute)
    holder = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
    else:
        holder.command(name)(target)
    holder.callback()(_no_options)  # a group, so that the command is found by its name
    return typer.main.get_command(holder).commands[name]  # type: ignore[attr-defined]


def _no_options() -> None:
    """A holder's callback."""


class _Commands(MutableMapping[str, Any]):
    """The commands by name, as a group holds them; a command is built when it is first looked up."""

    def __init__(self) -> None:
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            self._built[name] = build_command(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*COMMANDS, *self._built]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*COMMANDS, *self._built]))

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS or name in self._built


class LazyCommands(TyperGroup):
    """The application's group: its commands (names, help, suggestions) as typer's, each built on first use."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.commands = _Commands()


app = typer.Typer(
    name="eligibility",
    help="Which regional talent incentives an applicant is entitled to, how much, and on which policy sentence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # a bad option is the one line "Error: ..." (with usage above it), not a drawn box
    cls=LazyCommands,
)


@app.callback()
def main() -> None:
    """Regional talent incentives: check one applicant, score a roster, serve HR systems."""
