"""What happens to citizens' files and pages: photos lose their EXIF (GPS) and any markup, a
refused report leaves nothing behind, a full disk is a clean 503 that heals by itself, the
database is private to the gateway, and every page and file carries the headers that stop
a browser from being turned against its user."""
from __future__ import annotations

import asyncio
import io
import os
import shutil
import stat
import subprocess

import aiohttp
import pytest
from PIL import Image
from yarl import URL

from tests.conftest import make_settings, running_gateway, workorder


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Citizen Phone Maker"  # Make
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 30.0), 3: "E", 4: (116.0, 24.0, 10.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 200, 0)).save(out, "PNG")
    return out.getvalue()


def gif_html_polyglot() -> bytes:
    out = io.BytesIO()
    Image.new("P", (4, 4), 1).save(out, "GIF", comment=b"<html><script>alert(document.cookie)</script></html>")
    return out.getvalue()


def photo_form(*photos: tuple[str, bytes], description: str = "和平路18号门口的井盖没了") -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("description", description)
    for name, data in photos:
        form.add_field("photos", io.BytesIO(data), filename=name, content_type="image/jpeg")
    return form


async def fetch(gw, url: str) -> tuple[aiohttp.ClientResponse, bytes]:
    resp = await gw.get(URL(url).path, headers=gw.core_headers)
    return resp, await resp.read()


async def test_photos_lose_exif_and_markup_and_are_served_as_downloads(gateway):
    resp = await gateway.post("/api/v1/reports", data=photo_form(("gps.jpg", jpeg_with_gps()),
                                                                ("poly.gif", gif_html_polyglot()),
                                                                ("clean.png", png())))
    assert resp.status == 201, await resp.text()
    doc = await workorder(gateway, (await resp.json())["case_no"])
    gps, poly, clean = doc["attachments"]
    served, data = await fetch(gateway, gps["url"])
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif() and image.size == (64, 48)
    assert b"Citizen Phone Maker" not in data
    served, data = await fetch(gateway, poly["url"])
    assert b"<script" not in data and data.startswith(b"GIF8")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in served.headers["Content-Security-Policy"]
    served, data = await fetch(gateway, clean["url"])
    assert data == png()  # a photo with nothing to remove is kept byte for byte


async def test_a_refused_report_leaves_no_photo_behind(gateway, settings):
    good, bad = jpeg_with_gps(), b"\xff\xd8\xff\xe0 not really a jpeg"
    resp = await gateway.post("/api/v1/reports", data=photo_form(("good.jpg", good), ("bad.jpg", bad)))
    assert resp.status == 415
    files = [p for p in (settings.data_dir / "attachments").rglob("*") if p.is_file()]
    assert files == []
    assert (await gateway.pipeline.store.read("SELECT count(*) FROM attachments"))[0][0] == 0
    big = jpeg_with_gps() + b"\x00" * (9 * 1024 * 1024)
    resp = await gateway.post("/api/v1/reports", data=photo_form(("big.jpg", big)))
    assert resp.status == 413 and (await resp.json())["error"]["code"] == "attachment_too_large"


async def test_pages_and_answers_carry_the_security_headers(gateway):
    for path in ("/report", "/report/status", "/console/login"):
        resp = await gateway.get(path)
        assert resp.status == 200, path
        csp = resp.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert resp.headers["X-Frame-Options"] == "DENY" and resp.headers["X-Content-Type-Options"] == "nosniff"
    css = await gateway.get("/report/static/report.css")
    assert css.status == 200 and "font-family" in await css.text()
    wrong_method = await gateway.delete("/api/v1/reports")
    assert wrong_method.status == 405 and "POST" in wrong_method.headers["Allow"]
    assert (await wrong_method.json())["error"]["code"] == "method_not_allowed"
    console_api = await gateway.get("/console/api/nowhere")
    assert console_api.status == 404 and (await console_api.json())["error"]["code"] == "not_found"


async def test_the_database_and_data_directory_are_private(gateway, settings):
    mode = stat.S_IMODE(os.stat(settings.data_dir).st_mode)
    assert mode == 0o700
    assert stat.S_IMODE(os.stat(settings.data_dir / "gateway.sqlite3").st_mode) == 0o600
    resp = await gateway.post("/api/v1/reports", data=photo_form(("p.png", png())))
    assert resp.status == 201
    for path in (settings.data_dir / "attachments").rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


async def test_an_anonymous_report_keeps_no_name_or_phone_anywhere(gateway):
    resp = await gateway.post("/api/v1/reports", json={"description": "路灯坏了", "name": "张三",
                                                        "phone": "13812345678", "anonymous": True})
    assert resp.status == 201
    rows = await gateway.pipeline.store.read("SELECT payload, raw FROM intakes")
    for payload, raw in rows:
        assert "张三" not in payload + raw and "13812345678" not in payload + raw


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs as the data directory (the machine must allow mounting)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root and mount): full-disk test not run")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


async def test_a_full_disk_is_a_clean_503_and_heals_without_a_restart(small_disk):
    settings = make_settings(small_disk / "data", **{"storage.min_free_mb": 1.0})
    async with running_gateway(settings) as gw:
        assert (await gw.get("/healthz")).status == 200
        filler = small_disk / "filler"
        free = shutil.disk_usage(small_disk).free
        await asyncio.to_thread(filler.write_bytes, b"\0" * (free - 200 * 1024))
        photo = jpeg_with_gps() + b"\x00"  # not clean: re-encoded, about as big
        out = io.BytesIO()
        Image.effect_noise((600, 600), 90).convert("RGB").save(out, "PNG")  # noise: ~1 MB, uncompressible
        resp = await gw.post("/api/v1/reports", data=photo_form(("noise.png", out.getvalue()), ("p.jpg", photo)))
        assert resp.status == 503 and "Retry-After" in resp.headers
        assert (await resp.json())["error"]["code"] == "unavailable"
        leftovers = [p.name for p in (settings.data_dir / "attachments").rglob("*.tmp")]
        assert leftovers == []
        health = await gw.get("/healthz")
        assert health.status == 503 and (await health.json())["disk"] == "low"
        filler.unlink()
        resp = await gw.post("/api/v1/reports", data=photo_form(("noise.png", out.getvalue())))
        assert resp.status == 201, await resp.text()
        assert (await gw.get("/healthz")).status == 200
    assert small_disk.is_dir()
