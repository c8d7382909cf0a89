"""The one thread a database's writes run on (both databases have one): its start, its
connection's close, its CPUs, and running a function on it."""
from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any


class WriterThread:
    """Base of SqliteDatabase and PostgresDatabase: `_wconn` is used only on the thread."""

    _executor: ThreadPoolExecutor | None = None
    _wconn: Any = None

    def _start_writer_thread(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-writer")

    async def _stop_writer_thread(self) -> None:
        if self._executor is not None:
            await self._in_writer(self._close_writer)
            self._executor.shutdown(wait=True)
            self._executor = None

    def _close_writer(self) -> None:
        if self._wconn is not None:
            self._wconn.close()
            self._wconn = None

    async def keep_writer_on(self, cpus: set[int]) -> None:
        """Run the writer thread on these CPUs (Linux)."""
        await self._in_writer(os.sched_setaffinity, 0, cpus)

    async def _in_writer(self, fn: Callable, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)
