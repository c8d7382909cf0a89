"""The seat-operator console at /console: `setup(app, settings)` adds its routes and a
start-up step (after storage and the pipeline) that builds its context and creates the
first administrator. `export_labels` and `create_operator` are hooks for run.py."""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from pathlib import Path

from aiohttp import web

from gateway.appkeys import ATTACHMENTS, CASES, CHANNELS, EVENTS, SETTINGS, STORE
from gateway.console.auth import Accounts
from gateway.console.context import CONSOLE, Console
from gateway.console.settings import ConsoleSettings
from gateway.console.views import routes
from gateway.guard import FailureLimit
from gateway.store import Store
from gateway.store.calls import Calls
from gateway.store.console import SCHEMA, ConsoleStore

__all__ = ["SCHEMA", "ConsoleSettings", "setup", "export_labels", "create_operator"]
log = logging.getLogger("gateway.console")
STATIC = Path(__file__).parent / "static"


def setup(app: web.Application, settings: ConsoleSettings) -> None:
    if not settings.enabled:
        return

    async def console_ctx(app: web.Application):
        store = ConsoleStore(app[STORE])
        sec = app[SETTINGS].security
        accounts = Accounts(store, settings.session_minutes,
                            per_account=FailureLimit(sec.login_failures_per_account, sec.login_window_s),
                            per_client=FailureLimit(sec.login_failures_per_client, sec.login_window_s),
                            checks_at_once=sec.password_checks_at_once)
        console = Console(settings=settings, accounts=accounts, store=store, calls=Calls(app[STORE]),
                          cases=app[CASES],
                          attachments=app[ATTACHMENTS], events=app[EVENTS],
                          hotline=app[CHANNELS].get("hotline"))
        app[CONSOLE] = console
        await _first_admin(accounts, store, settings)
        task = asyncio.create_task(_late_transcripts(console), name="console-transcripts")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def end_streams(app: web.Application) -> None:
        console = app.get(CONSOLE)
        for task in list(console.streams if console else ()):
            task.cancel()

    app.cleanup_ctx.append(console_ctx)
    app.on_shutdown.append(end_streams)
    app.router.add_routes(routes)
    app.router.add_static("/console/static", STATIC)


async def _first_admin(accounts: Accounts, store: ConsoleStore, settings: ConsoleSettings) -> None:
    password = os.environ.get("GATEWAY_CONSOLE_ADMIN_PASSWORD") or settings.admin_password
    if await store.count_admins() or not password:
        if not await store.count_admins():
            log.warning("no console administrator: set [console].admin_password or "
                        "GATEWAY_CONSOLE_ADMIN_PASSWORD, or run the create-operator command")
        return
    await accounts.add(settings.admin_username, password, display_name="管理员", role="admin")
    log.info("created the console administrator %s", settings.admin_username)


async def _late_transcripts(console: Console) -> None:
    """A transcript that arrives after its call was filed refreshes the held ticket."""
    with console.events.subscribe(topics={"call.transcript"}) as queue:
        while True:
            _, data = await queue.get()
            if data.get("case_no"):
                try:
                    await console.cases.retext(data["case_no"], data["text"])
                except Exception:
                    log.exception("could not refresh ticket %s from its transcript", data.get("case_no"))


async def export_labels(store: Store, path: str | Path) -> int:
    """Write the operators' labelled examples as JSONL ({"text", "label", …}, the format
    `run.py train` reads); returns how many."""
    rows = await ConsoleStore(store).labels()
    lines = [json.dumps({"text": r["text"], "label": r["label"], "suggested": r["suggested"],
                         "operator": r["operator"], "case_no": r["case_no"], "at": r["at"]},
                        ensure_ascii=False) for r in rows]
    text = "".join(line + "\n" for line in lines)
    await asyncio.get_running_loop().run_in_executor(None, lambda: Path(path).write_text(text, encoding="utf-8"))
    return len(rows)


async def create_operator(store: Store, username: str, password: str, *, role: str = "operator",
                          display_name: str = "", seat_id: str = "") -> dict:
    """Add an operator (or the first administrator) from the command line."""
    console = ConsoleStore(store)
    operator = await Accounts(console, 60).add(username, password, display_name=display_name,
                                               role=role, seat_id=seat_id)
    await console.audit(operator["created_at"], "cli", "add_operator", username, {"role": role})
    operator.pop("password_hash", None)
    return operator
