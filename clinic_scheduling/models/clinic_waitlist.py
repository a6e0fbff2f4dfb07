from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.clinic_base.tools.access import RECEPTIONIST, require_group


class ClinicWaitlist(models.Model):
    """A patient waiting for a practitioner or a service within a window of dates and hours."""

    _name = "clinic.waitlist"
    _description = "Waiting list entry"
    _inherit = ["mail.thread"]
    _order = "priority desc, create_date, id"

    patient_id = fields.Many2one("res.partner", string="Patient", required=True, domain=[("is_patient", "=", True)])
    employee_id = fields.Many2one("hr.employee", string="Practitioner", domain=[("is_practitioner", "=", True)])
    specialty_id = fields.Many2one(
        "clinic.nsi.specialty", string="Specialty", domain="[('id', 'in', allowed_specialty_ids)]"
    )
    service_id = fields.Many2one("product.product", string="Service", domain="[('id', 'in', allowed_service_ids)]")
    allowed_specialty_ids = fields.Many2many(
        "clinic.nsi.specialty",
        string="Specialties on offer",
        compute="_compute_allowed",
        help="Only specialties a practitioner of the clinic has (for this patient's age and practitioner).",
    )
    allowed_service_ids = fields.Many2many(
        "product.product",
        string="Services on offer",
        compute="_compute_allowed",
        help="Only medical services of a specialty a practitioner of the clinic has.",
    )
    date_from = fields.Date(string="From", required=True, default=lambda self: self.env.company._clinic_today())
    date_to = fields.Date(string="Until", required=True)
    hour_from = fields.Float(string="Not before", default=0.0, help="Local time, e.g. 9.5 for 09:30.")
    hour_to = fields.Float(string="Not after", default=24.0)
    priority = fields.Integer(string="Priority", default=0, help="Higher first; equal ones in order of arrival.")
    state = fields.Selection(
        [("waiting", "Waiting"), ("offered", "Offer sent"), ("booked", "Booked"), ("cancelled", "Cancelled")],
        string="Status",
        default="waiting",
        required=True,
        index=True,
        tracking=True,
    )
    offer_ids = fields.One2many("clinic.waitlist.offer", "waitlist_id", string="Offers")
    appointment_id = fields.Many2one("clinic.appointment", string="Booked appointment", readonly=True)
    note = fields.Char(string="Note")

    @api.depends("patient_id", "employee_id", "specialty_id", "service_id")
    def _compute_display_name(self):
        for entry in self:
            what = entry.employee_id.name or entry.service_id.name or entry.specialty_id.name or ""
            entry.display_name = f"{entry.patient_id.name} → {what}"

    @api.depends("patient_id.birth_date", "employee_id")
    def _compute_allowed(self):
        for entry in self:
            age_group = entry.patient_id.birth_date and ("child" if entry.patient_id.is_child else "adult")
            entry.allowed_specialty_ids, entry.allowed_service_ids = self.env["hr.employee.public"]._clinic_offer(
                entry.employee_id, age_group
            )

    @api.constrains("employee_id", "specialty_id", "service_id", "date_from", "date_to", "hour_from", "hour_to")
    def _check_window(self):
        for entry in self:
            if not (entry.employee_id or entry.specialty_id or entry.service_id):
                raise ValidationError(
                    self.env._(
                        "Waiting list of %(patient)s: say whom or what the patient waits for.",
                        patient=entry.patient_id.display_name,
                    )
                )
            if entry.date_to < entry.date_from or entry.hour_to <= entry.hour_from:
                raise ValidationError(
                    self.env._(
                        "Waiting list of %(patient)s: the window %(start)s – %(end)s is empty.",
                        patient=entry.patient_id.display_name,
                        start=entry.date_from,
                        end=entry.date_to,
                    )
                )

    def action_cancel(self):
        require_group(self.env, RECEPTIONIST)
        self.offer_ids.filtered(lambda o: o.state == "pending").action_decline()
        self.write({"state": "cancelled"})
        return True

    def _duration(self, employee):
        return max(employee.slot_duration, self.service_id.duration_minutes or 0)

    def _accepts(self, slot):
        """Does this free slot fit what the patient waits for?"""
        self.ensure_one()
        employee = slot.employee_id
        if self.employee_id and self.employee_id != employee:
            return False
        if self.specialty_id and self.specialty_id not in employee.specialty_ids:
            return False
        if self.service_id:
            specialties = self.service_id.specialty_ids
            if specialties and not (specialties & employee.specialty_ids):
                return False
            if employee.age_group != "both" and self.service_id.age_group not in ("both", employee.age_group):
                return False
        local = slot._local_start()
        hour = local.hour + local.minute / 60
        return self.date_from <= local.date() <= self.date_to and self.hour_from <= hour < self.hour_to

    @api.model
    def _offer_slots(self, slots):
        """A slot has just become free: offer it at once to the first patient waiting for it.

        Runs in the transaction that freed the slot, so the offer exists the
        moment the cancellation is committed. Returns the offers made.
        """
        Offer = self.env["clinic.waitlist.offer"]
        offers = Offer.browse()
        now = fields.Datetime.now()
        candidates = self.sudo().search(
            [("state", "=", "waiting"), ("date_to", ">=", self.env.company._clinic_today())]
        )
        if not candidates or not slots:
            return offers
        for slot in slots.sudo().sorted("start"):
            if slot.state != "free" or slot.start <= now:
                continue
            already = Offer.sudo().search([("employee_id", "=", slot.employee_id.id), ("start", "=", slot.start)])
            for entry in candidates - already.waitlist_id:
                if entry.state != "waiting" or not entry._accepts(slot):
                    continue
                run = slot._run_from(entry._duration(slot.employee_id))
                if sum((s.stop - s.start).total_seconds() for s in run) / 60 < entry._duration(slot.employee_id):
                    continue
                if any(s.state != "free" for s in run):
                    continue
                offers |= Offer._make(entry, run)
                break
        return offers
