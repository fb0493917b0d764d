"""The `monitor` command: one subcommand per module, each with NAME, HELP, add_arguments and run."""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from monitor.cli.common import exit_code_of

#: Subcommand modules, in the order `monitor --help` lists them.
COMMANDS = [
    "monitor.cli.import_cmd",
    "monitor.cli.extract_cmd",
    "monitor.cli.export_cmd",
    "monitor.cli.candidates_cmd",
    "monitor.cli.pin_cmd",
    "monitor.cli.exclude_cmd",
    "monitor.cli.outlets_cmd",
    "monitor.cli.crawl_cmd",
    "monitor.cli.run_cmd",
    "monitor.cli.worker_cmd",
    "monitor.cli.runs_cmd",
    "monitor.cli.trace_cmd",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="monitor",
        description="Health-informatization news monitoring: crawl outlets, store articles in MongoDB, "
                    "export report issues.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMANDS:
        module = importlib.import_module(module_name)
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(handler=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    from monitor.config_schema import validate_config

    args = build_parser().parse_args(argv)
    try:
        # Every command starts from a valid spiders_config/ (the error names file, key and problem).
        validate_config()
        return args.handler(args)
    except BrokenPipeError:
        # The reader went away (`monitor candidates ... | head`): stop quietly, as a shell tool would.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as e:
        exit_code = exit_code_of(e)
        if exit_code is None:
            raise
        print(f"monitor {args.command}: error: {e}", file=sys.stderr)
        return exit_code
    except KeyboardInterrupt:
        print(f"monitor {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
