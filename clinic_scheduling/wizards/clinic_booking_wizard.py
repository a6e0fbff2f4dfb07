from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.clinic_base.tools.access import RECEPTIONIST, require_group

from ..models.clinic_appointment import SOURCES

DAYS_SHOWN = 7
SLOTS_SHOWN = 200


class ClinicBookingWizard(models.TransientModel):
    """The receptionist's booking window: find the patient, filter, click a free time."""

    _name = "clinic.booking.wizard"
    _description = "Booking window"

    opened_at = fields.Datetime(string="Opened at", default=fields.Datetime.now, readonly=True)
    patient_id = fields.Many2one("res.partner", string="Patient", domain=[("is_patient", "=", True)])
    patient_warning = fields.Char(string="Check the card", compute="_compute_patient_warning")
    patient_appointment_ids = fields.Many2many(
        "clinic.appointment", string="Upcoming appointments", compute="_compute_patient_appointment_ids"
    )
    appointment_id = fields.Many2one(
        "clinic.appointment", string="Appointment to move", help="Set when the window was opened to reschedule."
    )
    source = fields.Selection(SOURCES, string="Source", default="front_desk", required=True)
    age_group = fields.Selection(
        [("adult", "Adults"), ("child", "Children")],
        string="Patient is",
        compute="_compute_age_group",
        store=True,
        readonly=False,
    )
    specialty_id = fields.Many2one("clinic.nsi.specialty", string="Specialty")
    employee_id = fields.Many2one("hr.employee", string="Practitioner", domain=[("is_practitioner", "=", True)])
    service_id = fields.Many2one("product.product", string="Service", domain=[("is_medical_service", "=", True)])
    week_start = fields.Date(string="Week from", default=fields.Date.context_today, required=True)
    free_slot_ids = fields.Many2many("clinic.slot", string="Free times", compute="_compute_free_slot_ids")

    @api.depends("patient_id")
    def _compute_age_group(self):
        for wizard in self:
            if wizard.patient_id.birth_date:
                wizard.age_group = "child" if wizard.patient_id.is_child else "adult"

    @api.depends("patient_id")
    def _compute_patient_warning(self):
        for wizard in self:
            clusters = (
                self.env["clinic.duplicate.cluster"].search_count(
                    [("partner_ids", "in", wizard.patient_id.ids), ("state", "=", "open")]
                )
                if wizard.patient_id
                else 0
            )
            wizard.patient_warning = (
                self.env._("This card may be a duplicate: check «Possible duplicates» before booking.")
                if clusters
                else False
            )

    @api.depends("patient_id")
    def _compute_patient_appointment_ids(self):
        for wizard in self:
            wizard.patient_appointment_ids = (
                self.env["clinic.appointment"].search(
                    [
                        ("patient_id", "=", wizard.patient_id.id),
                        ("state", "in", ("booked", "confirmed")),
                        ("start", ">=", fields.Datetime.now()),
                    ],
                    limit=10,
                )
                if wizard.patient_id
                else False
            )

    @api.depends("specialty_id", "employee_id", "service_id", "age_group", "week_start", "appointment_id")
    def _compute_free_slot_ids(self):
        for wizard in self:
            runs = self.env["clinic.slot"].find_free(
                employees=wizard._matching_employees(),
                date_from=wizard._week_bounds()[0],
                date_to=wizard._week_bounds()[1],
                duration=wizard._duration(),
            )
            wizard.free_slot_ids = [run[0].id for run in runs[:SLOTS_SHOWN]]

    def _week_bounds(self):
        tz = pytz.timezone(self.env.user.tz or self.env.company.resource_calendar_id.tz or "Europe/Moscow")
        start = tz.localize(datetime.combine(self.week_start, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
        return start, start + timedelta(days=DAYS_SHOWN)

    def _duration(self):
        return self.service_id.duration_minutes or (self.appointment_id.duration if self.appointment_id else None)

    def _matching_employees(self):
        domain = [("is_practitioner", "=", True)]
        if self.employee_id:
            domain.append(("id", "=", self.employee_id.id))
        if self.specialty_id:
            domain.append(("specialty_ids", "in", self.specialty_id.ids))
        if self.service_id.specialty_ids:
            domain.append(("specialty_ids", "in", self.service_id.specialty_ids.ids))
        if self.age_group:
            domain.append(("age_group", "in", (self.age_group, "both")))
        return self.env["hr.employee"].search(domain)

    def action_previous_week(self):
        self.week_start -= timedelta(days=DAYS_SHOWN)
        return self._reopen()

    def action_next_week(self):
        self.week_start += timedelta(days=DAYS_SHOWN)
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Booking window"),
        }

    @api.private
    def book(self, slot):
        """Book (or move to) the chosen free time; a lost race comes back as the nearest alternatives."""
        self.ensure_one()
        if self.appointment_id:
            self.appointment_id.action_reschedule(slot)
            appointment = self.appointment_id
        else:
            if not self.patient_id:
                raise UserError(self.env._("Find or create the patient first."))
            appointment = self.env["clinic.appointment"].book_slot(
                self.patient_id,
                slot,
                services=self.service_id,
                source=self.source,
                booking_started_at=self.opened_at,
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "clinic.appointment",
            "res_id": appointment.id,
            "view_mode": "form",
            "target": "current",
        }


class ClinicSlot(models.Model):
    _inherit = "clinic.slot"

    def action_book_from_window(self):
        """The «Book» button on a free time in the booking window."""
        require_group(self.env, RECEPTIONIST)
        wizard = self.env["clinic.booking.wizard"].browse(self.env.context.get("booking_wizard_id")).exists()
        if not wizard:
            raise UserError(self.env._("Open the booking window again: it has expired."))
        return wizard.book(self)
