from odoo import api, fields, models

from ..tools.sql import insert_values


class ClinicMigrationLink(models.Model):
    """What an imported 1C row became in Odoo: re-running an export updates these records, never duplicates them."""

    _name = "clinic.migration.link"
    _description = "Link of a 1C row to an Odoo record"
    _order = "id desc"
    _rec_name = "source_id"

    source_db_uid = fields.Char(string="Source key", required=True, readonly=True, help="The 1C base it comes from.")
    source_table = fields.Char(string="1C table", required=True, readonly=True, help="SCnnn, DHnnn...")
    source_id = fields.Char(
        string="1C ID", required=True, readonly=True, help="The row's ID exactly as 1C wrote it, leading spaces kept."
    )
    model = fields.Char(string="Odoo model", required=True, readonly=True, index=True)
    res_id = fields.Many2oneReference(string="Odoo record", model_field="model", readonly=True, index=True)
    verstamp = fields.Integer(string="Version stamp", readonly=True, help="1C's VERSTAMP when last imported.")
    payload_hash = fields.Char(
        string="Content hash", readonly=True, help="Fingerprint of the mapped values when last imported."
    )
    batch_id = fields.Many2one(
        "clinic.migration.batch", string="Last written by", readonly=True, ondelete="set null", index=True
    )

    _sql_constraints = [
        (
            "source_unique",
            "UNIQUE(source_db_uid, source_table, source_id)",
            "A 1C row can be linked to one Odoo record only.",
        )
    ]

    @api.model
    def _read_links(self, source_db_uid, source_table):
        """{1C ID: (model, res_id, payload hash, verstamp)} of one table, in one query."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT source_id, model, res_id, payload_hash, verstamp FROM clinic_migration_link "
            "WHERE source_db_uid = %s AND source_table = %s",
            [source_db_uid, source_table],
        )
        return {row[0]: row[1:] for row in self.env.cr.fetchall()}

    @api.model
    def _upsert(self, rows, batch_id):
        """Write links for ``rows`` (source_db_uid, source_table, source_id, model, res_id, verstamp, hash) in bulk.

        Plain SQL: an import writes hundreds of thousands of them, and nothing computes from them.
        """
        if not rows:
            return
        self.env.flush_all()
        uid = self.env.uid
        insert_values(
            self.env.cr,
            """INSERT INTO clinic_migration_link (source_db_uid, source_table, source_id, model, res_id, verstamp,
                   payload_hash, batch_id, create_uid, write_uid, create_date, write_date)
               VALUES %s
               ON CONFLICT (source_db_uid, source_table, source_id) DO UPDATE
               SET model = EXCLUDED.model, res_id = EXCLUDED.res_id, verstamp = EXCLUDED.verstamp,
                   payload_hash = EXCLUDED.payload_hash, batch_id = EXCLUDED.batch_id,
                   write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date""",
            [(*row, batch_id, uid, uid) for row in rows],
            template="(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now() at time zone 'UTC', now() at time zone 'UTC')",
        )
        self.invalidate_model()

    @api.model
    def _repoint(self, model, old_ids, new_id):
        """Records merged into another one: their links follow it."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE clinic_migration_link SET res_id = %s WHERE model = %s AND res_id = ANY(%s)",
            [new_id, model, list(old_ids)],
        )
        self.invalidate_model(["res_id"])
