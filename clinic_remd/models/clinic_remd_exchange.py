from odoo import api, fields, models


class ClinicRemdExchange(models.Model):
    """Every message exchanged with REMD (or the platform), as it went on the wire: the audit trail.

    Written by the registration jobs and the callback endpoints only; nobody edits it.
    """

    _name = "clinic.remd.exchange"
    _description = "REMD exchange"
    _order = "id desc"

    document_id = fields.Many2one(
        "clinic.semd.document", string="Document", index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one("res.company", string="Clinic", readonly=True, default=lambda self: self.env.company)
    direction = fields.Selection(
        [("out", "Clinic → REMD"), ("in", "REMD → clinic")], string="Direction", required=True, readonly=True
    )
    transport = fields.Char(string="Transport", readonly=True)
    operation = fields.Char(string="Operation", required=True, readonly=True, index=True)
    message_id = fields.Char(string="Message id", readonly=True, index=True, help="WS-Addressing MessageID.")
    relates_to = fields.Char(string="Relates to", readonly=True, index=True, help="The message this one answers.")
    url = fields.Char(string="Address", readonly=True)
    request = fields.Text(string="Request", readonly=True, help="The raw message sent (signed SOAP or JSON).")
    response = fields.Text(string="Response", readonly=True, help="The raw answer received.")
    http_status = fields.Integer(string="HTTP status", readonly=True)
    outcome = fields.Char(string="Outcome", readonly=True)
    error = fields.Text(string="Error", readonly=True)
    started_at = fields.Datetime(string="Started", readonly=True, default=fields.Datetime.now)
    duration_ms = fields.Integer(string="Duration, ms", readonly=True)

    @api.model
    def _log(self, document, direction, exchange=None, **vals):
        """Keep one exchange; ``exchange`` is a transports.base.Exchange (or None for an incoming call)."""
        if exchange is not None:
            vals = {
                "operation": exchange.operation,
                "message_id": exchange.message_id,
                "url": exchange.url,
                "request": exchange.request,
                "response": exchange.response,
                "http_status": exchange.http_status,
                "error": exchange.error,
                **vals,
            }
        return self.sudo().create(
            {
                "document_id": document.id if document else False,
                "company_id": (document.company_id or self.env.company).id if document else self.env.company.id,
                "direction": direction,
                **vals,
            }
        )
