"""Metadata stripping at the container level: nothing located left, every pixel the same."""

import io
import random
import struct
import zlib

import pytest
from PIL import Image, ImageChops

from datasets.imagemeta import MetadataError, Stripped, image_format_of, metadata_strip
from tests.factories.images import (
    icc_profile,
    image_bytes,
    located_exif,
    located_photo,
    metadata_in,
)


def _decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _assert_same_pixels(before: bytes, after: bytes) -> None:
    first, second = _decoded(before), _decoded(after)
    assert (first.mode, first.size) == (second.mode, second.size)
    assert first.tobytes() == second.tobytes()
    assert ImageChops.difference(first.convert("RGB"), second.convert("RGB")).getbbox() is None


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload))
    )


def _png_insert(data: bytes, chunk: bytes) -> bytes:
    """The chunk placed just before the first IDAT."""
    at = data.index(b"IDAT") - 4
    return data[:at] + chunk + data[at:]


@pytest.mark.parametrize(
    ("image_format", "options"),
    [
        ("JPEG", {}),
        ("JPEG", {"progressive": True}),
        ("PNG", {}),
        ("WEBP", {}),
        ("WEBP", {"lossless": True}),
    ],
)
def test_a_located_photo_comes_out_with_no_metadata_and_the_same_pixels(image_format, options):
    image = _decoded(located_photo(4, image_format="PNG"))
    buffer = io.BytesIO()
    extra = {"exif": located_exif(), "icc_profile": icc_profile()}
    if image_format == "PNG":
        located = located_photo(4, image_format="PNG")
    else:
        image.save(
            buffer,
            format=image_format,
            xmp=b"<x:xmpmeta>GPSLatitude</x:xmpmeta>",
            **extra,
            **options,
        )
        located = buffer.getvalue()
    assert metadata_in(located)

    stripped = metadata_strip(located)

    assert stripped.changed
    assert metadata_in(stripped.data) == set()
    _assert_same_pixels(located, stripped.data)


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_the_icc_profile_stays(image_format):
    located = located_photo(2, image_format=image_format)

    stripped = metadata_strip(located)

    assert _decoded(stripped.data).info["icc_profile"] == icc_profile()


def test_a_jpeg_loses_exif_xmp_and_its_comment_and_keeps_jfif():
    stripped = metadata_strip(located_photo(1, image_format="JPEG"))

    assert stripped.dropped == ("APP1 Exif", "APP1 http://ns.adobe.com/xap/1.0/", "COM")
    assert _decoded(stripped.data).info["jfif"]
    assert b"Exif" not in stripped.data and b"xap/1.0" not in stripped.data


def test_a_png_loses_its_text_and_exif_chunks_and_nothing_else():
    located = located_photo(1, image_format="PNG")

    stripped = metadata_strip(located)

    assert stripped.dropped == ("tEXt", "zTXt", "iTXt", "eXIf")
    assert b"iCCP" in stripped.data
    assert len(located) - len(stripped.data) == sum(
        12 + struct.unpack(">I", located[at - 4 : at])[0]
        for kind in (b"tEXt", b"zTXt", b"iTXt", b"eXIf")
        if (at := located.find(kind)) > 0
    )


def test_a_webp_loses_its_exif_and_xmp_chunks_and_their_flags():
    stripped = metadata_strip(located_photo(1, image_format="WEBP"))

    assert set(stripped.dropped) == {"EXIF", "XMP", "VP8X metadata flags"}
    assert stripped.data[12:16] == b"VP8X"
    assert stripped.data[20] & 0x0C == 0  # EXIF and XMP flags cleared
    assert stripped.data[20] & 0x20  # ICC flag kept
    assert struct.unpack("<I", stripped.data[4:8])[0] == len(stripped.data) - 8


def test_a_file_with_nothing_to_strip_comes_back_as_it_is():
    plain = image_bytes(3)

    stripped = metadata_strip(plain)

    assert stripped.dropped == ()
    assert stripped.data is plain


def test_a_stream_is_read_like_bytes():
    located = located_photo(5, image_format="PNG")

    assert metadata_strip(io.BytesIO(located)) == metadata_strip(located)


def test_stripping_twice_gives_the_same_file():
    once = metadata_strip(located_photo(6, image_format="JPEG")).data

    again = metadata_strip(once)

    assert again.dropped == () and again.data == once


def test_an_orientation_tag_goes_with_the_exif():
    turned = image_bytes(1, orientation=6)

    stripped = metadata_strip(turned)

    assert stripped.dropped == ("APP1 Exif",)
    assert 0x0112 not in _decoded(stripped.data).getexif()


def test_a_cmyk_jpeg_keeps_its_adobe_segment_so_it_decodes_the_same():
    buffer = io.BytesIO()
    Image.new("CMYK", (40, 30), (10, 200, 30, 40)).save(buffer, format="JPEG", comment=b"x")
    located = buffer.getvalue()

    stripped = metadata_strip(located)

    assert stripped.dropped == ("COM",)
    assert b"Adobe" in stripped.data
    _assert_same_pixels(located, stripped.data)


def test_an_icc_profile_split_over_several_jpeg_segments_is_kept_whole():
    profile = icc_profile() + bytes(150_000)  # past one segment's 64 KB
    buffer = io.BytesIO()
    _decoded(image_bytes(2)).save(buffer, format="JPEG", icc_profile=profile, exif=located_exif())
    located = buffer.getvalue()
    assert located.count(b"ICC_PROFILE\x00") == 3

    stripped = metadata_strip(located)

    assert stripped.dropped == ("APP1 Exif",)
    assert _decoded(stripped.data).info["icc_profile"] == profile


def test_a_comment_between_progressive_scans_is_dropped_and_the_scans_kept():
    buffer = io.BytesIO()
    _decoded(image_bytes(7, size=(96, 64))).save(buffer, format="JPEG", progressive=True)
    plain = buffer.getvalue()
    second_scan = plain.index(b"\xff\xda", plain.index(b"\xff\xda") + 2)
    comment = b"\xff\xfe" + struct.pack(">H", 15) + b"taken at home"
    located = plain[:second_scan] + comment + plain[second_scan:]

    stripped = metadata_strip(located)

    assert stripped.dropped == ("COM",)
    assert stripped.data == plain
    _assert_same_pixels(located, stripped.data)


def test_what_follows_a_jpeg_end_goes_a_second_picture_with_its_exif_included():
    first = image_bytes(1)
    second = located_photo(2, image_format="JPEG")
    mpf = b"\xff\xe2" + struct.pack(">H", 10) + b"MPF\x00MM\x00\x2a"
    located = first[:2] + mpf + first[2:] + second

    stripped = metadata_strip(located)

    assert stripped.dropped == ("APP2 MPF", "data after the image end")
    assert stripped.data == first
    assert metadata_in(stripped.data) == set()


def test_a_jpeg_cut_short_inside_its_scan_keeps_what_it_has():
    located = located_photo(3, image_format="JPEG")
    cut = located[: len(located) - 40]

    stripped = metadata_strip(cut)

    assert stripped.data.endswith(cut[-100:])
    assert metadata_in(stripped.data + b"\xff\xd9") == set()


def test_private_and_time_chunks_leave_a_png_and_colour_chunks_stay():
    plain = image_bytes(1, image_format="PNG")
    located = _png_insert(plain, _png_chunk(b"tIME", bytes(7)) + _png_chunk(b"prVt", b"where"))
    located = _png_insert(located, _png_chunk(b"gAMA", struct.pack(">I", 45455)))

    stripped = metadata_strip(located)

    assert stripped.dropped == ("tIME", "prVt")
    assert b"gAMA" in stripped.data
    _assert_same_pixels(located, stripped.data)


def test_an_animated_png_keeps_every_frame():
    frames = [_decoded(image_bytes(seed, image_format="PNG")) for seed in (1, 2, 3)]
    buffer = io.BytesIO()
    frames[0].save(
        buffer, format="PNG", save_all=True, append_images=frames[1:], exif=located_exif()
    )
    located = buffer.getvalue()

    stripped = metadata_strip(located)

    assert stripped.dropped == ("eXIf",)
    for before, after in zip(_frames(located), _frames(stripped.data), strict=True):
        assert before == after


def test_an_animated_webp_keeps_every_frame():
    frames = [_decoded(image_bytes(seed, image_format="PNG")) for seed in (1, 2, 3)]
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        format="WEBP",
        save_all=True,
        append_images=frames[1:],
        exif=located_exif(),
        xmp=b"<x:xmpmeta/>",
    )
    located = buffer.getvalue()

    stripped = metadata_strip(located)

    assert {"EXIF", "XMP"} <= set(stripped.dropped)
    assert metadata_in(stripped.data) == set()
    assert _frames(located) == _frames(stripped.data)


def _frames(data: bytes) -> list[bytes]:
    image = Image.open(io.BytesIO(data))
    pixels = []
    for index in range(image.n_frames):
        image.seek(index)
        pixels.append(image.convert("RGBA").tobytes())
    return pixels


def test_the_format_is_told_by_content():
    assert [image_format_of(located_photo(1, image_format=f)) for f in ("JPEG", "PNG", "WEBP")] == [
        "JPEG",
        "PNG",
        "WEBP",
    ]
    assert image_format_of(b"GIF89a") is None


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"%PDF-1.7", "not a JPEG, PNG or WebP"),
        (b"", "not a JPEG, PNG or WebP"),
        (b"\xff\xd8\xff\xe1\x40\x00Exif\x00\x00", "runs past the file's end"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", "ends before"),
        (b"\xff\xd8\xff\xe0\x00\x04ab\x12\x34", "no marker at byte 8"),
        (b"\xff\xd8\xff", "ends inside a marker"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00", "ends inside the chunk"),
        (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"tEXt", b"a\x00b"), "does not start with its header"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x01I\x00DR\x00\x00\x00\x00\x00", "no chunk at byte 8"),
        (b"RIFF\xff\x00\x00\x00WEBPVP8 ", "shorter than its RIFF header"),
        (b"RIFF\x0c\x00\x00\x00WEBPVP8 \xff\x00\x00\x00", "runs past the file's end"),
        (b"RIFF\x0c\x00\x00\x00WEBPEXIF\x00\x00\x00\x00", "holds no image"),
    ],
)
def test_a_file_it_cannot_follow_is_refused_with_a_reason(data, problem):
    with pytest.raises(MetadataError, match=problem):
        metadata_strip(data)


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_a_file_cut_anywhere_is_refused_or_copied_clean(image_format):
    located = located_photo(8, image_format=image_format)
    for cut in range(3, len(located), 3):
        try:
            stripped = metadata_strip(located[:cut])
        except MetadataError:
            continue
        assert b"GPSLatitude" not in stripped.data and b"PhoneMaker" not in stripped.data


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_a_scrambled_file_is_refused_or_copied_never_crashes(image_format):
    located = located_photo(8, image_format=image_format)
    rng = random.Random(image_format)
    outcomes = set()
    for _ in range(500):
        data = bytearray(located)
        for _flip in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            outcomes.add(type(metadata_strip(bytes(data))))
        except MetadataError:
            outcomes.add(MetadataError)

    assert outcomes <= {Stripped, MetadataError}


def test_an_unknown_critical_png_chunk_or_jpeg_marker_is_refused():
    png = _png_insert(image_bytes(1, image_format="PNG"), _png_chunk(b"ITXt", b"where"))
    jpeg = image_bytes(1)
    jpeg = jpeg[:2] + b"\xff\xf1\x00\x04ab" + jpeg[2:]

    with pytest.raises(MetadataError, match="unknown critical chunk"):
        metadata_strip(png)
    with pytest.raises(MetadataError, match="unknown marker at byte 3"):
        metadata_strip(jpeg)
