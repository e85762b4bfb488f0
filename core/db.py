"""Database helpers that the ORM does not give."""

from django.db import connection


def fetchall_prepared(sql, params):
    """The rows of a hot raw statement, planned once per connection on PostgreSQL.

    Django's psycopg cursors bind parameters on the client, so the server plans every
    execution afresh; a statement like the trace's recursive query spends more time being
    planned than run. A server-binding psycopg cursor with `prepare=True` keeps the plan
    for the life of the (persistent) connection. Elsewhere it is an ordinary execute.
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
