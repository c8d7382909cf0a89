"""Work that must run once, shared attachments, held cases and hot issues with two
gateway nodes over one PostgreSQL database (issue 16): the sweep of stored-but-unfiled
reports, push delivery and the deadline check each run on one node at a time, whichever;
a file uploaded through one node is fetched through the other; a repeat sent to one node
joins a case held on the other; the hot-issue view counts every node's reports."""
from __future__ import annotations

import asyncio
import re

import pytest

from gateway.models import Intake, Reporter, intake_json, iso, now
from gateway.store import Store
from tests.conftest import running_gateway

pytestmark = [pytest.mark.both_stores, pytest.mark.parametrize("store_backend", ["postgresql"], indirect=True)]


async def stage_runs(node) -> int:
    """How many reports this node located (its /metrics), i.e. ran the stages for."""
    text = await (await node.get("/metrics")).text()
    found = re.search(r'^gateway_stage_seconds_count\{stage="locate"\} (\S+)$', text, re.M)
    return int(float(found[1])) if found else 0


async def test_a_stored_report_is_filed_by_one_sweep_though_every_node_sweeps(settings):
    async with running_gateway(settings) as a, running_gateway(settings) as b:
        # What a node that died between the two commits leaves: stored reports, no case,
        # held by that node for a short while.
        dead = Store(settings.store.url, claim_s=0.3)
        await dead.open()
        for i in range(16):
            intake = Intake(channel="webform", external_id=f"orphan-{i:04d}", text=f"第{i}号楼前路灯不亮",
                            reporter=Reporter(contact_channel="webform"))
            await dead.save_intake("webform", intake.external_id, iso(now()), intake_json(intake), None)
        await dead.close()
        await asyncio.sleep(0.4)  # its hold on them runs out
        store = a.pipeline.store
        before = await stage_runs(a) + await stage_runs(b)
        filed = await asyncio.gather(a.pipeline.recover(), b.pipeline.recover(),
                                     a.pipeline.recover(), b.pipeline.recover())
        assert sum(filed) == 16
        assert await store.pending_intakes() == []
        # Each report's stages ran once, on one node or the other.
        assert await stage_runs(a) + await stage_runs(b) - before == 16
