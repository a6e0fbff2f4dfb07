from datetime import timedelta

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
    specialty_id = fields.Many2one(
        "clinic.nsi.specialty", string="Specialty", domain="[('id', 'in', allowed_specialty_ids)]"
    )
    employee_id = fields.Many2one("hr.employee", string="Practitioner", domain=[("is_practitioner", "=", True)])
    service_id = fields.Many2one("product.product", string="Service", domain="[('id', 'in', allowed_service_ids)]")
    allowed_specialty_ids = fields.Many2many(
        "clinic.nsi.specialty",
        string="Specialties on offer",
        compute="_compute_allowed",
        help="Only specialties a practitioner of the clinic has (for this age group and practitioner).",
    )
    allowed_service_ids = fields.Many2many(
        "product.product",
        string="Services on offer",
        compute="_compute_allowed",
        help="Only medical services of a specialty a practitioner of the clinic has.",
    )
    week_start = fields.Date(string="Week from", default=lambda self: self.env.company._clinic_today(), required=True)
    free_slot_ids = fields.Many2many("clinic.slot", string="Free times", compute="_compute_free_slot_ids")
    slot_id = fields.Many2one(
        "clinic.slot", string="Chosen time", readonly=True, help="Set when a free cell of the day grid was clicked."
    )

    @api.depends("patient_id")
    def _compute_age_group(self):
        for wizard in self:
            if wizard.patient_id.birth_date:
                wizard.age_group = "child" if wizard.patient_id.is_child else "adult"

    @api.depends("employee_id", "age_group")
    def _compute_allowed(self):
        for wizard in self:
            wizard.allowed_specialty_ids, wizard.allowed_service_ids = self.env["hr.employee.public"]._clinic_offer(
                wizard.employee_id, wizard.age_group
            )

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
        company = self.env.company
        return company._clinic_to_utc(self.week_start), company._clinic_to_utc(
            self.week_start + timedelta(days=DAYS_SHOWN)
        )

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

    @api.model
    def action_open_window(self):
        """The «Book an appointment» menu: the window opens already saved, so its first «Book» click works."""
        return self._open_window({})

    @api.model
    def _open_window(self, values, title=None):
        require_group(self.env, RECEPTIONIST, message=self.env._("Only the front desk books appointments."))
        return self.create(values)._reopen(title)

    def _reopen(self, title=None):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "name": title or self.env._("Booking window"),
            "context": {"dialog_size": "extra-large"},
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

    def action_book_chosen(self):
        """«Book» in the window opened from a free cell of the day grid."""
        self.ensure_one()
        if not self.slot_id:
            raise UserError(self.env._("Choose a free time first."))
        return self.book(self.slot_id)
