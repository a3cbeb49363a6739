"""Real image files made with Pillow: distinct per seed, in any format, with EXIF orientation."""

import io
import struct
import warnings
import zipfile
import zlib

from PIL import Image


def image_bytes(
    seed: int = 0, *, size=(64, 48), image_format: str = "JPEG", orientation: int | None = None
) -> bytes:
    """A two-coloured picture (left and right halves differ) so orientation is visible."""
    # colours far apart for nearby seeds: JPEG would merge a difference of one level
    image = Image.new("RGB", size, (200, 40 + (seed * 29) % 200, 60))
    image.paste((30, 60 + (seed * 53) % 150, 220 - (seed * 7) % 200), (size[0] // 2, 0, *size))
    buffer = io.BytesIO()
    options = {}
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        options["exif"] = exif
    if image_format == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header alone claims huge dimensions: a decompression bomb's calling card."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    ihdr = struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    end = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    return b"\x89PNG\r\n\x1a\n" + ihdr + end


def zip_bytes(entries: list[tuple[str, bytes]], *, symlinks: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        warnings.simplefilter("ignore")  # repeated names are one of the hostile cases
        for name, content in entries:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name in symlinks:
                info.external_attr = 0o120777 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def zip_understating(name: str, content: bytes, declared: int) -> bytes:
    """A zip whose only entry declares ``declared`` bytes but holds ``len(content)``."""
    data = bytearray(zip_bytes([(name, content)]))
    real = struct.pack("<I", len(content))
    lie = struct.pack("<I", declared)
    # local header: uncompressed size at offset 22; central directory entry: offset 24
    assert data[22:26] == real
    data[22:26] = lie
    central = data.rfind(b"PK\x01\x02")
    assert data[central + 24 : central + 28] == real
    data[central + 24 : central + 28] = lie
    return bytes(data)
