"""Models read and written by plain SQL on the hottest paths (a token's check on every API
call, the annotator's claim, save and submit): the columns to select, instances built from
a row and rows written from an instance, converted as the ORM converts them (times, JSON,
booleans), without building a query each time. Anything not on such a path uses the ORM."""

import functools

from django.db import connection, models


@functools.cache
def _fields(model: type[models.Model]) -> tuple:
    return tuple(model._meta.concrete_fields)


@functools.cache
def _columns(model: type[models.Model], alias: str, vendor: str) -> str:
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in _fields(model))


def model_columns(model: type[models.Model], alias: str) -> str:
    """Every column of ``model`` under the table alias ``alias``, in the model's order."""
    return _columns(model, alias, connection.vendor)


def model_width(model: type[models.Model]) -> int:
    """How many columns ``model_columns`` selects."""
    return len(_fields(model))


@functools.cache
def _converters(model: type[models.Model], vendor: str) -> tuple:
    converters = []
    for field in _fields(model):
        column = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        converters.append((column, tuple(found)))
    return tuple(converters)


def model_from_row(model: type[models.Model], values) -> models.Model:
    """An instance of ``model`` from its columns as ``model_columns`` selected them."""
    converted = []
    for value, (column, converters) in zip(
        values, _converters(model, connection.vendor), strict=True
    ):
        for converter in converters:
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, [field.attname for field in _fields(model)], converted)


def row_insert(instance: models.Model) -> models.Model:
    """INSERT ``instance`` (its primary key comes back onto it), as ``save()`` would."""
    model = type(instance)
    fields = [field for field in _fields(model) if not field.primary_key]
    values = [
        field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
    ]
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({names}) VALUES ({marks}) "  # noqa: S608
            f"RETURNING {quote(model._meta.pk.column)}",
            values,
        )
        instance.pk = cursor.fetchone()[0]
    instance._state.adding, instance._state.db = False, connection.alias
    return instance


def row_update(instance: models.Model, names: list[str]) -> None:
    """UPDATE the fields ``names`` of ``instance`` (by its primary key)."""
    model = type(instance)
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    values = [
        field.get_db_prep_save(field.pre_save(instance, False), connection) for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {model._meta.db_table} SET {assignments} "  # noqa: S608 - our names
            f"WHERE {quote(model._meta.pk.column)} = %s",
            [*values, instance.pk],
        )
