"""How records introduce themselves to people: selection labels and moments in the reader's language and time."""

from odoo.tools import format_datetime


def selection_label(record, fname):
    """The label of ``record[fname]`` in the reader's language: «Дано», not ``given``."""
    return dict(record._fields[fname]._description_selection(record.env)).get(record[fname], "")


def moment(env, value):
    """A date-time as the reader reads it: «03.12.2026 10:00», in their time zone."""
    return format_datetime(env, value, dt_format="dd.MM.yyyy HH:mm") if value else ""
