"""Laboratory results chose their test, biomaterial and interpretation from selections of codes; they point to the
books' rows now (filled at install from codes_unshipped.json before this step): each code is matched to its row."""

from odoo.tools import SQL

COLUMNS = (
    ("test_code", "test_id", "clinic_nsi_lab_test"),
    ("specimen_code", "specimen_id", "clinic_nsi_biomaterial"),
    ("interpretation_code", "interpretation_id", "clinic_nsi_lab_interpretation"),
)


def migrate(cr, version):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'clinic_visit_lab_result'"
        " AND column_name IN %s",
        [tuple(old for old, _new, _table in COLUMNS)],
    )
    present = {column for (column,) in cr.fetchall()}
    for old, new, table in COLUMNS:
        if old not in present:
            continue
        cr.execute(
            SQL(
                "UPDATE clinic_visit_lab_result line SET %(new)s = book.id FROM %(table)s book"
                " WHERE book.code = line.%(old)s AND line.%(new)s IS NULL",
                new=SQL.identifier(new),
                table=SQL.identifier(table),
                old=SQL.identifier(old),
            )
        )
        cr.execute(SQL("ALTER TABLE clinic_visit_lab_result DROP COLUMN %s", SQL.identifier(old)))
