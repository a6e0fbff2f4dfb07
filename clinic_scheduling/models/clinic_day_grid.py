from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.clinic_base.tools.access import require_group

CLINIC_GROUPS = (
    "clinic_base.group_clinic_receptionist",
    "clinic_base.group_clinic_doctor",
    "clinic_base.group_clinic_accountant",
)
DESK_GROUPS = ("clinic_base.group_clinic_receptionist", "clinic_base.group_clinic_accountant")
DEFAULT_HOURS = (8 * 60, 20 * 60)
WEEK_DAYS = 7


class ClinicDayGrid(models.AbstractModel):
    """The front desk's day: practitioners as columns, time as rows (the «Day» screen of the Clinic app).

    The browser only draws what ``load_day_grid`` returns; every read goes through the caller's own rights,
    and a doctor without front-desk rights sees only their own columns.
    """

    _name = "clinic.day.grid"
    _description = "Day grid of appointments"

    @api.model
    def load_day_grid(self, day=None, mode="day", employee_id=None, specialty_id=None, cabinet_id=None):
        """Columns of the grid for ``day`` (``mode`` "day": one per practitioner; "week": seven days of one)."""
        self._check_clinic_user()
        company = self.env.company
        try:
            day = fields.Date.to_date(day) if day else company._clinic_today()
            employee_id, specialty_id, cabinet_id = (int(v or 0) for v in (employee_id, specialty_id, cabinet_id))
        except (TypeError, ValueError) as exc:
            raise UserError(
                self.env._("The day grid got a wrong day or filter (%(error)s): reload the page.", error=exc)
            ) from exc
        practitioners = self._practitioners(specialty_id, cabinet_id)
        everyone = self._practitioners(None, None)
        if mode == "week":
            employee = practitioners.filtered(lambda e: e.id == employee_id)[:1] or practitioners[:1]
            day = day - timedelta(days=day.weekday())
            pairs = [(employee, day + timedelta(days=i)) for i in range(WEEK_DAYS)] if employee else []
        else:
            employee = self.env["hr.employee.public"]
            pairs = [(practitioner, day) for practitioner in practitioners]
        days = sorted({d for _e, d in pairs}) or [day]
        bounds = (company._clinic_to_utc(days[0]), company._clinic_to_utc(days[-1] + timedelta(days=1)))
        columns = self._columns(pairs, bounds)
        return {
            "day": fields.Date.to_string(day),
            "mode": mode,
            "employee_id": employee.id or False,
            "columns": columns,
            "hours": self._hours(columns),
            "can_book": self.env.user.has_group("clinic_base.group_clinic_receptionist"),
            "practitioners": [{"id": e.id, "name": e.name} for e in everyone],
            "specialties": [{"id": s.id, "name": s.name} for s in everyone.specialty_ids.sorted("name")],
            "cabinets": [
                {"id": c.id, "name": c.display_name}
                for c in self.env["clinic.cabinet"].search([("company_id", "in", (company.id, False))])
            ],
            "today": fields.Date.to_string(company._clinic_today()),
        }

    @api.model
    def _check_clinic_user(self):
        require_group(self.env, *CLINIC_GROUPS, message=self.env._("The day grid is for the clinic's staff."))

    @api.model
    def _practitioners(self, specialty_id, cabinet_id):
        """The practitioners' public directory: the front desk and doctors have no HR rights on hr.employee."""
        domain = [("is_practitioner", "=", True)]
        if not any(self.env.user.has_group(group) for group in DESK_GROUPS):
            domain.append(("user_id", "=", self.env.uid))
        if specialty_id:
            domain.append(("specialty_ids", "in", [specialty_id]))
        if cabinet_id:
            domain.append(("default_cabinet_id", "=", cabinet_id))
        return self.env["hr.employee.public"].search(domain, order="name")

    @api.model
    def _columns(self, pairs, bounds):
        employees = self.env["hr.employee.public"].union(*(e for e, _d in pairs))
        # Schedules and time off are not personal data, but hr.employee hides their links from non-HR users.
        infra = self.env["hr.employee"].sudo().browse(employees.ids)
        resources = {e.id: e.resource_id for e in infra}
        slots = self.env["clinic.slot"].search(
            [("employee_id", "in", employees.ids), ("start", ">=", bounds[0]), ("start", "<", bounds[1])],
            order="start",
        )
        appointments = self.env["clinic.appointment"].search(
            [
                ("employee_id", "in", employees.ids),
                ("start", "<", bounds[1]),
                ("stop", ">", bounds[0]),
                ("state", "not in", ("cancelled",)),
            ],
            order="start",
        )
        leaves = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search(
                [
                    ("date_from", "<", bounds[1]),
                    ("date_to", ">", bounds[0]),
                    ("clinic_kind", "!=", "extra_shift"),
                    "|",
                    ("resource_id", "in", infra.resource_id.ids),
                    "&",
                    ("resource_id", "=", False),
                    ("calendar_id", "in", [*infra.resource_calendar_id.ids, False]),
                ]
            )
        )
        now = fields.Datetime.now()
        states = dict(self.env["clinic.appointment"]._fields["state"]._description_selection(self.env))
        columns = []
        for employee, day in pairs:

            def minutes(moment, day=day):
                local = self.env.company._clinic_from_utc(moment)
                return int((local - fields.Datetime.to_datetime(day)).total_seconds() // 60)

            def inside(record, day=day, employee=employee):
                return record.employee_id.id == employee.id and 0 <= minutes(record.start, day) < 24 * 60

            columns.append(
                {
                    "key": f"{employee.id}-{day}",
                    "employee_id": employee.id,
                    "date": fields.Date.to_string(day),
                    "title": employee.name,
                    "subtitle": ", ".join(employee.specialty_ids.mapped("name")),
                    "slots": [
                        {
                            "id": slot.id,
                            "start": minutes(slot.start),
                            "stop": minutes(slot.stop),
                            "state": slot.state if slot.state != "free" or slot.start > now else "past",
                            "cabinet": slot.cabinet_id.display_name or "",
                        }
                        for slot in slots
                        if inside(slot) and slot.state != "booked"
                    ],
                    "appointments": [
                        {
                            "id": appointment.id,
                            "start": minutes(appointment.start),
                            "stop": minutes(appointment.stop),
                            "patient": appointment.patient_id.name or "",
                            "patient_id": appointment.patient_id.id,
                            "services": ", ".join(appointment.service_ids.mapped("name")),
                            "state": appointment.state,
                            "state_label": states.get(appointment.state, ""),
                            "attention": appointment.needs_attention,
                        }
                        for appointment in appointments
                        if inside(appointment)
                    ],
                    "leaves": [
                        {
                            "start": max(minutes(leave.date_from), 0),
                            "stop": min(minutes(leave.date_to), 24 * 60),
                            "name": leave.name or "",
                        }
                        for leave in leaves
                        if leave.resource_id in (resources[employee.id], self.env["resource.resource"])
                        and minutes(leave.date_from) < 24 * 60
                        and minutes(leave.date_to) > 0
                    ],
                }
            )
        return columns

    @api.model
    def _hours(self, columns):
        """First and last minute of the day the grid shows: the working hours of its columns, whole hours."""
        marks = [
            (item["start"], item["stop"]) for column in columns for item in column["slots"] + column["appointments"]
        ]
        if not marks:
            return list(DEFAULT_HOURS)
        first = min(start for start, _stop in marks)
        last = max(stop for _start, stop in marks)
        return [max(first // 60 * 60, 0), min(-(-last // 60) * 60, 24 * 60)]

    @api.model
    def _notify_change(self, appointments):
        """Tell every open grid that these practitioners' days changed (no patient data on the bus)."""
        if not appointments or self.env.context.get("clinic_no_grid_push"):
            return
        payload = {"employee_ids": appointments.employee_id.ids}
        for xmlid in CLINIC_GROUPS:
            # the id from the registry's cache: env.ref() would also query that the group exists, on every booking
            group_id = self.env["ir.model.data"]._xmlid_to_res_id(xmlid, raise_if_not_found=False)
            if group_id:
                self.env["bus.bus"]._sendone(self.env["res.groups"].browse(group_id), "clinic/day_grid", payload)
