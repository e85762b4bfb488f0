"""Database helpers that the ORM does not give."""

from django.db import connection


def fetchall_prepared(sql, params):
    """The rows of a hot raw statement, planned once per connection on PostgreSQL.

    Django's psycopg cursors bind parameters on the client, so the server plans every
    execution afresh; a statement like the trace's recursive query spends more time being
    planned than run. A server-binding psycopg cursor with `prepare=True` keeps the plan
    for the life of the (persistent) connection, provided psycopg's prepare_threshold is
    not None (Django sets None; config/settings.py sets 5 unless DB_PREPARED_STATEMENTS
    is false, and then this plans afresh like any execute). Elsewhere an ordinary execute.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchall()


def instance_by_pk(model, pk):
    """One model instance by primary key with a prepared statement on PostgreSQL (None if
    there is none): the ORM's `get` compiles its SQL afresh on every call, which a lookup
    made on every request (the token's user) need not pay. Elsewhere the ORM's `get`."""
    if connection.vendor != "postgresql":
        return model._default_manager.filter(pk=pk).first()
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    sql = "SELECT {} FROM {} WHERE {} = %s".format(
        ", ".join(quote(f.column) for f in fields),
        quote(model._meta.db_table),
        quote(model._meta.pk.column),
    )
    rows = fetchall_prepared(sql, [pk])
    if not rows:
        return None
    values = list(rows[0])
    table = model._meta.db_table
    for i, field in enumerate(fields):
        if hasattr(field, "from_db_value"):  # as the ORM's converters would
            values[i] = field.from_db_value(values[i], field.get_col(table), connection)
    return model.from_db(connection.alias, [f.attname for f in fields], values)


# n ids from a table's sequence (params: table, column, n). The sequence is looked up once:
# in the select list, pg_get_serial_sequence ran once per row and cost more than nextval
# (20 ms against 3 ms for 10,000 ids); OFFSET 0 keeps the planner from inlining it back.
NEXT_IDS_SQL = (
    "SELECT nextval(seq.name) FROM "
    "(SELECT pg_get_serial_sequence(%s, %s)::regclass AS name OFFSET 0) AS seq, "
    "generate_series(1, %s)"
)


def bulk_insert(objs, *, batch_size=1000):
    """Insert new model instances of one model and set their ids: on PostgreSQL the ids
    come from the sequence in one query and the rows go in by COPY (a fan-out of
    thousands of rows stays a few statements and skips the per-value SQL quoting of
    bulk_create); elsewhere bulk_create."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=batch_size)
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in [meta.pk, *fields])
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.execute(NEXT_IDS_SQL, [meta.db_table, meta.pk.column, len(objs)])
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [obj.pk]
                    + [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
                )
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
    return objs
