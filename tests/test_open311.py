"""Open311 GeoReport v2 with an independent client: `georeport` (PyPI, 0.3.1) lists the
services, reads a service's questions and reads requests back in JSON and XML. It has no
POST, and the other Open311 clients on PyPI (`three` 0.8.0, `open311` 1.1) are Python 2
only, so requests are posted with `requests` exactly as the specification's example does
(form-encoded). Also checked: the specification's XML and JSON examples have the same
elements as our answers."""
from __future__ import annotations

import asyncio
from xml.etree import ElementTree as ET

import pytest
import requests

from tests.conftest import all_feed, make_settings, running_gateway, set_status

# Store-facing: the gateway tests run on SQLite and on PostgreSQL (the functions alone once).
pytestmark = pytest.mark.both_stores

georeport = pytest.importorskip("georeport")

API_KEY = "open311-test-key-0123456789"
LAMP = "BJ-01037"  # 路灯
COVER = "BJ-01023"  # 不明井盖: asks which kind of cover

# From http://wiki.open311.org/GeoReport_v2 (the examples, abridged to one item each).
SPEC_SERVICES_XML = """<?xml version="1.0" encoding="utf-8"?>
<services><service><service_code>001</service_code><service_name>Cans left out 24x7</service_name>
<description>Garbage or recycling cans that have been left out for more than 24 hours after collection.</description>
<metadata>true</metadata><type>realtime</type><keywords>lorem, ipsum, dolor</keywords><group>sanitation</group>
</service></services>"""
SPEC_SERVICES_JSON = [{"service_code": "001", "service_name": "Cans left out 24x7",
                       "description": "Garbage or recycling cans that have been left out for more than 24 hours.",
                       "metadata": True, "type": "realtime", "keywords": "lorem, ipsum, dolor",
                       "group": "sanitation"}]
SPEC_DEFINITION_XML = """<?xml version="1.0" encoding="utf-8"?>
<service_definition><service_code>DMV66</service_code><attributes><attribute><variable>true</variable>
<code>WHISHETN</code><datatype>singlevaluelist</datatype><required>true</required>
<datatype_description></datatype_description><order>1</order><description>What is the ticket/tag/DL number?</description>
<values><value><key>123</key><name>Ford</name></value></values></attribute></attributes></service_definition>"""
SPEC_REQUESTS_XML = """<?xml version="1.0" encoding="utf-8"?>
<service_requests><request><service_request_id>638344</service_request_id><status>closed</status>
<status_notes>Duplicate request.</status_notes><service_name>Sidewalk and Curb Issues</service_name>
<service_code>006</service_code><description></description><agency_responsible></agency_responsible>
<service_notice></service_notice><requested_datetime>2010-04-14T06:37:38-08:00</requested_datetime>
<updated_datetime>2010-04-14T06:37:38-08:00</updated_datetime><expected_datetime>2010-04-15T06:37:38-08:00</expected_datetime>
<address>8TH AVE and JUDAH ST</address><address_id>545483</address_id><zipcode>94122</zipcode>
<lat>37.762221815</lat><long>-122.4651145</long><media_url>http://city.gov.s3.amazonaws.com/requests/media/638344.jpg</media_url>
</request></service_requests>"""
SPEC_POSTED_XML = """<?xml version="1.0" encoding="utf-8"?>
<service_requests><request><service_request_id>293944</service_request_id>
<service_notice>The City will inspect and require the responsible party to correct within 24 hours</service_notice>
<account_id/></request></service_requests>"""
SPEC_ERRORS_XML = """<?xml version="1.0" encoding="utf-8"?>
<errors><error><code>403</code><description>Invalid api_key received -- can't proceed with create_request.</description>
</error></errors>"""
# The specification's POST example, with our service code, answers and a Chinese place.
SPEC_POST = {"api_key": API_KEY, "service_code": COVER, "lat": "39.9075", "long": "116.3972",
             "address_string": "解放路18号门口", "email": "smit333@example.org", "device_id": "tt222111",
             "account_id": "123456", "first_name": "三", "last_name": "张", "phone": "13812345678",
             "description": "路中间井盖没了，晚上很危险", "media_url": "http://client-uploaded-media-url.com/image.jpg",
             "attribute[cover_kind]": "rain", "attribute[cover_state]": "missing"}


@pytest.fixture
async def gw(tmp_path, store_url):
    settings = make_settings(tmp_path / "data", store_url, **{"open311.enabled": True, "open311.api_keys": [API_KEY]})
    async with running_gateway(settings) as client:
        client.root = str(client.make_url("/open311/v2"))
        yield client


def post(root: str, fmt: str = "json", **fields) -> requests.Response:
    return requests.post(f"{root}/requests.{fmt}", data=fields, timeout=30)


def shape(element: ET.Element) -> set[str]:
    """The element names of the first item, all levels down."""
    return {e.tag for e in element.iter()}


async def test_a_client_lists_services_posts_reads_back_and_sees_the_status_change(gw):
    client = georeport.GeoReport(gw.root)
    services = await asyncio.to_thread(client.get_service_list)
    by_code = {s["service_code"]: s for s in services}
    assert by_code[LAMP]["service_name"] == "路灯" and by_code[LAMP]["metadata"] is True
    assert by_code[LAMP]["group"] == "管理部件" and "路灯" in by_code[LAMP]["keywords"]
    assert len(services) > 300  # every leaf of the taxonomy
    definition = await asyncio.to_thread(client.get_service_definition, COVER)
    kinds = {a["code"]: a for a in definition["attributes"]}
    assert kinds["cover_kind"]["required"] is True and {"key": "rain", "name": "雨水"} in kinds["cover_kind"]["values"]

    # A report with a clear lamp text, posted under the cover service: the client's choice wins.
    resp = await asyncio.to_thread(post, gw.root, **{**SPEC_POST, "description": "井盖没了，晚上很危险"})
    assert resp.status_code == 201, resp.text
    [answer] = resp.json()
    case_no = answer["service_request_id"]
    assert case_no in answer["service_notice"] and "查询码" in answer["service_notice"]

    read = await asyncio.to_thread(client.get_service_request, case_no)
    assert read["status"] == "open" and read["service_code"] == COVER
    assert "井盖的情况：缺失（没有盖子）" in read["description"] and "雨水" in read["description"]
    assert read["agency_responsible"] and read["expected_datetime"] > read["requested_datetime"]
    assert "解放路" in read["address"]
    assert "138" not in str(read) and "smit333" not in str(read) and "张" not in str(read)

    await set_status(gw, case_no, "dispatched", "o311-1", note="已派市政所")
    read = await asyncio.to_thread(client.get_service_request, case_no)
    assert read["status"] == "open" and read["status_notes"] == "已派遣：已派市政所"
    await set_status(gw, case_no, "resolved", "o311-2", note="已补盖")
    await set_status(gw, case_no, "closed", "o311-3")
    xml_client = georeport.GeoReport(gw.root, output_format="xml")
    read = await asyncio.to_thread(xml_client.get_service_request, case_no)
    assert read["status"] == "closed" and read["service_request_id"] == case_no

    closed = await asyncio.to_thread(client.get_service_requests, status="closed", service_code=COVER)
    assert [r["service_request_id"] for r in closed] == [case_no]
    assert await asyncio.to_thread(client.get_service_requests, status="open", service_code=COVER) == []


async def test_a_posted_request_goes_through_the_same_intake(gw):
    """Idempotent (the same request again files nothing new), located, and deduplicated
    (another client's report of the same spot joins the case)."""
    fields = {"api_key": API_KEY, "service_code": LAMP, "address_string": "西总布小区东门",
              "description": "西总布小区东门的路灯不亮了", "attribute[lamp_state]": "off"}
    first = await asyncio.to_thread(post, gw.root, **fields)
    again = await asyncio.to_thread(post, gw.root, **fields)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    case_no = first.json()[0]["service_request_id"]
    other = await asyncio.to_thread(post, gw.root, **{**fields, "description": "西总布小区东门路灯坏了不亮"})
    assert other.json()[0]["service_request_id"] == case_no and "合并" in other.json()[0]["service_notice"]
    items, _ = await all_feed(gw)
    [doc] = items
    assert doc["channel"] == "open311" and doc["report_count"] == 2
    assert doc["category"]["code"] == LAMP and doc["category"]["source"] == "citizen"
    assert doc["location"]["grid_code"]  # located in its grid
    assert "路灯的情况：不亮" in doc["description"]
    keyed = await asyncio.to_thread(lambda: requests.post(
        f"{gw.root}/requests.json", data={**fields, "description": "另一盏路灯也不亮"},
        headers={"Idempotency-Key": "client-42"}, timeout=30))
    keyed_again = await asyncio.to_thread(lambda: requests.post(
        f"{gw.root}/requests.json", data={**fields, "description": "另一盏路灯也不亮"},
        headers={"Idempotency-Key": "client-42"}, timeout=30))
    assert keyed.status_code in (200, 201) and keyed_again.status_code == 200


async def test_errors_are_the_specifications_list_with_the_right_status(gw):
    cases = [
        ({**SPEC_POST, "api_key": "wrong-key-0123456789"}, 403, "api_key"),
        ({**SPEC_POST, "service_code": "NOPE"}, 404, "NOPE"),
        ({k: v for k, v in SPEC_POST.items() if k not in ("lat", "long", "address_string")}, 400, "位置"),
        ({**SPEC_POST, "attribute[cover_state]": "melted"}, 400, "cover_state"),
        ({k: v for k, v in SPEC_POST.items() if k != "attribute[cover_kind]"}, 400, "cover_kind"),
        ({**SPEC_POST, "lat": "91", "long": "0"}, 400, "lat"),
        ({**SPEC_POST, "phone": "111111111"}, 400, "phone"),
    ]
    for fields, status, word in cases:
        resp = await asyncio.to_thread(post, gw.root, **fields)
        assert resp.status_code == status, (fields, resp.text)
        [error] = resp.json()
        assert error["code"] == status and word in error["description"]
    resp = await asyncio.to_thread(post, gw.root, "xml", **{**SPEC_POST, "api_key": ""})
    assert resp.status_code == 403 and shape(ET.fromstring(resp.content)) == shape(ET.fromstring(SPEC_ERRORS_XML))
    for path, status in [("/services/NOPE.json", 404), ("/requests/20260101-999999.json", 404),
                         ("/requests.json?status=pending", 400), ("/requests.json?start_date=yesterday", 400),
                         ("/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", 400),
                         ("/requests.json?service_request_id=abc", 400)]:
        resp = await gw.get("/open311/v2" + path)
        assert resp.status == status, path
        assert (await resp.json())[0]["code"] == status
    items, _ = await all_feed(gw)
    assert items == []  # no refused request left anything behind


async def test_answers_have_the_elements_of_the_specifications_examples(gw):
    resp = await gw.get("/open311/v2/services.xml")
    ours = ET.fromstring(await resp.read())
    assert ours.tag == "services" and shape(ours[0]) == shape(ET.fromstring(SPEC_SERVICES_XML)[0])
    resp = await gw.get("/open311/v2/services.json")
    assert set((await resp.json())[0]) == set(SPEC_SERVICES_JSON[0])
    resp = await gw.get(f"/open311/v2/services/{COVER}.xml")
    assert shape(ET.fromstring(await resp.read())) == shape(ET.fromstring(SPEC_DEFINITION_XML))
    resp = await asyncio.to_thread(post, gw.root, "xml", **SPEC_POST)
    assert resp.status_code == 201 and shape(ET.fromstring(resp.content)) == shape(ET.fromstring(SPEC_POSTED_XML))
    case_no = ET.fromstring(resp.content).find("request/service_request_id").text
    resp = await gw.get(f"/open311/v2/requests/{case_no}.xml")
    assert shape(ET.fromstring(await resp.read())) == shape(ET.fromstring(SPEC_REQUESTS_XML))
    resp = await gw.get("/open311/v2/discovery.json")
    endpoint = (await resp.json())["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and "application/json" in endpoint["formats"]
