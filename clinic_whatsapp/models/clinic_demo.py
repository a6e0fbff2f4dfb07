import random

from odoo import api, fields, models

from .clinic_message import _e164

DEMO_SEED = 2026
SERVICE_SHARE = 0.85  # of the patients not yet reachable, those who agree to service messages at the desk
MARKETING_SHARE = 0.2  # of those without a marketing consent, those who also agree to promotions
SERVICE_CHANNELS = (("whatsapp", 55), ("sms", 25), ("all", 20))


class ClinicDemo(models.AbstractModel):
    _inherit = "clinic.demo"

    @api.model
    def _generate_messaging_demo(self):
        """Most demo patients agreed at the front desk to service messages on WhatsApp or SMS, fewer to
        promotions, so that the demo's reminders pass the consent gate; the bookings ahead get their
        reminders in the outbox, on the demo channels (see the demo data)."""
        rng = random.Random(DEMO_SEED)
        now = fields.Datetime.now()
        channels, weights = zip(*SERVICE_CHANNELS, strict=True)
        vals_list = []
        for patient in self.env["res.partner"].search([("is_patient", "=", True)], order="id"):
            if not _e164(patient):
                continue
            consent = {"partner_id": patient.id, "action": "given", "source": "front_desk", "date": now}
            reachable = any(patient.clinic_may_contact("service_messages", c, now) for c in ("whatsapp", "sms"))
            if not reachable and rng.random() < SERVICE_SHARE:
                vals_list.append(
                    {**consent, "purpose": "service_messages", "channel": rng.choices(channels, weights)[0]}
                )
            promotions = any(patient.clinic_may_contact("marketing", c, now) for c in ("whatsapp", "sms"))
            if not promotions and rng.random() < MARKETING_SHARE:
                vals_list.append({**consent, "purpose": "marketing", "channel": rng.choice(("whatsapp", "sms"))})
        self.env["clinic.consent"].create(vals_list)
        # the bookings ahead were made before messaging was installed: their reminders go out now
        ahead = self.env["clinic.appointment"].search([("state", "in", ("booked", "confirmed")), ("start", ">", now)])
        for appointment in ahead:
            appointment._clinic_messaging_queue_reminders()
