from odoo import fields, models


class ClinicWaitlistOffer(models.Model):
    _inherit = "clinic.waitlist.offer"

    clinic_message_ids = fields.One2many("clinic.message", "offer_id", string="Patient messages")

    def _deliver(self):
        """Runs inside the cancelling transaction: only writes the offer's message into the outbox."""
        result = super()._deliver()
        for offer in self:
            self.env["clinic.message"]._enqueue_offer(offer)
        return result
