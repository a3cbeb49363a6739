"""The API's parsers: DRF's, with the edges of their input kept visible to the app.

JSON: the standard library's parser lets through what the rest of the app cannot use: nesting
deep enough to exhaust the stack (a ``RecursionError``, so a 500), a key given twice (the last
one silently wins), ``NaN`` and ``Infinity``, and integers too large for a float. Each is
refused here with a message naming the problem, before any view sees the body.
``json_loads_strict`` is the same reading for JSON that arrives some other way (a delivered
file's lines): it raises ``StrictJsonError`` with that message.

Multipart: Django's parser rewrites a file's name before any view sees it (it keeps the
basename, drops control and direction characters, cuts it to 255 characters), so a name the
app would refuse arrives looking harmless. ``ClientNameMultiPartParser`` keeps the name as
the client sent it (``client_file_name(file)``); the file's ``name`` is Django's as ever.
"""

import json
import math
import os

from django.conf import settings
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import DataAndFiles, JSONParser, MultiPartParser

#: The most digits an integer may have: every id and coordinate fits in 64 bits.
INTEGER_DIGITS_MAX = 19


class StrictJsonError(ValueError):
    """JSON refused by ``json_loads_strict``: its text is the message for people, except
    for text that does not parse at all, whose ``syntax`` is the parser's own words (the
    caller says what was not JSON: "The body is not JSON: …")."""

    def __init__(self, message: str, *, syntax: str = "") -> None:
        super().__init__(message)
        self.syntax = syntax


def _object(pairs: list[tuple[str, object]]) -> dict:
    data = {}
    for key, value in pairs:
        if key in data:
            raise StrictJsonError(
                _("The key “%(key)s” is given twice in one object.") % {"key": key}
            )
        data[key] = value
    return data


def _constant(name: str):
    raise StrictJsonError(_("%(name)s is not a number JSON allows.") % {"name": name})


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > INTEGER_DIGITS_MAX:
        raise StrictJsonError(
            _("An integer of more than %(digits)s digits is refused.")
            % {"digits": INTEGER_DIGITS_MAX}
        )
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise StrictJsonError(_("The number %(text)s is too large.") % {"text": text[:40]})
    return value


def _depth(data) -> int:
    """How deeply objects and lists nest (a scalar is 0), without recursing."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


def json_loads_strict(text: str):
    """``text`` read as JSON, refusing (``StrictJsonError``) a key given twice, ``NaN`` and
    ``Infinity``, numbers too large, and nesting deeper than ``API_JSON_MAX_DEPTH``."""
    limit = settings.API_JSON_MAX_DEPTH
    too_deep = _("JSON nested deeper than %(depth)s levels is refused.") % {"depth": limit}
    try:
        data = json.loads(
            text,
            object_pairs_hook=_object,
            parse_constant=_constant,
            parse_int=_integer,
            parse_float=_float,
        )
    except RecursionError:
        raise StrictJsonError(too_deep) from None
    except StrictJsonError:
        raise
    except ValueError as error:
        raise StrictJsonError(str(error), syntax=str(error)) from None
    if _depth(data) > limit:
        raise StrictJsonError(too_deep)
    return data


class StrictJsonParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError:
            raise ParseError(
                _("The body is not %(encoding)s text.") % {"encoding": encoding},
                code="parse_error",
            ) from None
        try:
            return json_loads_strict(text)
        except StrictJsonError as error:
            message = str(error)
            if error.syntax:
                message = _("The body is not JSON: %(error)s") % {"error": error.syntax}
            raise ParseError(message, code="parse_error") from None


class _CleanedName(str):
    """Django's cleaned file name (what its handlers may safely use), carrying ``as_sent``."""

    as_sent: str


class _ClientNamesKept(DjangoMultiPartParser):
    """Django's multipart parser, keeping each file (even one whose name it would drop) and
    handing the handlers its cleaned name, short, with the name as sent.

    A spooled file's temporary name ends with the name's extension: a 300-character one
    would be an ``OSError`` (a 500), so the handlers get at most 20 characters of it.
    """

    def sanitize_file_name(self, file_name):
        stem, extension = os.path.splitext(super().sanitize_file_name(file_name) or "unnamed")
        cleaned = _CleanedName(stem[:100] + extension[:20])
        cleaned.as_sent = file_name
        return cleaned


class _ClientName:
    """An upload handler that puts the name as sent on the file it makes."""

    def new_file(self, field_name, file_name, *args, **kwargs):
        self.client_name = getattr(file_name, "as_sent", file_name)
        super().new_file(field_name, file_name, *args, **kwargs)

    def file_complete(self, file_size):
        file = super().file_complete(file_size)
        if file is not None:
            file.client_name = self.client_name
        return file


class _MemoryClientName(_ClientName, MemoryFileUploadHandler):
    pass


class _TemporaryClientName(_ClientName, TemporaryFileUploadHandler):
    pass


def client_file_name(file) -> str:
    """The name a client gave an uploaded file, unchanged (``file.name`` is Django's)."""
    return getattr(file, "client_name", file.name)


def _parse_keeping_names(request, meta, stream, encoding):
    handlers = [_MemoryClientName(request), _TemporaryClientName(request)]
    return _ClientNamesKept(meta, stream, handlers, encoding).parse()


class ClientNameMultiPartParser(MultiPartParser):
    """DRF's multipart parser, keeping every file's name as the client sent it."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = parser_context["request"]
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            data, files = _parse_keeping_names(request, meta, stream, encoding)
        except MultiPartParserError as error:
            raise ParseError(
                _("The multipart body cannot be read: %(error)s") % {"error": error}
            ) from None
        return DataAndFiles(data, files)
