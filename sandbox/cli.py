"""``python -m sandbox {serve,manifest,load,web-export}``."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from datetime import date, datetime
from pathlib import Path

from sandbox.world.config import WorldConfig


def _world_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--people", type=int, default=500)
    p.add_argument("--days", type=int, default=90)
    p.add_argument("--start-date", type=date.fromisoformat, default=date(2026, 1, 1))
    p.add_argument(
        "--now",
        type=datetime.fromisoformat,
        default=None,
        help="world clock (ISO, UTC); default start-date + days",
    )


def _config(args: argparse.Namespace) -> WorldConfig:
    return WorldConfig(seed=args.seed, people=args.people, days=args.days, start_date=args.start_date)


def _write_env_file(path: str, values: dict[str, str]) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    os.replace(tmp, target)


def cmd_serve(args: argparse.Namespace) -> int:
    from sandbox.server.faults import FaultPlan
    from sandbox.testing import start_sandbox
    from sandbox.world.world import World

    stop = threading.Event()

    def _stop(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    world = World(_config(args), now=args.now)
    faults = None
    if args.fault_rate:
        faults = FaultPlan(rate=args.fault_rate, kinds=tuple(args.fault_kinds), seed=args.fault_seed)
    export: str | Path | bool = True
    if args.segment_export:
        export = args.segment_export
    elif args.env_file:  # beside the env file, so it outlives the process like the env file does
        export = Path(args.env_file).parent / "segment-export"
    handle = start_sandbox(
        world,
        token=args.token,
        fault_plan=faults,
        port=args.port,
        host=args.host,
        segment_export=export,
        segment_bad_line_rate=args.segment_bad_line_rate,
    )
    try:
        for name, vendor in handle.vendors.items():
            print(f"{name} {vendor.base_url}", flush=True)
        if handle.segment_dir is not None:
            print(f"segment {handle.segment_dir}", flush=True)
        if args.env_file:
            _write_env_file(args.env_file, handle.env())
        stop = threading.Event()

        def _stop(signum, frame):
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        while not stop.wait(0.5):
            pass
    finally:
        handle.close()
    return 0


def cmd_manifest(args: argparse.Namespace) -> int:
    from sandbox.world.world import World

    world = World(_config(args), now=args.now)
    m = world.write_manifest(args.out)
    print(
        f"wrote {len(m.persons)} persons, {len(m.records)} records, {len(m.stages)} stage rows, "
        f"{len(m.web_identities)} web identities, {len(m.sessions)} sessions to {args.out}"
    )
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from sandbox.loader import ALL_SOURCES, load_world

    cfg = _config(args)
    vendors = tuple(args.vendors) if args.vendors else ALL_SOURCES

    def progress(i: int, n: int) -> None:
        print(f"  {i}/{n} people", file=sys.stderr, flush=True)

    results = load_world(
        args.warehouse,
        cfg,
        now=args.now,
        page_size=args.page_size,
        vendors=vendors,
        progress=progress if cfg.people >= 20000 else None,
    )
    total = 0
    for source, result in results.items():
        for stream, n in result.rows.items():
            print(f"raw_{source}.{stream}: {n}")
        total += result.total
    first = next(iter(results.values()))
    print(f"{total} rows as of {first.now} (sync_id {first.sync_id})")
    if args.manifest:
        from sandbox.world.world import World

        World(cfg, now=args.now).write_manifest(args.manifest)
        print(f"manifest written to {args.manifest}")
    return 0


def cmd_web_export(args: argparse.Namespace) -> int:
    from sandbox.world.world import World

    world = World(_config(args), now=args.now)
    export = world.segment_export(args.out, bad_line_rate=args.bad_line_rate)
    print(
        f"wrote {len(export.written)} files ({len(export.bad_lines)} bad lines) as of {world.now.isoformat()} to "
        f"{args.out}/segment-logs/{export.source_id}/"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the vendor API servers until SIGTERM/SIGINT")
    _world_flags(s)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=0, help="HubSpot port (0 = a free port)")
    s.add_argument(
        "--env-file",
        default=None,
        help="write every vendor's base URL and credentials (and the world's dates) here when ready",
    )
    s.add_argument("--token", default="sandbox-hubspot-token")
    s.add_argument("--fault-rate", type=float, default=0.0)
    s.add_argument(
        "--fault-kinds",
        nargs="+",
        default=["429_retry_after", "429", "500", "502", "503"],
        help="subset of 429_retry_after 429 500 502 503 slow cut apply_then_500 meta_rate_limit google_quota",
    )
    s.add_argument("--fault-seed", type=int, default=0)
    s.add_argument(
        "--segment-export",
        default=None,
        help="folder for the Segment export files (default: segment-export beside --env-file, else a temporary one)",
    )
    s.add_argument("--segment-bad-line-rate", type=float, default=0.0, help="corrupt lines per line (default 0)")
    s.set_defaults(func=cmd_serve)

    m = sub.add_parser(
        "manifest",
        help="write the ground-truth manifest (persons, records, stages, web_identities, sessions .csv)",
    )
    _world_flags(m)
    m.add_argument("--out", required=True)
    m.set_defaults(func=cmd_manifest)

    ld = sub.add_parser("load", help="write every vendor's view of the world straight into the raw tables (no HTTP)")
    _world_flags(ld)
    ld.add_argument(
        "--vendors",
        nargs="+",
        default=None,
        help="subset of hubspot mailchimp meta_ads social google_ads hubspot_web segment typeform trustpilot "
        "google_business (default: all; hubspot_web is raw_hubspot.web_events)",
    )
    ld.add_argument("--warehouse", required=True)
    ld.add_argument("--page-size", type=int, default=5000)
    ld.add_argument("--manifest", default=None, help="also write the manifest into this directory")
    ld.set_defaults(func=cmd_load)

    we = sub.add_parser("web-export", help="write the Segment export files (segment-logs/...) into a folder")
    _world_flags(we)
    we.add_argument("--out", required=True)
    we.add_argument("--bad-line-rate", type=float, default=0.0, help="corrupt lines per line (default 0)")
    we.set_defaults(func=cmd_web_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return args.func(args)
