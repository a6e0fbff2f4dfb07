from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models

from odoo.addons.clinic_base.models.hr_employee import HR_GROUP
from odoo.addons.clinic_base.tools.access import RECEPTIONIST, require_group


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    slot_duration = fields.Integer(
        string="Slot length, min",
        default=30,
        help="Length of one bookable slot; a longer service takes several consecutive slots.",
    )
    default_cabinet_id = fields.Many2one(
        "clinic.cabinet", string="Usual cabinet", help="Used on days the schedule names no cabinet."
    )
    slot_ids = fields.One2many("clinic.slot", "employee_id", string="Slots", groups=HR_GROUP)
    slot_conflict_count = fields.Integer(
        string="Bookings off schedule", compute="_compute_slot_conflict_count", groups=HR_GROUP
    )

    def _compute_slot_conflict_count(self):
        counts = dict(
            self.env["clinic.slot"]._read_group(
                [("employee_id", "in", self.ids), ("conflict", "=", True)], ["employee_id"], ["__count"]
            )
        )
        for employee in self:
            employee.slot_conflict_count = counts.get(employee, 0)

    def write(self, vals):
        result = super().write(vals)
        if {"slot_duration", "resource_calendar_id", "is_practitioner", "default_cabinet_id", "tz"} & set(vals):
            self.filtered("is_practitioner")._clinic_generate_slots()
        return result

    @api.model_create_multi
    def create(self, vals_list):
        employees = super().create(vals_list)
        employees.filtered("is_practitioner")._clinic_generate_slots()
        return employees

    def _clinic_generate_slots(self, date_from=None, date_to=None):
        if self.env.context.get("clinic_no_slot_refresh"):
            return
        self.env["clinic.slot"].sudo()._generate(self, date_from, date_to)

    def action_view_slot_conflicts(self):
        self.ensure_one()
        require_group(self.env, RECEPTIONIST)
        action = self.env["ir.actions.act_window"]._for_xml_id("clinic_scheduling.clinic_slot_action_conflicts")
        action["domain"] = [("employee_id", "=", self.id), ("conflict", "=", True)]
        return action

    def _clinic_tz(self):
        """The zone the practitioner's schedule is read in: their own, else their schedule's, else the clinic's.

        Only the schedule: times are always shown to people in the clinic's zone (``res.company.clinic_tz``)."""
        employee = self.sudo()
        return employee.tz or employee.resource_calendar_id.tz or self.env.company._clinic_tz_name()

    def _clinic_utc_bounds(self, date_from, date_to):
        """Local midnights of the first and the day after the last date, as naive UTC."""
        tz = pytz.timezone(self._clinic_tz())
        return tuple(
            tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
            for day in (date_from, date_to)
        )

    def _clinic_slot_plan(self, date_from, date_to):
        """The slots the schedule asks for: {start: (stop, cabinet id)} in naive UTC.

        Work intervals come from Odoo's resource calendar (weekly or
        two-week pattern, breaks, time off, public holidays); extra shifts
        are added; each interval is cut into slots of the practitioner's length.
        """
        self.ensure_one()
        tz = pytz.timezone(self._clinic_tz())
        start_dt, end_dt = (tz.localize(datetime.combine(day, time.min)) for day in (date_from, date_to))
        calendar = self.resource_calendar_id
        resource = self.resource_id
        work = calendar._work_intervals_batch(start_dt, end_dt, resources=resource, tz=tz)[resource.id]
        shifts = self.env["resource.calendar.leaves"].search(
            [
                ("resource_id", "=", resource.id),
                ("clinic_kind", "=", "extra_shift"),
                ("date_from", "<", end_dt.astimezone(pytz.utc).replace(tzinfo=None)),
                ("date_to", ">", start_dt.astimezone(pytz.utc).replace(tzinfo=None)),
            ]
        )
        extra = [
            (pytz.utc.localize(s.date_from).astimezone(tz), pytz.utc.localize(s.date_to).astimezone(tz), s)
            for s in shifts
        ]
        length = timedelta(minutes=self.slot_duration or 30)
        plan = {}
        for interval_start, interval_stop, origin in list(work) + list(extra):
            cabinet = getattr(origin, "cabinet_id", False) or self.default_cabinet_id
            cursor = interval_start
            while cursor + length <= interval_stop:
                start = cursor.astimezone(pytz.utc).replace(tzinfo=None)
                plan.setdefault(
                    start, ((cursor + length).astimezone(pytz.utc).replace(tzinfo=None), cabinet.id or False)
                )
                cursor += length
        return plan
