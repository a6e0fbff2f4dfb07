"""The messaging figures of the clinic's KPIs, computed from the outbox and the replies."""

from datetime import timedelta

from odoo import api, models
from odoo.osv import expression
from odoo.tools import SQL

from odoo.addons.clinic_scheduling.models.clinic_kpi import SECONDS_BETWEEN

LEFT = ("sent", "delivered", "read")
SERVICE_EVENTS = ("booked", "rescheduled", "reminder_24h", "reminder_2h")
CONFIRM_WITHIN = timedelta(hours=24)
AVOIDING_REPLIES = ("cancelled", "moved")


class ClinicKpi(models.AbstractModel):
    _inherit = "clinic.kpi"

    @api.private
    @api.model
    def compute(self, date_from, date_to, employee_ids=None, specialty_ids=None, sources=None):
        """Adds the messaging figures (booking channels do not apply to them):

        - ``message_confirmed_rate``: appointments that got a booking message or a reminder in P and were
          confirmed by a reply on the same channel within 24 h of the first such message / appointments
          messaged; ``by_channel`` gives ``{channel name: (confirmed, messaged)}``.
        - ``offer_accepted_rate``: waiting-list offers made in P whose message left, accepted / all of them.
        - ``offer_response_time``: median seconds from such an offer to the patient's answer.
        - ``messages_per_avoided``: outgoing messages that left in P / no-shows avoided, i.e. appointments
          starting in P that the patient cancelled or moved by a reply before their start, so the time went
          back to the schedule instead of being lost.
        """
        figures = super().compute(date_from, date_to, employee_ids, specialty_ids, sources)
        start, stop = self.env["hr.employee"]._clinic_utc_bounds(date_from, date_to + timedelta(days=1))
        staff = []
        if employee_ids:
            staff.append(("employee_id", "in", list(employee_ids)))
        if specialty_ids:
            staff.append(("employee_id.specialty_ids", "in", list(specialty_ids)))
        on_appointment = [(f"appointment_id.{fname}", op, value) for fname, op, value in staff]
        on_offer = [(f"offer_id.{fname}", op, value) for fname, op, value in staff]
        messaged = [
            *on_appointment,
            ("direction", "=", "out"),
            ("state", "in", LEFT),
            ("event", "in", SERVICE_EVENTS),
            *self._period("sent_at", start, stop),
        ]
        offers = [*staff, ("clinic_message_ids.state", "in", LEFT), *self._period("offered_at", start, stop)]
        answered = [*offers, ("state", "in", ("accepted", "declined")), ("responded_at", "!=", False)]
        on_offer = [(f"offer_id.{fname}", op, value) for fname, op, value in staff]
        sent = [
            *(expression.OR([on_appointment, on_offer]) if staff else []),
            ("direction", "=", "out"),
            ("state", "in", LEFT),
            *self._period("sent_at", start, stop),
        ]
        avoided = [
            ("direction", "=", "in"),
            ("reply_result", "in", AVOIDING_REPLIES),
            *on_appointment,
            *self._period("appointment_id.start", start, stop),
        ]
        sent_records = self._records("clinic.message", sent)
        avoided_records = self._records("clinic.message", avoided)
        figures.update(
            {
                "message_confirmed_rate": self._confirmed_by_channel(
                    messaged,
                    [
                        ("direction", "=", "in"),
                        ("reply_result", "=", "confirmed"),
                        *on_appointment,
                        *self._period("appointment_id.confirmed_at", start, stop + CONFIRM_WITHIN),
                    ],
                ),
                "offer_accepted_rate": self._ratio(
                    self._records("clinic.waitlist.offer", [*offers, ("state", "=", "accepted")]),
                    self._records("clinic.waitlist.offer", offers),
                ),
                "offer_response_time": self._median(
                    "clinic.waitlist.offer", answered, SECONDS_BETWEEN, "responded_at", "offered_at"
                ),
                "messages_per_avoided": {
                    **sent_records,
                    "kind": "per",
                    "value": sent_records["count"] / avoided_records["count"] if avoided_records["count"] else None,
                    "numerator": sent_records["count"],
                    "denominator": avoided_records["count"],
                    "base": avoided_records,
                },
            }
        )
        return figures

    @api.model
    def _confirmed_by_channel(self, messaged, replies):
        """Per channel: appointments messaged, and those confirmed by a reply on it within 24 h of the first;
        ``replies`` lists the confirming replies."""
        query = self.env["clinic.message"]._search(messaged)
        self.env.cr.execute(
            SQL(
                """
                WITH first_sent AS (
                    SELECT appointment_id, channel_id, MIN(sent_at) AS sent_at
                      FROM clinic_message WHERE id IN %s GROUP BY appointment_id, channel_id
                )
                SELECT c.name, COUNT(*),
                       COUNT(*) FILTER (WHERE a.confirmed_at <= f.sent_at + %s AND EXISTS (
                           SELECT 1 FROM clinic_message r
                            WHERE r.appointment_id = f.appointment_id AND r.channel_id = f.channel_id
                              AND r.direction = 'in' AND r.reply_result = 'confirmed'))
                  FROM first_sent f
                  JOIN clinic_appointment a ON a.id = f.appointment_id
                  JOIN clinic_messaging_channel c ON c.id = f.channel_id
              GROUP BY c.name
                """,
                query.subselect(),
                CONFIRM_WITHIN,
            )
        )
        by_channel = {name: (confirmed, total) for name, total, confirmed in self.env.cr.fetchall()}
        confirmed = sum(c for c, _t in by_channel.values())
        total = sum(t for _c, t in by_channel.values())
        return {
            **self._records("clinic.message", replies),
            "kind": "ratio",
            "value": confirmed / total if total else None,
            "numerator": confirmed,
            "denominator": total,
            "base": self._records("clinic.message", messaged),
            "by_channel": by_channel,
        }
