"""Bulk inserts through Odoo's cursor, for the tables an import fills by the hundred thousand."""

from psycopg2.extras import execute_values

PAGE_SIZE = 2000


def insert_values(cr, query, rows, template=None):
    """``INSERT ... VALUES %s`` for many rows at once (psycopg2's execute_values on Odoo's cursor)."""
    if rows:
        execute_values(cr._obj, query, rows, template=template, page_size=PAGE_SIZE)
