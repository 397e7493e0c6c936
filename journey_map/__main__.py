"""Build the journey map by hand: ``python -m journey_map --serving FILE --out FILE [--design FILE]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from journey_map import DEFAULT_DESIGN_PATH, build_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--serving", type=Path, required=True, help="the serving DuckDB file")
    parser.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    parser.add_argument("--design", type=Path, default=DEFAULT_DESIGN_PATH, help="designed journeys (YAML)")
    args = parser.parse_args(argv)
    result = build_report(args.serving, args.out, args.design)
    print(f"{result.path} ({result.bytes / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
