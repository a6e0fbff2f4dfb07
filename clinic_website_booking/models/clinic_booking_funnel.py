from odoo import api, fields, models
from odoo.tools import SQL

STEP_FIELDS = {"form": "form_started_at", "booked": "booked_at"}


class ClinicBookingFunnel(models.Model):
    """One website visitor's way to a booking: free slots seen, booking form opened, booked.

    The KPIs read the online conversion (booked / visits that saw free slots) and the online time to
    book (first look at free slots to the booking) from these records.
    """

    _name = "clinic.booking.funnel"
    _description = "Online booking funnel"
    _order = "first_view_at desc, id desc"

    company_id = fields.Many2one(
        "res.company", string="Clinic", required=True, default=lambda self: self.env.company, index=True
    )
    website_id = fields.Many2one("website", string="Website", ondelete="set null")
    first_view_at = fields.Datetime(
        string="Slots first seen", required=True, default=fields.Datetime.now, index=True,
        help="The visitor's first look at free slots.",
    )  # fmt: skip
    form_started_at = fields.Datetime(string="Form opened", help="First time a slot was held for the booking form.")
    booked_at = fields.Datetime(string="Booked at")
    appointment_id = fields.Many2one("clinic.appointment", string="Appointment", ondelete="set null")
    stage = fields.Selection(
        [("viewed", "Saw free slots"), ("form", "Opened the form"), ("booked", "Booked")],
        string="Reached",
        compute="_compute_stage",
        store=True,
    )
    seconds_to_book = fields.Integer(
        string="Time to book, s",
        compute="_compute_stage",
        store=True,
        help="From the first look at free slots to the booking.",
    )

    @api.depends("form_started_at", "booked_at", "first_view_at")
    def _compute_stage(self):
        for visit in self:
            visit.stage = "booked" if visit.booked_at else "form" if visit.form_started_at else "viewed"
            visit.seconds_to_book = (
                int((visit.booked_at - visit.first_view_at).total_seconds()) if visit.booked_at else 0
            )

    def _step(self, step, appointment=None):
        """Record that the visitor reached ``step`` (form, booked); the first time counts."""
        field = STEP_FIELDS[step]
        for visit in self.sudo().filtered(lambda v: not v[field]):
            vals = {field: fields.Datetime.now()}
            if appointment:
                vals["appointment_id"] = appointment.id
            if step == "booked" and not visit.form_started_at:
                vals["form_started_at"] = vals[field]
            visit.write(vals)

    @api.private
    @api.model
    def stats(self, date_from, date_to):
        """Visits whose free slots were first seen between ``date_from`` and ``date_to`` (UTC datetimes):
        counts per stage, the conversion to a booking and the median seconds to book."""
        domain = [("first_view_at", ">=", date_from), ("first_view_at", "<", date_to)]
        visits = self.search_count(domain)
        forms = self.search_count([*domain, ("form_started_at", "!=", False)])
        booked = self.search_count([*domain, ("booked_at", "!=", False)])
        query = self._search([*domain, ("booked_at", "!=", False)])
        self.env.cr.execute(
            query.select(
                SQL("percentile_cont(0.5) WITHIN GROUP (ORDER BY %s)", SQL.identifier(query.table, "seconds_to_book"))
            )
        )
        median = self.env.cr.fetchone()[0]
        return {
            "visits": visits,
            "forms": forms,
            "booked": booked,
            "conversion": booked / visits if visits else None,
            "form_conversion": booked / forms if forms else None,
            "median_seconds_to_book": median,
        }
