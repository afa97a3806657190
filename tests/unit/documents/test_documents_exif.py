"""When and where a photo was taken, and photos whose EXIF is absent or broken."""

from __future__ import annotations

import io

import pytest

from ims.documents import photo_metadata
from ims.testing.files import heic, jpeg, pdf, png


def test_taken_at_and_gps_in_decimal_degrees() -> None:
    photo = jpeg(taken="2026:10:30 14:05:00", lat=("N", (5, 51, 8.4)), lon=("W", (55, 12, 0)))
    assert photo_metadata(io.BytesIO(photo)) == {
        "taken_at": "2026-10-30T14:05:00",
        "gps": {"lat": 5.8523333, "lon": -55.2},
    }


def test_southern_and_eastern_hemispheres_and_the_offset() -> None:
    photo = jpeg(
        taken="2026:01:02 03:04:05", offset="+10:00", lat=("S", (33, 52, 0)), lon=("E", (151, 12, 36))
    )
    meta = photo_metadata(io.BytesIO(photo))
    assert meta["taken_at"] == "2026-01-02T03:04:05+10:00"
    assert meta["gps"] == {"lat": -33.8666667, "lon": 151.21}


def test_the_position_of_the_file_is_kept() -> None:
    f = io.BytesIO(jpeg(taken="2026:10:30 14:05:00"))
    f.seek(5)
    photo_metadata(f)
    assert f.tell() == 5


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(jpeg(), id="jpeg-without-exif"),
        pytest.param(png(), id="png"),
        pytest.param(heic(), id="heic-pillow-cannot-open"),
        pytest.param(pdf(), id="not-an-image"),
        pytest.param(jpeg(taken="0000:00:00 00:00:00"), id="zero-date"),
        pytest.param(jpeg(taken="yesterday"), id="bad-date"),
        pytest.param(jpeg(lat=("N", (5, 0, 0)), lon=("W", (255, 0, 0))), id="longitude-out-of-range"),
    ],
)
def test_no_or_broken_exif_gives_nothing_usable(data: bytes) -> None:
    meta = photo_metadata(io.BytesIO(data))
    assert "taken_at" not in meta and "gps" not in meta


def test_truncated_exif_is_no_error() -> None:
    photo = jpeg(taken="2026:10:30 14:05:00", lat=("N", (5, 51, 8.4)), lon=("W", (55, 12, 0)))
    at = photo.index(b"Exif\x00\x00")
    broken = photo[: at + 30] + b"\xff" * 40 + photo[at + 70 :]
    assert isinstance(photo_metadata(io.BytesIO(broken)), dict)
