"""Command line of the assistant: `python -m bot <command> ...` (see `--help`).

Every process of the assistant starts here (Rasa, the action server, the gateway, the
database commands): the settings are checked for the process first (`bot.settings`), and
the log filter (`bot.log_privacy`) is installed before anything logs.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bot import log_privacy
from bot.settings import settings_for_startup

# Each module exposes `register(subparsers)`, adding its commands with a `handler`
# default that takes the parsed arguments and returns the exit code.
COMMAND_MODULES = (
    "bot.assistant",
    "bot.servers",
    "bot.cluster",
    "bot.admin.cli",
    "bot.admin.feed_cli",
    "bot.channels.cli",
    "bot.console.cli",
)
# Which secrets a command needs before it may start (see bot.settings.startup_problems).
PROCESS_OF_COMMAND = {
    "actions": "actions",
    "rasa": "rasa",
    "gateway": "gateway",
    "seed": "database",
    "survey": "database",
    "db": "database",
    "dossiers": "database",
    "notify": "database",
    "console": "database",
    "staff": "database",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Trợ lý thủ tục hành chính")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    settings = settings_for_startup(PROCESS_OF_COMMAND.get(arguments.command, ""))
    log_privacy.install(settings.secrets())
    return int(arguments.handler(arguments) or 0)


if __name__ == "__main__":
    sys.exit(main())
