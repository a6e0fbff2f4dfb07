from odoo import api, fields, models


class ClinicRemdResult(models.Model):
    """A registerDocumentResult already applied: one per message of ours, enforced by PostgreSQL.

    The key is the signed ``relatesToMessage`` (REMD's redeliveries and a replayed envelope carry the
    same one, whatever unsigned headers say); REMD's own MessageID of the callback is kept, unique too.
    """

    _name = "clinic.remd.result"
    _description = "REMD result applied"
    _order = "id desc"

    relates_to = fields.Char(
        string="Our message", required=True, readonly=True, help="The registerDocument message the result answers."
    )
    message_id = fields.Char(
        string="Callback message id", readonly=True, help="WS-Addressing MessageID of REMD's call."
    )
    document_id = fields.Many2one("clinic.semd.document", string="Document", readonly=True, ondelete="cascade")

    _sql_constraints = [
        ("relates_to_unique", "unique(relates_to)", "A REMD result for this message was already applied."),
        ("message_id_unique", "unique(message_id)", "A REMD callback with this message id was already received."),
    ]

    @api.model
    def _claim(self, document, relates_to, message_id=None):
        """True for the first delivery of the result of ``relates_to`` (or of the callback ``message_id``)."""
        self.env.cr.execute(
            """INSERT INTO clinic_remd_result (relates_to, message_id, document_id, create_uid, create_date,
                                                write_uid, write_date)
               VALUES (%s, %s, %s, %s, now() at time zone 'UTC', %s, now() at time zone 'UTC')
               ON CONFLICT DO NOTHING RETURNING id""",
            [relates_to, message_id or None, document.id, self.env.uid, self.env.uid],
        )
        return bool(self.env.cr.fetchone())
