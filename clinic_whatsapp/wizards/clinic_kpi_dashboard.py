from odoo import fields, models
from odoo.tools import formatLang

from odoo.addons.clinic_scheduling.wizards.clinic_kpi_dashboard import NO_DATA


class ClinicKpiDashboard(models.TransientModel):
    _inherit = "clinic.kpi.dashboard"

    message_confirmed_rate = fields.Char(
        string="Confirmed by reply within 24 h",
        compute="_compute_figures",
        help="Appointments that got a booking message or a reminder in the period and were confirmed by the "
        "patient's reply on the same channel within 24 hours of the first message.",
    )
    message_confirmed_by_channel = fields.Char(string="Confirmed by reply, by channel", compute="_compute_figures")
    offer_accepted_rate = fields.Char(
        string="Waiting-list offers accepted",
        compute="_compute_figures",
        help="Waiting-list offers sent to the patient in the period that the patient accepted.",
    )
    offer_response_time = fields.Char(
        string="Offer → patient's answer",
        compute="_compute_figures",
        help="Median time from a waiting-list offer sent by message to the patient's answer.",
    )
    messages_per_avoided = fields.Char(
        string="Messages per no-show avoided",
        compute="_compute_figures",
        help="Messages sent in the period per appointment the patient cancelled or moved by a reply before its "
        "start: time that went back to the schedule instead of a no-show.",
    )

    def _figure_values(self, figures):
        values = super()._figure_values(figures)
        confirmed, per = figures["message_confirmed_rate"], figures["messages_per_avoided"]
        values.update(
            {
                "message_confirmed_rate": self._format_ratio(confirmed),
                "message_confirmed_by_channel": ", ".join(
                    f"{name} {self._format_percent(done / total)}"
                    for name, (done, total) in sorted(confirmed["by_channel"].items())
                )
                or NO_DATA,
                "offer_accepted_rate": self._format_ratio(figures["offer_accepted_rate"]),
                "offer_response_time": self._format_duration(figures["offer_response_time"]["value"]),
                "messages_per_avoided": NO_DATA
                if per["value"] is None
                else self.env._(
                    "%(per)s (%(messages)s messages, %(avoided)s avoided)",
                    per=formatLang(self.env, per["value"], digits=1),
                    messages=per["numerator"],
                    avoided=per["denominator"],
                ),
            }
        )
        return values
