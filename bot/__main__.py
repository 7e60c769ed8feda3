"""Command line of the assistant: `python -m bot <command> ...` (see `--help`)."""
from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

# Each module exposes `register(subparsers)`, adding its commands with a `handler`
# default that takes the parsed arguments and returns the exit code.
COMMAND_MODULES = ("bot.assistant", "bot.db.cli", "bot.channels.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Trợ lý thủ tục hành chính")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    return int(arguments.handler(arguments) or 0)


if __name__ == "__main__":
    sys.exit(main())
