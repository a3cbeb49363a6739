"""Real image files made with Pillow: distinct per seed, in any format, with EXIF orientation."""

import functools
import io
import struct
import warnings
import zipfile
import zlib

from PIL import Image, ImageCms, PngImagePlugin

#: Words a located photo carries in its metadata; none of them may leave with a variant.
LOCATION_WORDS = (b"PhoneMaker", b"GPSLatitude", b"Seoul", b"taken at home")
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="37,33.99N" '
    b'exif:GPSLongitude="126,58.67E"/></rdf:RDF></x:xmpmeta>'
)
_GPS_IFD = 0x8825


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


@functools.cache
def icc_profile() -> bytes:
    """An sRGB ICC profile made by LittleCMS (once: it records the time it was made)."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def located_exif(orientation: int = 1) -> Image.Exif:
    """EXIF as a phone writes it: orientation, maker, and a GPS block (central Seoul)."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(_GPS_IFD).update({1: "N", 2: (37.0, 33.0, 59.4), 3: "E", 4: (126.0, 58.0, 40.2)})
    return exif


def located_photo(
    seed: int = 0,
    *,
    size=(64, 48),
    image_format: str = "JPEG",
    orientation: int = 1,
) -> bytes:
    """A picture carrying where it was taken, in every place its format allows.

    JPEG: EXIF with GPS, XMP, a comment; PNG: ``tEXt``, ``zTXt``, ``iTXt`` (XMP) and
    ``eXIf``; WebP and HEIC: EXIF and XMP. Each also carries an ICC profile.
    """
    image = Image.open(io.BytesIO(image_bytes(seed, size=size, image_format="PNG")))
    options = {"exif": located_exif(orientation), "icc_profile": icc_profile()}
    if image_format == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", "taken at home")
        text.add_text("Location", "Seoul", zip=True)
        text.add_itxt("XML:com.adobe.xmp", XMP.decode())
        options["pnginfo"] = text
    else:
        options["xmp"] = XMP
    if image_format == "JPEG":
        options.update(comment=b"taken at home", quality=90)
    if image_format == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def metadata_in(data: bytes) -> set[str]:
    """What of a located photo's metadata a file still carries: an empty set when none.

    Asked of Pillow (EXIF and its GPS block, XMP, PNG text) and of the raw bytes (the
    EXIF and XMP headers, PNG text chunk types, the words the located photo wrote).
    """
    found = set()
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        exif = image.getexif()
        if len(exif):
            found.add("exif")
        if exif.get_ifd(_GPS_IFD):
            found.add("gps")
        found.update(key for key in ("xmp", "comment", "exif") if image.info.get(key))
        found.update(f"text:{key}" for key in getattr(image, "text", {}))
    for marker in (b"Exif\x00\x00", b"xmpmeta", b"tEXt", b"zTXt", b"iTXt", b"eXIf"):
        if marker in data:
            found.add(marker.decode("latin-1"))
    found.update(word.decode() for word in LOCATION_WORDS if word in data)
    return found


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


def zip_encrypting(entries: list[tuple[str, bytes]], *, encrypted: tuple[str, ...]) -> bytes:
    """A zip whose entries named in ``encrypted`` carry the "encrypted" flag, as ZipCrypto
    archives do (the bytes stay plain: a reader must refuse them before decrypting)."""
    data = bytearray(zip_bytes(entries))
    for signature, flags_at, name_length_at, name_at in (
        (b"PK\x03\x04", 6, 26, 30),  # local header
        (b"PK\x01\x02", 8, 28, 46),  # central directory entry
    ):
        start = data.find(signature)
        while start != -1:
            (length,) = struct.unpack_from("<H", data, start + name_length_at)
            name = bytes(data[start + name_at : start + name_at + length]).decode()
            if name in encrypted:
                (flags,) = struct.unpack_from("<H", data, start + flags_at)
                struct.pack_into("<H", data, start + flags_at, flags | 0x1)
            start = data.find(signature, start + 4)
    return bytes(data)


def png_with_text_chunk(text_bytes: int, *, seed: int = 0) -> bytes:
    """A valid PNG followed, after its pixels, by a zTXt chunk that expands to
    ``text_bytes``: the header reads fine; only a full decode meets the chunk."""
    png = image_bytes(seed, image_format="PNG")
    body = b"Comment\x00\x00" + zlib.compress(b"x" * text_bytes, 9)
    chunk = struct.pack(">I", len(body)) + b"zTXt" + body
    chunk += struct.pack(">I", zlib.crc32(b"zTXt" + body))
    end = png.rfind(b"IEND") - 4
    return png[:end] + chunk + png[end:]


def png_garbled(seed: int = 0) -> bytes:
    """A PNG whose header is sound and whose compressed pixels are garbage."""
    data = bytearray(image_bytes(seed, size=(200, 150), image_format="PNG"))
    start = data.find(b"IDAT") + 10
    data[start : start + 30] = bytes(byte ^ 0xFF for byte in data[start : start + 30])
    return bytes(data)
