"""Run a connector from the command line, without Dagster.

    python -m connectors sync <source> --warehouse /abs/path/warehouse.duckdb [--streams a,b]
                                       [--mode incremental|full_refresh] [--verbose]

Sources: hubspot, mailchimp, meta_ads, social, google_ads, segment. Credentials and settings come from the environment
(docs/configuration.md).
"""

from __future__ import annotations

import argparse
import logging
import sys

from connectors.core.errors import ConnectorError
from connectors.raw.store import RawStore
from connectors.registry import SOURCES, connector_from_env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m connectors", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sync = sub.add_parser("sync", help="sync one source into the warehouse's raw layer")
    sync.add_argument("source", choices=sorted(SOURCES))
    sync.add_argument("--warehouse", required=True, help="path of the DuckDB warehouse file")
    sync.add_argument("--streams", help="comma-separated stream names (default: all)")
    sync.add_argument("--mode", choices=("incremental", "full_refresh"), default="incremental")
    sync.add_argument("--quiet", action="store_true", help="only warnings and the final line")
    sync.add_argument("--verbose", action="store_true", help="a progress line after every committed page")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    streams = [s.strip() for s in args.streams.split(",")] if args.streams else None
    try:
        with connector_from_env(args.source) as connector, RawStore(args.warehouse, args.source) as store:
            results = connector.sync(
                store,
                streams,
                mode=args.mode,
                progress=None if args.quiet else lambda line: print(line, flush=True),
                progress_every_s=0.0 if args.verbose else 5.0,
            )
    except ConnectorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    total = sum(r.records for r in results)
    quarantined = sum(r.quarantined for r in results)
    print(
        f"synced {total} records from {len(results)} streams into {args.warehouse}"
        + (f"; {quarantined} quarantined (see raw_{args.source}._quarantine)" if quarantined else "")
    )
    for r in results:
        if r.status == "partial":
            # Not an error: the data up to the bad page is in, and the next sync retries that page.
            print(f"partial: {args.source}.{r.stream}: {r.error}", file=sys.stderr)
        elif r.status == "unavailable":
            # Not an error either: the account does not offer the stream (the note says what replaces it).
            print(f"unavailable: {args.source}.{r.stream}: {r.note}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
