"""When and where a photo was taken, from its EXIF metadata (Pillow).

Only two facts are kept: ``taken_at`` (``DateTimeOriginal``, with its UTC offset when
the camera recorded one) and ``gps`` (decimal degrees).  Photos without EXIF, with
broken EXIF, or in formats Pillow cannot open (HEIC without a plugin) give ``{}``:
metadata is evidence, never a reason to refuse an upload.
"""

from __future__ import annotations

import logging
import math
import warnings
from datetime import datetime
from typing import IO, Any

log = logging.getLogger(__name__)

# EXIF tags (PIL.ExifTags names; numbers here so Pillow is imported only when a photo comes)
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DATETIME, _DATETIME_ORIGINAL, _OFFSET_TIME_ORIGINAL = 0x0132, 0x9003, 0x9011
_LAT_REF, _LAT, _LON_REF, _LON = 1, 2, 3, 4


def photo_metadata(file: IO[bytes]) -> dict[str, Any]:
    """``{"taken_at": "2026-11-02T10:15:30-03:00", "gps": {"lat": 5.85, "lon": -55.2}}``.

    Keys are present only when known; ``{}`` when nothing could be read.  The file's
    position is restored.
    """
    from PIL import Image

    position = file.tell()
    try:
        file.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DecompressionBombWarning, corrupt-EXIF warnings
            with Image.open(file) as image:
                exif = image.getexif()
                details = exif.get_ifd(_EXIF_IFD)
                gps_ifd = exif.get_ifd(_GPS_IFD)
        out: dict[str, Any] = {}
        taken_at = _taken_at(details, exif)
        if taken_at:
            out["taken_at"] = taken_at
        gps = _gps(gps_ifd)
        if gps:
            out["gps"] = gps
        return out
    except Exception as exc:  # any unreadable image or EXIF: no metadata, never a refusal
        log.debug("no EXIF metadata: %s: %s", type(exc).__name__, exc)
        return {}
    finally:
        file.seek(position)


def _taken_at(details: Any, base: Any) -> str | None:
    raw = details.get(_DATETIME_ORIGINAL) or base.get(_DATETIME)
    if not isinstance(raw, str):
        return None
    try:
        when = datetime.strptime(raw.strip().rstrip("\x00"), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = details.get(_OFFSET_TIME_ORIGINAL)
    if isinstance(offset, str):
        try:
            return datetime.fromisoformat(f"{when.isoformat()}{offset.strip()}").isoformat()
        except ValueError:
            pass
    return when.isoformat()


def _gps(gps: Any) -> dict[str, float] | None:
    lat = _degrees(gps.get(_LAT), gps.get(_LAT_REF), "S")
    lon = _degrees(gps.get(_LON), gps.get(_LON_REF), "W")
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180:
        return None
    return {"lat": lat, "lon": lon}


def _degrees(dms: Any, ref: Any, negative: str) -> float | None:
    """``(5, 51, 8.4)`` and ``"N"`` -> ``5.852333``; ``None`` when malformed."""
    if not isinstance(dms, tuple) or len(dms) != 3:
        return None
    degrees, minutes, seconds = (float(v) for v in dms)
    value = degrees + minutes / 60 + seconds / 3600
    if not math.isfinite(value):
        return None
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    if isinstance(ref, str) and ref.strip().upper() == negative:
        value = -value
    return round(value, 7)
