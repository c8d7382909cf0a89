"""The citizen's pages: the form, the success page, the status page."""
from __future__ import annotations

import io
import re

import aiohttp

from tests.conftest import FIXTURES, all_feed

TOKEN = re.compile(r'name="submission_token" value="([0-9a-f]{32})"')


def form(**fields) -> aiohttp.FormData:
    data = aiohttp.FormData()
    for name, value in fields.items():
        data.add_field(name, value)
    return data


async def test_the_form_is_chinese_and_carries_a_fresh_token(gateway):
    first = await (await gateway.get("/report")).text()
    second = await (await gateway.get("/report")).text()
    assert "问题描述" in first and "使用我的当前位置" in first and "匿名反映" in first
    assert TOKEN.search(first).group(1) != TOKEN.search(second).group(1)
    assert 'name="viewport"' in first  # phone-friendly


async def test_submitting_twice_with_one_token_files_one_case(gateway):
    token = TOKEN.search(await (await gateway.get("/report")).text()).group(1)
    photo = io.BytesIO((FIXTURES / "pixel.jpg").read_bytes())
    data = form(description="小区门口的井盖没了，很危险", address="苏州园小区东门", submission_token=token)
    data.add_field("photos", photo, filename="cover.jpg", content_type="image/jpeg")
    first = await gateway.post("/report", data=data)
    page = await first.text()
    assert first.status == 201 and "提交成功" in page
    case_no = re.search(r'id="case-no">(\d{8}-\d{6})<', page).group(1)
    code = re.search(r'id="check-code">(\d{10})<', page).group(1)

    again = await gateway.post("/report", data=form(description="小区门口的井盖没了，很危险",
                                                    submission_token=token))
    page2 = await again.text()
    assert again.status == 200 and case_no in page2 and "无需重复提交" in page2
    items, _ = await all_feed(gateway)
    assert len(items) == 1 and len(items[0]["attachments"]) == 1

    status = await gateway.get(f"/report/status?case_no={case_no}&code={code}")
    text = await status.text()
    assert status.status == 200 and "已立案" in text and "苏州园" in text


async def test_a_mistake_shows_the_form_again_with_the_message_and_the_input(gateway):
    resp = await gateway.post("/report", data=form(description=" ", address="建国门内大街18号",
                                                   phone="123", submission_token="a" * 32))
    page = await resp.text()
    assert resp.status == 422 and "请填写问题描述" in page
    assert 'value="建国门内大街18号"' in page
    resp = await gateway.post("/report", data=form(description="噪音扰民", phone="123",
                                                   submission_token="b" * 32))
    assert resp.status == 422 and "联系电话格式不正确" in await resp.text()
    assert await gateway.pipeline.store.count_intakes() == 0


async def test_the_status_page_refuses_wrong_codes_politely(gateway):
    empty = await gateway.get("/report/status")
    assert empty.status == 200 and "查询码" in await empty.text()
    wrong = await gateway.get("/report/status?case_no=20990101-000001&code=123456")
    assert wrong.status == 404 and "请核对工单编号和查询码" in await wrong.text()
    malformed = await gateway.get("/report/status?case_no=abc&code=1")
    assert malformed.status == 404 and "工单编号格式" in await malformed.text()
