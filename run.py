#!/usr/bin/env python3
"""Command line: `python run.py` serves the gateway; other commands train and evaluate."""
from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import logging
import os
import sys
from pathlib import Path

DEFAULT_CONFIG = "config.toml"


def serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from gateway import logs
    from gateway import settings as settings_module
    from gateway.app import create_app

    try:
        settings = _settings(args)
    except settings_module.SettingsError as exc:
        print(f"配置错误 / configuration error: {exc}", file=sys.stderr)
        return 2
    logs.setup(settings.logging.level, settings.logging.format)
    try:
        app = create_app(settings)
    except Exception as exc:  # a broken data file: say which and stop
        print(f"启动失败 / cannot start: {exc}", file=sys.stderr)
        return 2
    # A busy gateway keeps thousands of objects alive across awaits, so the default
    # collector ran every 700 allocations and cost ~15% of intake; collecting the
    # youngest generation every 20,000 still frees short-lived cycles promptly.
    gc.set_threshold(20_000, 20, 20)
    app.on_startup.append(_freeze_loaded_objects)  # runs after the start-up contexts
    logging.getLogger("gateway").info(
        "gateway listening on http://%s:%d (data in %s)",
        settings.server.host, settings.server.port, settings.data_dir)
    web.run_app(app, host=settings.server.host, port=settings.server.port, print=None,
                access_log=None, handle_signals=True, loop=new_event_loop())
    return 0


async def _freeze_loaded_objects(app) -> None:
    """The stages, taxonomy and grid registry (~300,000 objects) live as long as the
    process; a full collection walked them all (~90 ms, a latency spike every few seconds
    under load). Frozen, the collector skips them."""
    gc.collect()
    gc.freeze()


async def _with_store(args: argparse.Namespace, work) -> int:
    """Run `work(store)` against the gateway's database (the gateway may be running)."""
    from gateway.app import make_store

    settings = _settings(args)
    store = make_store(settings)
    await store.open()
    try:
        return await work(store)
    finally:
        await store.close()


def export_labels(args: argparse.Namespace) -> int:
    """Operators' confirmations and corrections as labelled JSONL for `train`."""
    from gateway.console import export_labels as export

    async def work(store) -> int:
        count = await export(store, args.out)
        print(f"wrote {count} labelled examples to {args.out}")
        return 0

    return asyncio.run(_with_store(args, work))


def create_operator(args: argparse.Namespace) -> int:
    from gateway.console import create_operator as create
    from gateway.errors import Refusal

    password = os.environ.get("GATEWAY_OPERATOR_PASSWORD") or getpass.getpass("密码 / password: ")

    async def work(store) -> int:
        try:
            operator = await create(store, args.username, password, role=args.role,
                                    display_name=args.name, seat_id=args.seat)
        except Refusal as exc:
            print(f"未创建 / not created: {exc.message}", file=sys.stderr)
            return 2
        print(f"created {operator['role']} {operator['username']}")
        return 0

    return asyncio.run(_with_store(args, work))


def retry_failed(args: argparse.Namespace) -> int:
    """Reports set aside after repeated faults: list them, or put them back in the sweep."""

    async def work(store) -> int:
        failed = await store.failed_intakes()
        if args.list:
            for row in failed:
                print(f"{row['id']}\t{row['channel']}\t{row['external_id']}\t{row['received_at']}"
                      f"\t{row['attempts']}\t{row['last_error']}")
            print(f"{len(failed)} report(s) set aside")
            return 0
        count = await store.retry_failed(args.intake)
        print(f"{count} report(s) back in the sweep (the running gateway files them within "
              "[pipeline].recovery_interval_s)")
        return 0 if count or not failed else 1

    return asyncio.run(_with_store(args, work))


def import_registry(args: argparse.Namespace) -> int:
    """Grid polygons (GeoJSON), addresses and POIs (CSV) → the registry JSON the locator reads."""
    from classifiers.locate.registry import DEFAULT_REGISTRY, RegistryError
    from classifiers.locate.registry_import import DEMO_SOURCES, import_registry, write_registry

    args.out = args.out or DEFAULT_REGISTRY
    source = Path(args.source) if args.source else DEMO_SOURCES
    grids = Path(args.grids) if args.grids else source / "grids.geojson"
    addresses = Path(args.addresses) if args.addresses else source / "addresses.csv"
    pois = Path(args.pois) if args.pois else source / "pois.csv"
    try:
        data = import_registry(grids, addresses if args.addresses or addresses.exists() else None,
                               pois if args.pois or pois.exists() else None,
                               name=args.name or "", version=args.version or "",
                               position_tolerance_m=args.position_tolerance_m,
                               area_tolerance_m2=args.area_tolerance_m2)
    except RegistryError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"未导入 / not imported: {len(exc.problems)} problem(s) listed above; "
              f"{args.out} is unchanged", file=sys.stderr)
        return 2
    write_registry(data, args.out)
    n_roads = sum(len(g["roads"]) for g in data["grids"])
    n_houses = sum(len(r.get("houses", {})) for g in data["grids"] for r in g["roads"])
    n_buildings = sum(len(c["buildings"]) for g in data["grids"] for c in g["compounds"])
    print(f"wrote {args.out}: {len(data['grids'])} grids, {n_roads} road segments "
          f"({n_houses} houses with positions), "
          f"{sum(len(g['compounds']) for g in data['grids'])} compounds ({n_buildings} buildings), "
          f"{sum(len(g['landmarks']) for g in data['grids'])} POIs")
    return 0


REPLAY_CHANNELS = {"board": "channels.board"}


def replay(args: argparse.Namespace) -> int:
    """Feed a file of messages with their own times through the intake path."""
    import importlib

    from gateway import logs
    from gateway import settings as settings_module
    from gateway.app import create_app
    from gateway.replay import replay as run_replay

    try:
        settings = _settings(args)
    except settings_module.SettingsError as exc:
        print(f"配置错误 / configuration error: {exc}", file=sys.stderr)
        return 2
    path = Path(args.file)
    if not path.is_file():
        print(f"找不到文件 / no such file: {path}", file=sys.stderr)
        return 2
    logs.setup("WARNING", settings.logging.format)
    convert = importlib.import_module(REPLAY_CHANNELS[args.channel]).to_intake
    history = Path(args.history) if args.history else None
    if history is not None and not history.is_file():
        print(f"找不到文件 / no such file: {history}", file=sys.stderr)
        return 2
    result = new_event_loop().run_until_complete(
        run_replay(create_app(settings), path, convert, top=args.top, history=history))
    for number, problem in result.bad_lines[:20]:
        print(f"第 {number} 行已跳过 / line {number} skipped: {problem}", file=sys.stderr)
    for number, problem in [*result.bad_events, *result.skipped_events][:20]:
        print(f"办理记录第 {number} 行已跳过 / history line {number} skipped: {problem}", file=sys.stderr)
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(result.outcomes.items()))
    print(f"{result.messages} messages ({outcomes}; {len(result.bad_lines)} bad lines) in "
          f"{result.seconds:.1f} s: {result.per_second:.0f} messages/s, "
          f"{result.first} – {result.last}")
    print(f"status history: {result.events} events ({result.event_outcomes['applied']} applied, "
          f"{len(result.skipped_events)} skipped; {len(result.bad_events)} bad lines); "
          f"{result.marks} 80 %/overdue marks stamped at their moments; {result.history_seconds:.1f} s")
    print(f"top {len(result.top)} hot issues over the whole span:")
    for rank, issue in enumerate(result.top, 1):
        print(f"{rank:3d}. heat {issue['heat']:7.2f}  {issue['reports']:4d} reports "
              f"{issue['reporters']:4d} people  {issue['title']}  [{issue['place']}]")
    return 0 if result.messages else 1


def report(args: argparse.Namespace) -> int:
    """The monthly hot-issue report (HTML with a chart per issue, and CSV)."""
    from gateway.monthly import month_issues, month_span, write_report

    try:
        month_span(args.month)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    settings = _settings(args)

    issues: list[dict] = []

    async def work(store) -> int:
        issues.extend(await month_issues(store, settings.hotspots, args.month, args.limit))
        return 0

    asyncio.run(_with_store(args, work))
    html, table = write_report(issues, args.month, Path(args.out))
    print(f"{len(issues)} hot issues: {html} {table}")
    return 0


def transcribe(args: argparse.Namespace) -> int:
    """Each recording's transcript (per side for two-channel ones) and the time it took, so
    an administrator can check the engine and model before going live."""
    import dataclasses
    import time

    from gateway import settings as settings_module
    from gateway.speech.audio import NotAudio
    from gateway.speech.build import build_transcriber
    from gateway.speech.transcript import CALLER, LABELS, SEAT

    try:
        settings = _settings(args)
    except settings_module.SettingsError as exc:
        print(f"配置错误 / configuration error: {exc}", file=sys.stderr)
        return 2
    chosen = {k: v for k, v in (("engine", args.engine), ("model", args.model)) if v is not None}
    settings.speech = dataclasses.replace(settings.speech, **chosen)
    problems = settings.speech.problems()
    if settings.speech.engine == "none":
        problems.append("engine: none is configured; set [speech].engine or pass --engine")
    if problems:
        print("\n".join(f"配置错误 / configuration error: [speech].{p}" for p in problems), file=sys.stderr)
        return 2
    transcriber = build_transcriber(settings)
    if not transcriber.available():
        print(f"no model for {settings.speech.engine}: set [speech].model (or --model)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    transcriber.load()
    print(f"{settings.speech.engine} loaded in {time.perf_counter() - started:.1f} s")
    status = 0
    for path in args.files:
        started = time.perf_counter()
        try:
            result = transcriber.transcribe_call_sync(Path(path).read_bytes())
        except (OSError, NotAudio) as exc:
            print(f"{path}: {getattr(exc, 'message', exc)}", file=sys.stderr)
            status = 1
            continue
        took = time.perf_counter() - started
        print(f"{path}: {result.audio_seconds:.1f} s of audio transcribed in {took:.1f} s")
        if result.two_sided:
            for side in (CALLER, SEAT):
                print(f"  {LABELS[side]}：{result.text_of(side) or '（无）'}")
            print("  " + result.dialogue.replace("\n", "\n  "))
        else:
            print(f"  {result.caller_text or '（无识别结果）'}")
    transcriber.close()
    return status


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop where it is installed (about 15% more intake here), else asyncio's own."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _settings(args: argparse.Namespace):
    from gateway import settings as settings_module

    path = args.config
    if path == DEFAULT_CONFIG and not Path(path).exists():
        path = None  # embedded defaults
    return settings_module.load(path, {
        "server.host": args.host, "server.port": args.port, "storage.data_dir": args.data_dir,
    })


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="run.py", description="12345 intake gateway")
    parser.add_argument("--config", default=DEFAULT_CONFIG, help="settings file (default config.toml)")
    parser.add_argument("--host", help="listen address (overrides [server].host)")
    parser.add_argument("--port", type=int, help="listen port (overrides [server].port)")
    parser.add_argument("--data-dir", help="data directory (overrides [storage].data_dir)")
    parser.set_defaults(func=serve)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the gateway (the default)").set_defaults(func=serve)
    from classifiers.classify import cli as classifier_cli
    classifier_cli.add_commands(commands)
    export = commands.add_parser("export-labels", help="write operators' labelled examples as JSONL")
    export.add_argument("--out", required=True, metavar="FILE.jsonl")
    export.set_defaults(func=export_labels)
    operator = commands.add_parser("create-operator", help="add a console account (password asked, "
                                   "or GATEWAY_OPERATOR_PASSWORD)")
    operator.add_argument("username")
    operator.add_argument("--role", choices=["operator", "admin"], default="operator")
    operator.add_argument("--name", default="", help="display name")
    operator.add_argument("--seat", default="", help="hotline seat id")
    operator.set_defaults(func=create_operator)
    retry = commands.add_parser("retry-failed", help="stored reports that kept failing: list them, or "
                                "put them back in the sweep")
    retry.add_argument("--intake", type=int, help="only this stored report (its id)")
    retry.add_argument("--list", action="store_true", help="list them, change nothing")
    retry.set_defaults(func=retry_failed)
    reg = commands.add_parser("import-registry", help="build the grid registry from a city's GIS "
                              "export: grid polygons (GeoJSON), addresses and POIs (CSV); "
                              "docs/registry.md")
    reg.add_argument("--source", metavar="DIR", help="directory holding grids.geojson, "
                     "addresses.csv, pois.csv (default: the demo district's)")
    reg.add_argument("--grids", metavar="FILE.geojson", help="grid polygons (overrides --source)")
    reg.add_argument("--addresses", metavar="FILE.csv", help="addresses (overrides --source)")
    reg.add_argument("--pois", metavar="FILE.csv", help="points of interest (overrides --source)")
    reg.add_argument("--out", metavar="FILE.json",
                     help="the registry to write (default classifiers/data/grids.json; point "
                     "[location].registry at it)")
    reg.add_argument("--name", help="registry name (default: the GeoJSON's name)")
    reg.add_argument("--version", help="registry version (default: the GeoJSON's version)")
    reg.add_argument("--position-tolerance-m", type=float, default=50.0,
                     help="an address or POI farther than this outside its grid is an error")
    reg.add_argument("--area-tolerance-m2", type=float, default=1.0,
                     help="overlaps and gaps smaller than this are ignored")
    reg.set_defaults(func=import_registry)
    replay_cmd = commands.add_parser("replay", help="feed a file of messages with their own times "
                                     "through the intake path (e.g. a message board's history)")
    replay_cmd.add_argument("--channel", choices=sorted(REPLAY_CHANNELS), required=True)
    replay_cmd.add_argument("file", metavar="FILE.jsonl")
    replay_cmd.add_argument("--top", type=int, default=10, help="hot issues to print at the end")
    replay_cmd.add_argument("--history", metavar="STATUS.jsonl",
                            help="the replayed cases' status history with its own times "
                                 "(format: gateway/status_history.py, README 'Time limits')")
    replay_cmd.set_defaults(func=replay)
    report_cmd = commands.add_parser("report", help="the monthly hot-issue report (HTML and CSV)")
    report_cmd.add_argument("--month", required=True, metavar="YYYY-MM")
    report_cmd.add_argument("--out", default="reports", help="directory (default ./reports)")
    report_cmd.add_argument("--limit", type=int, default=10, help="issues listed (default 10)")
    report_cmd.set_defaults(func=report)
    speech = commands.add_parser("transcribe", help="print recordings' transcripts and the time taken "
                                 "(per side for two-channel recordings)")
    speech.add_argument("files", nargs="+", metavar="FILE")
    speech.add_argument("--engine", help="overrides [speech].engine")
    speech.add_argument("--model", help="overrides [speech].model")
    speech.set_defaults(func=transcribe)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
