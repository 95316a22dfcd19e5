"""A database's schema and migrated rows, described so that two databases can be compared
(tests/rastrack/test_migrations.py): tables, their columns (name, type, null), their
constraints and indexes by what they cover rather than by their generated names, and the
number of rows in each table that holds any. Run as a script (`python -m
tests.support.schema`), it prints the description of the database `DATABASE_URL` names.
"""

from __future__ import annotations

import json


def describe(connection) -> dict:
    introspection = connection.introspection
    tables = {}
    with connection.cursor() as cursor:
        for table in sorted(introspection.table_names(cursor)):
            if table == "django_migrations":
                continue
            columns = sorted([column.name, str(column.type_code), bool(column.null_ok)]
                             for column in introspection.get_table_description(cursor, table))
            constraints = sorted(
                json.dumps([sorted(str(column) for column in info["columns"] or []), bool(info["primary_key"]), bool(info["unique"]),
                            info["foreign_key"] and list(info["foreign_key"]), bool(info["check"]),
                            bool(info["index"]) and not info["primary_key"] and not info["unique"]])
                for info in introspection.get_constraints(cursor, table).values())
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            tables[table] = {"columns": columns, "constraints": constraints, "rows": cursor.fetchone()[0]}
    return tables


if __name__ == "__main__":
    import django

    django.setup()
    from django.db import connection

    print(json.dumps(describe(connection)))
