"""The gateway with the spine's stages only: the keyword rules, pass-through location, no
duplicate check. bench/intake_bench.py uses it to measure the intake machinery (HTTP,
durable group commit, feed) apart from the CPU the full stages take.

    .venv/bin/python bench/serve_spine.py --data-dir DIR --port PORT
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import web  # noqa: E402

from classifiers.keywords import KeywordClassifier  # noqa: E402
from gateway import settings as settings_module  # noqa: E402
from gateway.app import create_app  # noqa: E402
from gateway.stages import NoDuplicates, PassThroughLocator  # noqa: E402
from run import new_event_loop  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--data-dir", required=True)
parser.add_argument("--port", type=int, required=True)
args = parser.parse_args()
settings = settings_module.load(None, {"storage.data_dir": args.data_dir, "server.port": args.port})
app = create_app(settings, stages=(KeywordClassifier(), PassThroughLocator(), NoDuplicates()))
web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None,
            loop=new_event_loop())
