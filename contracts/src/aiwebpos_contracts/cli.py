"""`aiwebpos-contracts schemas DIR`: regenerate the checked-in JSON Schema files."""

import argparse
from pathlib import Path

from aiwebpos_contracts.schema import write_schemas


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="aiwebpos-contracts", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    schemas = sub.add_parser("schemas", help="write the JSON Schema of the envelope and every event")
    schemas.add_argument("directory", type=Path, nargs="?", default=Path("contracts/schemas"))
    args = parser.parse_args(argv)
    for path in write_schemas(args.directory):
        print(path)


if __name__ == "__main__":
    main()
