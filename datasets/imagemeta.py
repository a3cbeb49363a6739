"""Metadata out of image files, pixels untouched: JPEG segments, PNG chunks, WebP chunks.

``metadata_strip`` copies a JPEG, PNG or WebP file without what a photo says about where,
when and on what it was taken — EXIF (with its GPS block), XMP, IPTC, comments, PNG text
chunks — and without anything after the image's end (a phone's second picture, a vendor
trailer). It works on the container only: the compressed pixel data is copied byte for
byte, so the decoded pixels are exactly those of the input. What a decoder needs to show
the picture as meant stays: JPEG's JFIF, ICC profile and Adobe segments, PNG's colour and
transparency chunks, WebP's ICC profile, alpha and animation chunks. What is kept is a
list of known names; anything else that does not change the decoded pixels goes.

Dropping EXIF drops its orientation tag too: strip a picture that is already upright.
The file is read whole; callers bound its size (``ITEM_MAX_BYTES``). A file this module
cannot follow raises ``MetadataError`` (a ``ValueError``) and nothing is returned.
No Django here: the module only reads bytes.
"""

import re
import struct
from typing import IO, NamedTuple


class MetadataError(ValueError):
    """The bytes are not a JPEG, PNG or WebP file whose structure can be followed."""


class Stripped(NamedTuple):
    """The copy, and what was left out of it (``()``: nothing, and ``data`` is the input)."""

    data: bytes
    dropped: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.dropped)


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_AFTER_END = "data after the image end"


def image_format_of(data: bytes) -> str | None:
    """The format the first bytes tell: "JPEG", "PNG", "WEBP", or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(_PNG_SIGNATURE):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def metadata_strip(source: bytes | IO[bytes]) -> Stripped:
    """A copy of a JPEG, PNG or WebP file without its metadata; the pixels untouched."""
    data = source if isinstance(source, bytes) else source.read()
    image_format = image_format_of(data)
    if image_format is None:
        raise MetadataError("not a JPEG, PNG or WebP file")
    out, dropped = {"JPEG": _jpeg, "PNG": _png, "WEBP": _webp}[image_format](data)
    if not dropped:
        return Stripped(data, ())
    return Stripped(b"".join(out), tuple(dropped))


# JPEG -------------------------------------------------------------------------------------

#: Inside entropy-coded data a 0xFF is followed by 0x00 (a stuffed byte), a restart marker
#: (0xD0–0xD7) or more 0xFF fill; anything else is the next marker.
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_STANDALONE = {0x01, *range(0xD0, 0xD8)}
#: APPn segments kept, by the identifier their payload starts with.
_JPEG_KEPT = {0xE0: b"JFIF\x00", 0xE2: b"ICC_PROFILE\x00", 0xEE: b"Adobe"}
_SOS, _EOI, _COM = 0xDA, 0xD9, 0xFE
#: Segments with a length that a decoder reads: frames and tables (0xC0–0xCF), scans and
#: their tables (0xDA–0xDF), JPEG-LS (0xF7, 0xF8), APPn and COM. Others are refused.
_SEGMENTS = {*range(0xC0, 0xD0), *range(0xDA, 0xF0), 0xF7, 0xF8, _COM}


def _jpeg_dropped(marker: int, payload: bytes) -> str | None:
    """The name of a segment to leave out, or None to keep it."""
    if marker == _COM:
        return "COM"
    if not 0xE0 <= marker <= 0xEF:
        return None  # frame, tables, scans, restart interval: the picture itself
    kept = _JPEG_KEPT.get(marker)
    if kept is not None and payload.startswith(kept):
        return None
    label = payload.split(b"\x00", 1)[0][:32].decode("ascii", "replace")
    label = "".join(char if char.isprintable() else "?" for char in label)
    return f"APP{marker - 0xE0} {label}".rstrip()


def _jpeg(data: bytes) -> tuple[list[bytes], list[str]]:
    out, dropped = [data[:2]], []
    pos, end = 2, len(data)
    while True:
        if pos >= end:
            raise MetadataError("the JPEG file ends before its image data")
        if data[pos] != 0xFF:
            raise MetadataError(f"the JPEG file has no marker at byte {pos}")
        while pos < end and data[pos] == 0xFF:  # fill bytes may precede a marker
            pos += 1
        if pos >= end:
            raise MetadataError("the JPEG file ends inside a marker")
        marker = data[pos]
        pos += 1
        if marker == _EOI:
            out.append(b"\xff\xd9")
            if pos < end:
                dropped.append(_AFTER_END)
            return out, dropped
        if marker in _STANDALONE:
            out.append(bytes((0xFF, marker)))
            continue
        if marker not in _SEGMENTS:
            raise MetadataError(f"the JPEG file has an unknown marker at byte {pos - 1}")
        if pos + 2 > end:
            raise MetadataError("the JPEG file ends inside a segment's length")
        (length,) = struct.unpack_from(">H", data, pos)
        if length < 2 or pos + length > end:
            raise MetadataError(f"the JPEG segment at byte {pos - 2} runs past the file's end")
        name = _jpeg_dropped(marker, data[pos + 2 : pos + length])
        if name is None:
            out.append(bytes((0xFF, marker)))
            out.append(data[pos : pos + length])
        else:
            dropped.append(name)
        pos += length
        if marker == _SOS:  # entropy-coded data runs to the next marker, copied as it is
            found = _NEXT_MARKER.search(data, pos)
            stop = found.start() if found else end
            out.append(data[pos:stop])
            pos = stop
            if found is None:  # no end marker: a file cut short holds no further segment
                return out, dropped


# PNG --------------------------------------------------------------------------------------

#: Critical chunks (an upper-case first letter): kept; any other critical chunk is refused,
#: as a decoder would refuse it.
_PNG_CRITICAL = {b"IHDR", b"PLTE", b"IDAT", b"IEND"}
#: Ancillary chunks kept: colour, transparency, pixel size and animation.
_PNG_KEPT = {
    b"tRNS",
    b"gAMA",
    b"cHRM",
    b"sRGB",
    b"iCCP",
    b"cICP",
    b"mDCV",
    b"cLLI",
    b"sBIT",
    b"bKGD",
    b"hIST",
    b"pHYs",
    b"acTL",
    b"fcTL",
    b"fdAT",
}
_CHUNK_TYPE = re.compile(rb"[A-Za-z]{4}")


def _png(data: bytes) -> tuple[list[bytes], list[str]]:
    out, dropped = [_PNG_SIGNATURE], []
    pos, end = len(_PNG_SIGNATURE), len(data)
    while pos < end:
        if pos + 12 > end:
            raise MetadataError(f"the PNG file ends inside the chunk at byte {pos}")
        length, kind = struct.unpack_from(">I4s", data, pos)
        if not _CHUNK_TYPE.fullmatch(kind) or length > 0x7FFFFFFF:
            raise MetadataError(f"the PNG file has no chunk at byte {pos}")
        if pos == len(_PNG_SIGNATURE) and kind != b"IHDR":
            raise MetadataError("the PNG file does not start with its header chunk")
        chunk_end = pos + 12 + length
        if chunk_end > end:
            raise MetadataError(f"the PNG chunk {kind.decode()} runs past the file's end")
        if kind[0] & 0x20 == 0 and kind not in _PNG_CRITICAL:
            raise MetadataError(f"the PNG file has an unknown critical chunk at byte {pos}")
        if kind in _PNG_CRITICAL or kind in _PNG_KEPT:
            out.append(data[pos:chunk_end])
        else:
            dropped.append(kind.decode("ascii"))
        pos = chunk_end
        if kind == b"IEND":
            if pos < end:
                dropped.append(_AFTER_END)
            return out, dropped
    if len(out) == 1:
        raise MetadataError("the PNG file has no chunks")
    return out, dropped


# WebP -------------------------------------------------------------------------------------

#: Chunks kept: the bitstreams, alpha, animation and the ICC profile.
_WEBP_KEPT = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}
#: VP8X flags of the dropped chunks: EXIF (bit 3) and XMP (bit 2).
_VP8X_METADATA = 0x08 | 0x04


def _webp(data: bytes) -> tuple[list[bytes], list[str]]:
    (size,) = struct.unpack_from("<I", data, 4)
    end = 8 + size
    if end > len(data) or size < 4:
        raise MetadataError("the WebP file is shorter than its RIFF header says")
    out, dropped = [], []
    pos = 12
    while pos < end:
        if pos + 8 > end:
            raise MetadataError(f"the WebP file ends inside the chunk at byte {pos}")
        kind, length = struct.unpack_from("<4sI", data, pos)
        chunk_end = pos + 8 + length
        if chunk_end > end:
            raise MetadataError(f"the WebP chunk at byte {pos} runs past the file's end")
        chunk = data[pos:chunk_end] + (b"\x00" if length % 2 else b"")
        if kind not in _WEBP_KEPT:
            dropped.append(kind.decode("latin-1").rstrip())
        elif kind == b"VP8X":
            if length < 10:
                raise MetadataError("the WebP file's extended header is too short")
            flags = chunk[8]
            if flags & _VP8X_METADATA:
                chunk = chunk[:8] + bytes((flags & ~_VP8X_METADATA,)) + chunk[9:]
                dropped.append("VP8X metadata flags")
            out.append(chunk)
        else:
            out.append(chunk)
        pos = chunk_end + length % 2
    if not out:
        raise MetadataError("the WebP file holds no image")
    if end < len(data):
        dropped.append(_AFTER_END)
    if dropped:
        body = b"".join(out)
        out = [b"RIFF", struct.pack("<I", 4 + len(body)), b"WEBP", body]
    return out, dropped
