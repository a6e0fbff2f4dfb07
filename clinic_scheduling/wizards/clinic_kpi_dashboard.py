from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import format_date, formatLang

from ..models.clinic_appointment import SOURCES
from ..models.clinic_kpi import DESK_SOURCES, ONLINE_SOURCES

CHANNELS = {"online": ONLINE_SOURCES, "desk": DESK_SOURCES}
NO_DATA = "—"


class ClinicKpiDashboard(models.TransientModel):
    """The clinic's figures for a period, with the records behind each one a click away."""

    _name = "clinic.kpi.dashboard"
    _description = "Clinic KPI dashboard"

    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: self.env.company._clinic_today() - timedelta(days=29),
        help="First day of the period, included.",
    )
    date_to = fields.Date(
        string="To",
        required=True,
        default=lambda self: self.env.company._clinic_today(),
        help="Last day of the period, included.",
    )
    employee_ids = fields.Many2many(
        "hr.employee",
        string="Practitioners",
        domain=[("is_practitioner", "=", True)],
        help="Only these practitioners; empty for all.",
    )
    specialty_ids = fields.Many2many(
        "clinic.nsi.specialty",
        string="Specialties",
        help="Only practitioners with any of these specialties; empty for all.",
    )
    channel = fields.Selection(
        [("online", "Online: website and messenger"), ("desk", "Front desk and phone"), *SOURCES],
        string="Booking channel",
        help="Only appointments booked through this channel; empty for all. Slots and waiting-list offers "
        "have no channel and are not filtered by it.",
    )
    no_show_rate = fields.Char(
        string="No-shows",
        compute="_compute_figures",
        help="No-shows among the appointments held in the period: started already and not cancelled before "
        "their start.",
    )
    confirmed_ahead_rate = fields.Char(
        string="Confirmed a day ahead",
        compute="_compute_figures",
        help="Appointments held in the period that were confirmed at least 24 hours before their start.",
    )
    freed_count = fields.Integer(
        string="Freed appointments",
        compute="_compute_figures",
        help="Appointments cancelled in the period before their start, or marked as no-shows in the period: "
        "their time went back to the schedule.",
    )
    refilled_count = fields.Integer(
        string="Refilled appointments",
        compute="_compute_figures",
        help="Appointments booked in the period on time freed by a cancellation, a no-show or a move.",
    )
    refill_time = fields.Char(
        string="Freed → booked again",
        compute="_compute_figures",
        help="Median time from the freeing of the time to its new booking, over the refilled appointments.",
    )
    offer_time = fields.Char(
        string="Freed → waiting-list offer",
        compute="_compute_figures",
        help="Median time from the freeing of the time to the first waiting-list offer made for it.",
    )
    utilization = fields.Char(
        string="Schedule utilization",
        compute="_compute_figures",
        help="Time of the active appointments starting in the period against the time of the slots generated for it.",
    )
    online_share = fields.Char(
        string="Online bookings",
        compute="_compute_figures",
        help="Share of the bookings made in the period on the website or in a messenger (imports excluded).",
    )
    source_shares = fields.Char(
        string="Bookings by channel",
        compute="_compute_figures",
        help="Share of each channel among the bookings made in the period.",
    )
    booking_time_desk = fields.Char(
        string="Time to book at the front desk",
        compute="_compute_figures",
        help="Median time from opening the booking window to the booking, front desk and phone.",
    )
    booking_time_online = fields.Char(
        string="Time to book online",
        compute="_compute_figures",
        help="Median time from the patient's first look at free times to the booking, website and messenger.",
    )

    @api.depends("date_from", "date_to")
    def _compute_display_name(self):
        for dashboard in self:
            dashboard.display_name = self.env._(
                "Clinic KPIs %(date_from)s – %(date_to)s",
                date_from=format_date(self.env, dashboard.date_from),
                date_to=format_date(self.env, dashboard.date_to),
            )

    @api.depends("date_from", "date_to", "employee_ids", "specialty_ids", "channel")
    def _compute_figures(self):
        for dashboard in self:
            if not (dashboard.date_from and dashboard.date_to):
                dashboard.update(dict.fromkeys(self._figure_fields(), False))
                continue
            dashboard.update(dashboard._figure_values(dashboard._figures()))

    def _figure_values(self, figures):
        """The dashboard's fields from one computation of the KPIs; modules adding figures extend it."""
        labels = dict(self._fields["channel"]._description_selection(self.env))
        online = figures["online_share"]
        return {
            "no_show_rate": self._format_ratio(figures["no_show_rate"]),
            "confirmed_ahead_rate": self._format_ratio(figures["confirmed_ahead_rate"]),
            "freed_count": figures["freed_count"]["value"],
            "refilled_count": figures["refilled_count"]["value"],
            "refill_time": self._format_duration(figures["refill_time"]["value"]),
            "offer_time": self._format_duration(figures["offer_time"]["value"]),
            "utilization": self._format_ratio(figures["utilization"], self._format_minutes),
            "online_share": self._format_ratio(online),
            "source_shares": ", ".join(
                f"{labels[source]} {self._format_percent(count / online['denominator'])}"
                for source, _label in SOURCES
                if (count := online["by_source"].get(source))
            )
            or NO_DATA,
            "booking_time_desk": self._format_duration(figures["booking_time_desk"]["value"]),
            "booking_time_online": self._format_duration(figures["booking_time_online"]["value"]),
        }

    @api.model
    def _figure_fields(self):
        return [fname for fname, field in self._fields.items() if field.compute == "_compute_figures"]

    def _figures(self):
        self.ensure_one()
        return self.env["clinic.kpi"].compute(
            self.date_from,
            self.date_to,
            employee_ids=self.employee_ids._origin.ids,
            specialty_ids=self.specialty_ids._origin.ids,
            sources=CHANNELS.get(self.channel, [self.channel] if self.channel else None),
        )

    def action_open_figure(self):
        """The records behind one figure (context ``kpi_figure``), or behind its denominator (``kpi_base``)."""
        self.ensure_one()
        figure_name = self.env.context["kpi_figure"]
        figure = self._figures()[figure_name]
        records = figure["base"] if self.env.context.get("kpi_base") else figure
        return {
            "type": "ir.actions.act_window",
            "name": self._fields[figure_name]._description_string(self.env),
            "res_model": records["model"],
            "domain": records["domain"],
            "views": [(False, "list"), (False, "form")],
            "target": "current",
            "context": {"create": False},
        }

    # ------------------------------------------------------------------ formatting

    def _format_percent(self, ratio):
        if ratio is None:
            return NO_DATA
        return f"{formatLang(self.env, ratio * 100, digits=1)} %"

    def _format_ratio(self, figure, format_part=str):
        """«12,5 % (2 of 16)»; ``format_part`` writes the numerator and the denominator."""
        if figure["value"] is None:
            return NO_DATA
        return self.env._(
            "%(rate)s (%(part)s of %(whole)s)",
            rate=self._format_percent(figure["value"]),
            part=format_part(figure["numerator"]),
            whole=format_part(figure["denominator"]),
        )

    def _format_minutes(self, minutes):
        return self._format_duration(minutes * 60)

    def _format_duration(self, seconds):
        """«1 min 40 s», «2 h 5 min», «3 d 4 h»: the largest unit and the next one, unless that is zero."""
        if seconds is None:
            return NO_DATA
        days, rest = divmod(round(seconds), 86400)
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        parts = [
            (days, self.env._("%(count)s d", count=days)),
            (hours, self.env._("%(count)s h", count=hours)),
            (minutes, self.env._("%(count)s min", count=minutes)),
            (secs, self.env._("%(count)s s", count=secs)),
        ]
        first = next((index for index, (value, _text) in enumerate(parts) if value), len(parts) - 1)
        return " ".join(text for index, (value, text) in enumerate(parts[first : first + 2]) if value or not index)
