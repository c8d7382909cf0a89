"""What a citizen's photo may carry besides the picture: the camera's EXIF (with the GPS
position of the citizen's home, often), XMP and comments — and, in a crafted file, markup
that a browser would run (a GIF that is also an HTML page). Such a photo is re-encoded
from its pixels (Pillow) before anyone can fetch it, as FixMyStreet does; a clean photo is
kept byte for byte."""
from __future__ import annotations

import io
import re
import warnings

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

# A photo cut short on a slow mobile connection still shows most of the scene: keep it.
ImageFile.LOAD_TRUNCATED_IMAGES = True

# Markup a browser sniffing the bytes could take for a page or a script.
MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|script|iframe|svg|object|embed|meta)[\s>/]", re.IGNORECASE)
METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop", "iptc", "dpi_icc")
FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}
MAX_PIXELS = 80_000_000  # a decompression bomb is refused, not decoded


class NotAnImage(ValueError):
    """The bytes say image, but no image decodes from them."""


def clean_photo(data: bytes, content_type: str) -> bytes:
    """The photo without metadata or markup: the same bytes when it had none, else its
    pixels re-encoded in the same format. Raises NotAnImage when it does not decode."""
    fmt = FORMATS.get(content_type)
    if fmt is None:
        return data
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise NotAnImage("too many pixels")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                if not MARKUP.search(data) and not _metadata(image):
                    return data
                return _reencode(image, fmt)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise NotAnImage(str(exc)) from None


def _metadata(image: Image.Image) -> bool:
    if image.getexif():
        return True
    return any(key in image.info for key in METADATA_KEYS)


KEPT_INFO = ("transparency", "duration", "loop", "background")


def _pixels_only(image: Image.Image) -> Image.Image:
    """The picture without what its source file said besides it (Pillow writes a frame's
    `info` — comments, EXIF, ICC — back out when saving)."""
    image.info = {k: v for k, v in image.info.items() if k in KEPT_INFO}
    return image


def _reencode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "GIF" and getattr(image, "n_frames", 1) > 1:
        frames = []
        for index in range(image.n_frames):
            image.seek(index)
            frames.append(_pixels_only(image.copy()))
        frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], loop=image.info.get("loop", 0),
                       duration=image.info.get("duration", 100))
        return out.getvalue()
    upright = _pixels_only(ImageOps.exif_transpose(image))  # the orientation EXIF gave, before EXIF goes
    if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    options = {"quality": 92} if fmt in ("JPEG", "WEBP") else {}
    upright.save(out, fmt, **options)  # no exif=, no icc, no comment: pixels only
    return out.getvalue()
