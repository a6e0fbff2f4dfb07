"""What a patient's reply does, and the messages written for one patient: waiting-list offers,
free times to move to, the front desk's answers and promotions."""

from datetime import timedelta

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.clinic_base.tools.access import MANAGER, RECEPTIONIST, require_group, require_one
from odoo.addons.clinic_scheduling.models.clinic_appointment import SlotTakenError

from .clinic_message import _e164
from .clinic_message_template import PROMOTION_VALID, _patient_lang

REPLY_RESULTS = [
    ("confirmed", "Appointment confirmed"),
    ("cancelled", "Appointment cancelled"),
    ("free_times", "Free times offered"),
    ("portal", "Link to reschedule sent"),
    ("moved", "Appointment moved"),
    ("accepted", "Offer accepted"),
    ("declined", "Offer declined"),
    ("stop", "Messages stopped"),
    ("front_desk", "Passed to the front desk"),
    ("repeated", "Repeated: nothing to change"),
]
FREE_TIMES_OFFERED = 3
FREE_TIMES_DAYS = 14
TEXT_DEADLINE = timedelta(days=1)  # a written answer is useless after a day
CHANNEL_ICONS = {"whatsapp": "fa-whatsapp", "wazzup": "fa-whatsapp", "sms": "fa-mobile", "max": "fa-paper-plane"}
STATUS_ICONS = {
    "queued": "fa-clock-o",
    "sending": "fa-clock-o",
    "sent": "fa-check",
    "delivered": "fa-check-circle",
    "read": "fa-eye",
    "failed": "fa-exclamation-triangle text-danger",
    "cancelled": "fa-ban",
    "skipped": "fa-ban",
    "received": "fa-reply",
}


class ClinicMessage(models.Model):
    _inherit = "clinic.message"

    offer_id = fields.Many2one(
        "clinic.waitlist.offer", string="Waiting-list offer", index=True, ondelete="cascade", readonly=True
    )
    reply_to_id = fields.Many2one(
        "clinic.message",
        string="In reply to",
        readonly=True,
        ondelete="set null",
        help="The last message the patient had received: it tells what a reply such as «1» means.",
    )
    option_slot_ids = fields.Many2many(
        "clinic.slot", string="Times offered", readonly=True, help="Free times offered in this message, in order."
    )
    reply_result = fields.Selection(REPLY_RESULTS, string="What the reply did", readonly=True)
    needs_answer = fields.Boolean(
        string="To answer",
        readonly=True,
        index=True,
        help="A reply the system did not understand: the front desk answers.",
    )
    answer_id = fields.Many2one("clinic.message", string="Answer", readonly=True, ondelete="set null")
    chatter_message_ids = fields.Many2many("mail.message", string="Chatter entries", readonly=True)

    # ------------------------------------------------------------------ actions

    def action_answer(self):
        """Front desk: open the answer to a patient's message, sent back on the same channel."""
        require_front_desk(self.env)
        require_one(self)
        self.check_access("read")
        if self.direction != "in":
            raise UserError(self.env._("Only a patient's message can be answered."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Answer the patient"),
            "res_model": "clinic.message.answer",
            "view_mode": "form",
            "target": "new",
            "context": {"default_message_id": self.id},
        }

    # ------------------------------------------------------------------ gates used by the sending job

    def _obsolete(self, now):
        """True when the message is no longer worth sending: past its deadline, or its subject moved on."""
        self.ensure_one()
        if self.deadline and now >= self.deadline:
            return True
        if self.offer_id:
            return self.offer_id.state != "pending"
        if self.appointment_id and self.event not in ("answer", "free_times"):
            wanted = ("done",) if self.event == "done" else ("booked", "confirmed", "cancelled")
            return self.appointment_id.state not in wanted
        return False

    def _purpose(self):
        """The consent purpose: promotions need the marketing consent, everything else the service one."""
        return "marketing" if self.event == "marketing" else "service_messages"

    def _quiet_hours(self, company):
        if self.event == "marketing":
            return company.clinic_marketing_quiet_start, company.clinic_marketing_quiet_end
        return company.clinic_quiet_start, company.clinic_quiet_end

    def _subject(self):
        """The record the template's variables come from."""
        return self.appointment_id or self.offer_id or self.partner_id

    # ------------------------------------------------------------------ messages for one patient

    @api.model
    def _enqueue_offer(self, offer):
        """A waiting-list offer: queued in the cancelling transaction, sent by the worker until it expires."""
        offer = offer.sudo()
        company = offer.employee_id.company_id or self.env.company
        template = self.env["clinic.message.template"]._for_event("waitlist_offer", company)
        channel = self.env["clinic.messaging.channel"]._ordered(company)[:1]
        key = f"offer:{offer.id}:{channel.id}"
        if not template or not channel or self.sudo().search_count([("key", "=", key)]):
            return self.browse()
        message = self.sudo().create(
            {
                "offer_id": offer.id,
                "partner_id": offer.patient_id.id,
                "channel_id": channel.id,
                "template_id": template.id,
                "event": "waitlist_offer",
                "direction": "out",
                "phone": _e164(offer.patient_id),
                "scheduled_at": fields.Datetime.now(),
                "deadline": offer.expires_at,
                "key": key,
            }
        )
        message._schedule()
        return message

    @api.model
    def _enqueue_promotion(self, template):
        """One promotion per consenting patient and day, on the first channel the marketing consent covers.

        The recipients' consents are read in one query per channel and the day's keys in one search,
        whatever the number of patients; the rows are created together.
        """
        now = fields.Datetime.now()
        channels = self.env["clinic.messaging.channel"]._ordered(template.company_id)
        patients = (
            self.env["res.partner"]
            .sudo()
            .search([("is_patient", "=", True), ("company_id", "in", [False, template.company_id.id])])
        )
        Consent = self.env["clinic.consent"].sudo()
        allowed = {
            channel.id: Consent._may_contact_many(patients, "marketing", channel.contact_channel, now)
            for channel in channels
        }
        keys = {patient.id: f"marketing:{template.id}:{patient.id}:{now:%Y%m%d}" for patient in patients}
        Message = self.sudo()
        known = set(Message.search_fetch([("key", "in", list(keys.values()))], ["key"]).mapped("key"))
        vals_list = []
        for patient in patients:
            phone = _e164(patient)
            channel = next((c for c in channels if patient.id in allowed[c.id]), None)
            if not phone or not channel or keys[patient.id] in known:
                continue
            vals_list.append(
                {
                    "partner_id": patient.id,
                    "channel_id": channel.id,
                    "template_id": template.id,
                    "event": "marketing",
                    "direction": "out",
                    "phone": phone,
                    "scheduled_at": now,
                    "deadline": now + PROMOTION_VALID,
                    "key": keys[patient.id],
                }
            )
        queued = Message.create(vals_list)
        queued._schedule()
        return queued

    def _send_text(self, body, event, slots=None, tag=None):
        """Write back to the patient of this incoming message on its channel, once per message and event
        (``tag`` tells apart several answers to one message)."""
        self.ensure_one()
        key = f"{event}:{self.id}" + (f":{tag}" if tag else "")
        Message = self.sudo()
        if Message.search_count([("key", "=", key)]):
            return Message.browse()
        now = fields.Datetime.now()
        message = Message.create(
            {
                "appointment_id": self.appointment_id.id,
                "offer_id": self.offer_id.id,
                "partner_id": self.partner_id.id,
                "channel_id": self.channel_id.id,
                "event": event,
                "direction": "out",
                "phone": self.phone,
                "body": body,
                "scheduled_at": now,
                "deadline": now + TEXT_DEADLINE,
                "key": key,
                "option_slot_ids": [(6, 0, slots.ids if slots else [])],
            }
        )
        message._schedule()
        return message

    # ------------------------------------------------------------------ replies

    @api.model
    def _reply_context(self, phone):
        """The last message that reached this phone about an appointment or an offer.

        No number, none: a search for an empty number would find the messages of patients without one."""
        if not phone:
            return self.sudo().browse()
        domain = [
            ("direction", "=", "out"),
            ("phone", "=", phone),
            "|",
            ("appointment_id", "!=", False),
            ("offer_id", "!=", False),
        ]
        Message = self.sudo()
        return Message.search([*domain, ("state", "in", ("sent", "delivered", "read"))], limit=1) or Message.search(
            domain, limit=1
        )

    def _act(self, action):
        """What a patient's reply does; a repeated reply changes nothing the second time."""
        self.ensure_one()
        channel = self.channel_id.contact_channel
        appointment = self.appointment_id.with_context(clinic_channel=channel)
        picked = self._picked_slot()
        if action == "STOP" and self.partner_id:
            result = self._stop()
        elif picked:
            result = self._move_to(appointment, picked)
        elif self.offer_id and action in ("CONFIRM", "CANCEL"):
            result = self._answer_offer(action)
        elif action == "CONFIRM" and appointment.state in ("booked", "confirmed"):
            result = "repeated"
            if appointment.state == "booked":
                appointment.action_confirm()
                result = "confirmed"
        elif action == "CANCEL" and appointment.state in ("booked", "confirmed", "cancelled"):
            result = "repeated"
            if appointment.state != "cancelled":
                appointment.action_cancel(
                    reason=self.env._("Cancelled by the patient's reply on %(channel)s", channel=self.channel_id.name),
                    by="patient",
                )
                result = "cancelled"
        elif action == "RESCHEDULE" and appointment.state in ("booked", "confirmed"):
            result = self._offer_free_times(appointment)
        else:
            result = self._to_front_desk()
        self.reply_result = result
        self._refresh_chatter()
        if result in ("confirmed", "cancelled", "moved", "accepted", "declined"):
            label = dict(self._fields["reply_result"]._description_selection(self.env))[result]
            self.env["clinic.reception"].notify(
                "message_reply",
                self.env._("Patient's reply on %(channel)s", channel=self.channel_id.name),
                f"{self.partner_id.display_name or self.phone}: {label}",
                self.appointment_id or self.offer_id.waitlist_id or None,
            )
        return result

    def _stop(self):
        Consent = self.env["clinic.consent"].sudo()
        for purpose in ("service_messages", "marketing"):
            Consent.create(
                {
                    "partner_id": self.partner_id.id,
                    "purpose": purpose,
                    "channel": self.channel_id.contact_channel,
                    "action": "withdrawn",
                    "source": "message",
                    "note": self.env._("Reply «%(text)s» on %(channel)s", text=self.body, channel=self.channel_id.name),
                }
            )
        return "stop"

    def _to_front_desk(self):
        self.needs_answer = True
        self.env["clinic.reception"].notify(
            "message",
            self.env._("Patient's message"),
            f"{self.partner_id.display_name or self.phone}: {self.body}",
            self,
            sticky=True,
        )
        return "front_desk"

    def _answer_offer(self, action):
        """Accept through ``action_accept`` (the no-double-booking guarantee) or decline, once."""
        offer = self.offer_id.with_context(clinic_channel=self.channel_id.contact_channel)
        if offer.state != "pending":
            return "repeated" if offer.state in ("accepted", "declined") else self._to_front_desk()
        if action == "CANCEL":
            offer.action_decline()
            return "declined"
        try:
            with self.env.cr.savepoint():
                appointment = offer.action_accept()
        except UserError:
            return self._to_front_desk()  # taken meanwhile: a person sorts it out with the patient
        self.appointment_id = appointment
        return "accepted"

    def _picked_slot(self):
        """The free time chosen by a number answering a message that offered free times."""
        offered = self.reply_to_id.option_slot_ids.sorted("start") if self.reply_to_id.event == "free_times" else None
        text = (self.body or "").strip().rstrip(".)")
        if not offered or not text.isdigit() or not 1 <= int(text) <= len(offered):
            return None
        return offered[int(text) - 1]

    def _offer_free_times(self, appointment, runs=None):
        """Reschedule asked: the portal link when the website booking is installed, else free times by message."""
        lang_env = self.with_context(lang=_patient_lang(self.partner_id)).env
        url = self._reschedule_url(appointment) if runs is None else None
        if url:
            self._send_text(lang_env._("Choose another time here: %(url)s", url=url), "free_times")
            return "portal"
        if runs is None:
            now = fields.Datetime.now()
            runs = (
                self.env["clinic.slot"]
                .sudo()
                .find_free(
                    employees=appointment.employee_id,
                    date_from=now,
                    date_to=now + timedelta(days=FREE_TIMES_DAYS),
                    duration=appointment.duration,
                    limit=FREE_TIMES_OFFERED,
                    exclude=appointment.slot_ids,
                )
            )
        runs = runs[:FREE_TIMES_OFFERED]
        if not runs:
            self._send_text(lang_env._("No free time soon: the front desk will call you."), "free_times")
            return self._to_front_desk()
        tz = pytz.timezone(appointment.employee_id._clinic_tz())
        lines = [
            f"{number}) {pytz.utc.localize(run[0].start).astimezone(tz):%d.%m.%Y %H:%M}"
            for number, run in enumerate(runs, 1)
        ]
        body = lang_env._(
            "Free times with %(doctor)s: %(times)s. Reply with the number to move your appointment.",
            doctor=appointment.employee_id.name,
            times="; ".join(lines),
        )
        first_slots = self.env["clinic.slot"].union(*(run[:1] for run in runs))
        self._send_text(body, "free_times", first_slots)
        return "free_times"

    @api.model
    def _reschedule_url(self, appointment):
        """The patient's page of the appointment when clinic_website_booking (a sibling, not imported) is installed."""
        if "access_url" not in appointment._fields:
            return None
        appointment = appointment.sudo()
        return appointment.get_base_url() + appointment.get_portal_url()

    def _move_to(self, appointment, slot):
        """Move through the existing reschedule path; a time taken meanwhile brings the nearest others."""
        if appointment.state not in ("booked", "confirmed"):
            return self._to_front_desk()
        try:
            with self.env.cr.savepoint():
                appointment.action_reschedule(slot)
        except SlotTakenError as exc:
            return self._offer_free_times(appointment, runs=exc.alternatives)
        return "moved"

    # ------------------------------------------------------------------ chatter

    def _post_chatter(self):
        """One chatter line per message on the patient, the appointment and the waiting-list entry.

        Notes notify nobody (nor make anyone a follower), so the rows are written directly, in one
        batch, rather than through ``message_post`` (a dozen queries per note, a quarter of a reminder's
        cost in the benchmark); the reply-to address is computed once per record. The lines are kept on
        the message, so that a later status or what a reply did refreshes their icon.
        """
        note = self.env.ref("mail.mt_note").id
        targets = [(message, record) for message in self for record in message._chatter_records()]
        records = {}
        for _message, record in targets:
            records.setdefault(record._name, set()).add(record.id)
        reply_to = {
            (model, res_id): address
            for model, ids in records.items()
            for res_id, address in self.env[model].sudo().browse(ids)._notify_get_reply_to().items()
        }
        user_partner = self.env.user.partner_id
        values = []
        for message, record in targets:
            author = message.partner_id if message.direction == "in" else user_partner
            values.append(
                {
                    "model": record._name,
                    "res_id": record.id,
                    "body": message._chatter_body(),
                    "author_id": author.id,
                    "email_from": author.email_formatted,
                    "reply_to": reply_to.get((record._name, record.id)),
                    "message_type": "comment",
                    "subtype_id": note,
                    "is_internal": True,
                }
            )
        entries = self.env["mail.message"].sudo().create(values)
        for (message, _record), entry in zip(targets, entries, strict=True):
            message.chatter_message_ids = [(4, entry.id)]

    def _chatter_records(self):
        """The records whose chatter shows this message."""
        self.ensure_one()
        return [record for record in (self.appointment_id, self.offer_id.waitlist_id, self.partner_id) if record]

    def _refresh_chatter(self):
        for message in self:
            if message.chatter_message_ids:
                message.chatter_message_ids.sudo().write({"body": message._chatter_body()})

    def _chatter_body(self):
        """«[channel icon] → WhatsApp: text [status icon] Delivered (what the reply did)»."""
        self.ensure_one()
        provider = self.channel_id.provider or ""
        channel_icon = next(
            (icon for prefix, icon in CHANNEL_ICONS.items() if provider.startswith(prefix)), "fa-comment"
        )
        arrow = "→" if self.direction == "out" else "←"
        status = dict(self._fields["state"]._description_selection(self.env))[self.state]
        if self.reply_result:
            status += f" ({dict(self._fields['reply_result']._description_selection(self.env))[self.reply_result]})"
        return Markup(
            '<i class="fa {channel_icon}" title="{channel}"></i> {arrow} {channel}: {text} '
            '<i class="fa {status_icon}" title="{status}"></i> <small>{status}</small>'
        ).format(
            channel_icon=channel_icon,
            channel=self.channel_id.name,
            arrow=arrow,
            text=self.body or "",
            status_icon=STATUS_ICONS.get(self.state, "fa-circle-o"),
            status=status,
        )


def require_front_desk(env):
    require_group(env, RECEPTIONIST, MANAGER, message=env._("Only the front desk and managers write to patients."))
