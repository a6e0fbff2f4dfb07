import json
from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.clinic_scheduling.tests.common import utc

from .common import MessagingCase
from .fake_providers import MAX_TOKEN, RETRY_AFTER, WAZZUP_KEY

WAZZUP_CRM_KEY, MAX_SECRET = "wazzup-crm-key", "max-secret"


@tagged("post_install", "-at_install")
class TestChannels(MessagingCase):
    """WhatsApp (Cloud API) → MAX → SMS, and a Wazzup24-style WhatsApp gateway, against the fake providers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Channel = cls.env["clinic.messaging.channel"]
        common = {"base_url": cls.fake.url, "timeout": 0.5, "company_id": cls.env.company.id}
        cls.sms.sequence = 3
        cls.max = Channel.create(
            {
                **common,
                "name": "MAX",
                "sequence": 2,
                "provider": "max_bot",
                "token": MAX_TOKEN,
                "app_secret": MAX_SECRET,
            }
        )
        cls.wazzup = Channel.create(
            {
                **common,
                "name": "Wazzup",
                "sequence": 4,
                "active": False,
                "provider": "wazzup",
                "account_ref": "c0ffee-channel",
                "token": WAZZUP_KEY,
                "app_secret": WAZZUP_CRM_KEY,
            }
        )

    def only(self, channel):
        ((self.whatsapp | self.max | self.sms | self.wazzup) - channel).active = False
        channel.write({"active": True, "sequence": 1})

    def max_update(self, update, secret=MAX_SECRET):
        response = self.url_open(
            f"/clinic_whatsapp/webhook/{self.max.webhook_ref}",
            data=json.dumps(update).encode(),
            headers={"Content-Type": "application/json", "X-Max-Bot-Api-Secret": secret},
        )
        self.apply_webhooks()
        return response

    def share_contact_on_max(self, user_id, phone, mid, owner=None, text=""):
        """The sender's own contact, as the bot's «request contact» button sends it (``max_info`` is the
        sender), or the card of MAX user ``owner`` sent by ``user_id``."""
        vcard = f"BEGIN:VCARD\nVERSION:3.0\nFN:Пациент\nTEL;TYPE=cell:{phone}\nEND:VCARD"
        card = {"vcf_info": vcard, "max_info": {"user_id": owner or user_id, "name": "Пациент"}}
        update = {
            "update_type": "message_created",
            "timestamp": 1765000000000,
            "message": {
                "sender": {"user_id": user_id, "name": "Пациент"},
                "recipient": {"chat_id": 1, "chat_type": "dialog"},
                "body": {
                    "mid": mid,
                    "seq": 1,
                    "text": text,
                    "attachments": [{"type": "contact", "payload": card}],
                },
            },
        }
        return self.max_update(update)

    def wazzup_webhook(self, data, key=WAZZUP_CRM_KEY):
        response = self.url_open(
            f"/clinic_whatsapp/webhook/{self.wazzup.webhook_ref}",
            data=json.dumps(data).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
        )
        self.apply_webhooks()
        return response

    # ------------------------------------------------------------------ fallback

    def test_fallback_whatsapp_max_sms_then_call_list_once(self):
        patient = self.messaging_patient("Лидия", "+79161230001")
        self.assertEqual(self.share_contact_on_max(5001, "+7 916 123-00-01", "mid.in1").status_code, 200)
        self.assertEqual(patient.clinic_phone_ids.sudo().max_user_id, "5001")
        self.fake.script("whatsapp", "79161230001", "undeliverable")
        self.fake.script("max", "5001", "undeliverable")
        self.fake.script("sms", "79161230001", "undeliverable")
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(patient)
            self.run_jobs()
        booked = self.messages(appointment, event="booked")
        self.assertEqual(booked.mapped("channel_id"), self.whatsapp | self.max | self.sms)
        self.assertEqual(booked.mapped("state"), ["failed", "failed", "failed"])
        self.assertEqual(booked.mapped("error_code"), ["131026", "chat.denied", "8"])
        self.assertTrue(appointment.messaging_call_listed)
        line = patient.clinic_phone_ids
        self.assertEqual((line.whatsapp_reachable, line.max_reachable), ("no", "no"), "learned from the answers")
        calls = self.env["bus.bus"].sudo().search_count([("message", "like", "Call the patient")])
        # the next reminder skips both messengers known unreachable: no request to them at all
        self.fake.reset()
        self.fake.script("sms", "79161230001", "undeliverable")
        with freeze_time(utc(self.sunday, 10)):
            self.run_jobs()
        reminder = self.messages(appointment, event="reminder_24h")
        self.assertEqual(reminder.mapped("state"), ["skipped", "skipped", "failed"])
        self.assertEqual([kind for kind, _body in self.fake.requests], ["sms"])
        self.assertEqual(
            self.env["bus.bus"].sudo().search_count([("message", "like", "Call the patient")]), calls, "called once"
        )
        self.assertEqual(appointment.event_ids.mapped("state_to"), ["booked"])

    def test_max_reply_by_button_confirms(self):
        patient = self.messaging_patient("Мария", "+79161230002")
        self.share_contact_on_max(5002, "+79161230002", "mid.in2")
        self.fake.script("whatsapp", "79161230002", "undeliverable")
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(patient)
            self.run_jobs()
        booked = self.messages(appointment, event="booked")
        self.assertEqual(booked.mapped("state"), ["failed", "sent"])
        sent = self.fake.accepted_to("5002")
        self.assertEqual(len(sent), 1)
        self.assertIn("Мария Петровна, вы записаны", sent[0]["text"])
        buttons = sent[0]["attachments"][0]["payload"]["buttons"][0]
        self.assertEqual([b["text"] for b in buttons], ["Подтвердить", "Отменить"])
        self.assertEqual(patient.clinic_phone_ids.max_reachable, "yes")
        callback = {
            "update_type": "message_callback",
            "timestamp": 1765000001000,
            "callback": {"callback_id": "cb-1", "payload": buttons[0]["payload"], "user": {"user_id": 5002}},
        }
        with mute_logger("odoo.addons.clinic_whatsapp.controllers.main"):
            self.assertEqual(self.max_update(callback, secret="forged").status_code, 403)
        self.assertEqual(appointment.state, "booked")
        for _repeat in range(2):
            self.assertEqual(self.max_update(callback).status_code, 200)
        self.assertEqual(appointment.state, "confirmed")
        self.assertEqual(len(self.messages(appointment, direction="in", channel_id=self.max.id)), 1)

    def max_text(self, user_id, text, mid):
        update = {
            "update_type": "message_created",
            "timestamp": 1765000002000,
            "message": {
                "sender": {"user_id": user_id, "name": "Пользователь MAX"},
                "recipient": {"chat_id": 1, "chat_type": "dialog"},
                "body": {"mid": mid, "seq": 2, "text": text},
            },
        }
        return self.max_update(update)

    def test_max_contact_card_of_someone_else_takes_over_nothing(self):
        """The tester's attack: MAX user 777 sends the bot a card holding a patient's number and another MAX user
        (555), then answers «2». The card is not the sender's own: no link, and no «2» cancels anything."""
        patient = self.messaging_patient("Вера", "+79161230005")
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(patient)
            self.run_jobs()
        self.assertEqual(self.messages(appointment, event="booked").mapped("state"), ["sent"])
        card = self.share_contact_on_max(777, "+7 916 123-00-05", "mid.qa-1", owner=555, text="2")
        self.assertEqual(card.status_code, 200)
        self.assertFalse(patient.clinic_phone_ids.sudo().max_user_id, "not linked to the sender of someone's card")
        self.assertEqual(self.max_text(777, "2", "mid.qa-2").status_code, 200)
        self.assertEqual(appointment.state, "booked")
        inbound = self.env["clinic.message"].search([("channel_id", "=", self.max.id), ("direction", "=", "in")])
        self.assertEqual(len(inbound), 2)
        self.assertFalse(inbound.appointment_id or inbound.reply_to_id or inbound.partner_id)
        self.assertEqual(inbound.mapped("reply_result"), ["front_desk", "front_desk"])
        # the patient's own card (the «request contact» button's) links their MAX account: their «2» cancels
        self.assertEqual(self.share_contact_on_max(5005, "+79161230005", "mid.in5").status_code, 200)
        self.assertEqual(patient.clinic_phone_ids.sudo().max_user_id, "5005")
        self.assertEqual(self.max_text(5005, "2", "mid.in6").status_code, 200)
        self.assertEqual((appointment.state, appointment.cancelled_by), ("cancelled", "patient"))

    def test_max_user_without_a_number_is_not_the_patients_without_one(self):
        """A MAX user who never shared their number has none, and «no number» matched the messages queued for
        patients without one: their «2» cancelled such a patient's visit, their «стоп» withdrew her consent."""
        patient = self.messaging_patient("Нина", False)
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(patient)
            self.run_jobs()
        self.assertTrue(self.messages(appointment, direction="out").filtered(lambda m: not m.phone))
        self.assertEqual(self.max_text(778, "2", "mid.n1").status_code, 200)
        self.assertEqual(self.max_text(778, "стоп", "mid.n2").status_code, 200)
        self.assertEqual(appointment.state, "booked")
        self.assertFalse(patient.consent_ids.filtered(lambda c: c.action == "withdrawn"))
        inbound = self.env["clinic.message"].search([("channel_id", "=", self.max.id), ("direction", "=", "in")])
        self.assertEqual((len(inbound), inbound.partner_id), (2, self.env["res.partner"]))

    @mute_logger("odoo.addons.clinic_whatsapp.controllers.main")
    def test_max_and_wazzup_malformed_or_non_ascii_requests_get_4xx(self):
        """A body that is not an Update is refused whole (400, nothing stored); a secret that is not ASCII is a
        forged request (403), not a crash in ``hmac.compare_digest``."""
        Webhook = self.env["clinic.message.webhook"]
        stored = Webhook.search_count([])
        created = {"update_type": "message_created", "timestamp": 1}
        bodies = {
            "[]": ([], "body: expected an object, got a list"),
            "null": (None, "body: expected an object, got null"),
            "no type": ({"timestamp": 1}, "body.update_type: missing"),
            "type 5": ({"update_type": 5}, "body.update_type: expected a string, got a number"),
            "no message": (created, "body.message: missing"),
            "no sender": (
                {**created, "message": {"sender": {"user_id": None}, "body": {"mid": "mid.b1"}}},
                "body.message.sender.user_id: missing",
            ),
            "attachments": (
                {**created, "message": {"sender": {"user_id": 1}, "body": {"mid": "mid.b2", "attachments": {}}}},
                "body.message.body.attachments: expected a list, got an object",
            ),
            "callback user": (
                {"update_type": "message_callback", "callback": {"callback_id": "cb-b", "user": []}},
                "body.callback.user: expected an object, got a list",
            ),
        }
        for name, (body, error) in bodies.items():
            with self.subTest(body=name):
                response = self.max_update(body)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.json()["rejected"], [error])
        self.assertEqual(Webhook.search_count([]), stored, "nothing stored")
        self.assertEqual(self.max_update({"update_type": "bot_started", "user": {"user_id": 1}}).status_code, 200)
        self.assertEqual(self.max_text(5006, "да", "mid.ok").status_code, 200)
        self.assertEqual(self.max_update({"update_type": "bot_started"}, secret="s\xc3\xa9cret").status_code, 403)
        self.wazzup.active = True
        self.assertEqual(self.wazzup_webhook({"test": True}, key="\xc3\xa9").status_code, 403)
        for body, error in (
            ({"statuses": {"a": 1}}, "body.statuses: expected a list, got an object"),
            ({"messages": ["x"]}, "messages[0]: expected an object, got a string"),
            (
                {"messages": [{"messageId": "w1", "chatId": "abc", "text": "2"}]},
                "messages[0].chatId: not a phone number",
            ),
        ):
            with self.subTest(body=body):
                response = self.wazzup_webhook(body)
                self.assertEqual((response.status_code, response.json()["rejected"]), (400, [error]))
        self.assertEqual(self.wazzup_webhook({"test": True}).status_code, 200)

    def test_max_without_a_known_chat_goes_to_the_next_channel_without_a_request(self):
        patient = self.messaging_patient("Ева", "+79161230003")
        self.fake.script("whatsapp", "79161230003", "undeliverable")
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(patient)
            self.run_jobs()
        booked = self.messages(appointment, event="booked")
        self.assertEqual(booked.mapped("state"), ["failed", "failed", "sent"])
        self.assertEqual(booked[1].error_code, "no_max_chat")
        self.assertFalse(patient.clinic_phone_ids.max_reachable, "no chat is not «not on MAX»")
        self.assertEqual([kind for kind, _body in self.fake.requests], ["whatsapp", "sms"])

    # ------------------------------------------------------------------ errors, timeouts, rate limits

    def test_max_rate_limit_waits_for_retry_after_then_5xx_then_sends_once(self):
        self.only(self.max)
        patient = self.messaging_patient("Ирина", "+79161230004")
        self.share_contact_on_max(5004, "+79161230004", "mid.in4")
        self.fake.script("max", "5004", "429", "500")
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(patient)
            self.assertEqual(self.run_jobs(), ["retry"])
        booked = self.messages(appointment, event="booked")
        self.assertEqual((booked.state, booked.error_code), ("queued", "too.many.requests"))
        self.assertEqual(booked.scheduled_at, utc(self.saturday, 12) + timedelta(seconds=RETRY_AFTER))
        with freeze_time(utc(self.saturday, 12, 2)):
            self.assertEqual(self.run_jobs(), ["retry"])
        self.assertEqual(booked.error_code, "service.unavailable")
        with freeze_time(utc(self.saturday, 12, 10)):
            self.assertEqual(self.run_jobs(), ["sent"])
        self.assertEqual((booked.state, booked.attempts), ("sent", 3))
        self.assertEqual(len(self.fake.accepted_to("5004")), 1)

    def test_wazzup_late_answer_is_not_sent_twice_thanks_to_its_key(self):
        self.only(self.wazzup)
        patient = self.messaging_patient("Алла", "+79161230005")
        self.fake.script("wazzup", "79161230005", "late")
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(patient)
            self.assertEqual(self.run_jobs(), ["retry"])
        booked = self.messages(appointment, event="booked")
        self.assertEqual(booked.scheduled_at, utc(self.saturday, 12) + timedelta(seconds=30), "idempotent: no wait")
        with freeze_time(utc(self.saturday, 12, 1)):
            self.run_jobs()
        requests = [body for kind, body in self.fake.requests if kind == "wazzup"]
        self.assertEqual([r["crmMessageId"] for r in requests], [str(booked.id)] * 2)
        self.assertEqual(len(self.fake.accepted_to("+79161230005")), 1, "the gateway took the message once")
        self.assertEqual((booked.state, booked.provider_message_id), ("sent", f"crm:{booked.id}"))
        # the echo of our message brings the gateway's id; statuses then find the row by it, twice or not
        echo = {"messageId": "wz-1", "chatId": "79161230005", "isEcho": True, "crmMessageId": str(booked.id)}
        self.assertEqual(self.wazzup_webhook({"messages": [echo]}).status_code, 200)
        self.assertEqual(booked.provider_message_id, "wz-1")
        delivered = {"statuses": [{"messageId": "wz-1", "timestamp": "2026-01-01T10:00:00Z", "status": "delivered"}]}
        for _repeat in range(2):
            self.assertEqual(self.wazzup_webhook(delivered).status_code, 200)
        self.assertEqual(booked.state, "delivered")
        self.assertEqual(patient.clinic_phone_ids.whatsapp_reachable, "yes")
        sent_again = {"statuses": [{"messageId": "wz-1", "timestamp": "2026-01-01T09:59:00Z", "status": "sent"}]}
        self.assertEqual(self.wazzup_webhook(sent_again).status_code, 200)
        self.assertEqual(booked.state, "delivered", "a status never moves backwards")
        with mute_logger("odoo.addons.clinic_whatsapp.controllers.main"):
            self.assertEqual(self.wazzup_webhook(delivered, key="forged").status_code, 403)

    def test_wazzup_not_on_whatsapp_falls_back_and_flags_the_number(self):
        self.wazzup.write({"active": True, "sequence": 1})
        self.whatsapp.active = self.max.active = False
        patient = self.messaging_patient("Роза", "+79161230051")
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(patient)
            self.run_jobs()
        booked = self.messages(appointment, event="booked")
        self.assertEqual(booked.mapped("channel_id"), self.wazzup | self.sms)
        self.assertEqual(booked.mapped("state"), ["failed", "sent"])
        self.assertEqual(booked[0].error_code, "BAD_CONTACT")
        self.assertEqual(patient.clinic_phone_ids.whatsapp_reachable, "no")

    def test_cloud_api_late_answer_is_reconciled_by_its_status_not_resent(self):
        self.only(self.whatsapp)
        patient = self.messaging_patient("Тамара", "+79161230006")
        self.fake.script("whatsapp", "79161230006", "late")
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(patient)
            self.assertEqual(self.run_jobs(), ["retry"])
        booked = self.messages(appointment, event="booked")
        self.assertEqual(booked.scheduled_at, utc(self.saturday, 12) + timedelta(seconds=120), "waits for a status")
        self.assertEqual(len(self.fake.accepted_to("+79161230006")), 1, "Meta took it, but answered too late")
        wamid = f"wamid.TEST{self.fake.counter}"
        item = {"id": wamid, "status": "sent", "timestamp": "1", "recipient_id": "79161230006"}
        item["biz_opaque_callback_data"] = f"outbox:{booked.id}"
        self.assertEqual(self.wa_webhook([item], kind="statuses").status_code, 200)
        self.assertEqual((booked.state, booked.provider_message_id), ("sent", wamid))
        with freeze_time(utc(self.saturday, 12, 3)):
            self.assertEqual(self.run_jobs(), ["already handled"])
        self.assertEqual(len(self.fake.accepted_to("+79161230006")), 1)

    def test_late_answer_with_its_status_stored_not_applied_is_not_resent(self):
        self.only(self.whatsapp)
        patient = self.messaging_patient("Тамара", "+79161230006")
        self.fake.script("whatsapp", "79161230006", "late")
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(patient)
            self.assertEqual(self.run_jobs(), ["retry"])
        booked = self.messages(appointment, event="booked")
        wamid = f"wamid.TEST{self.fake.counter}"
        item = {"id": wamid, "status": "delivered", "timestamp": "1", "recipient_id": "79161230006"}
        item["biz_opaque_callback_data"] = f"outbox:{booked.id}"
        self.wa_webhook([item], kind="statuses", apply=False)  # the applying job is still waiting
        with freeze_time(utc(self.saturday, 12, 3)):
            self.assertEqual(self.run_jobs(models=("clinic.message",)), ["sent before"])
        self.assertEqual((booked.state, booked.provider_message_id), ("delivered", wamid))
        self.assertEqual(len(self.fake.accepted_to("+79161230006")), 1, "not sent a second time")
        stored = self.env["clinic.message.webhook"].search([("key", "=", f"status:{wamid}:delivered")])
        self.assertEqual(stored.state, "done")

    def test_status_of_a_send_in_flight_waits_for_the_worker(self):
        self.only(self.whatsapp)
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(self.anna)
            booked = self.messages(appointment, event="booked")
            booked._claim()
            item = {"id": "wamid.EARLY", "status": "delivered", "timestamp": "1", "recipient_id": "79161234500"}
            item["biz_opaque_callback_data"] = f"outbox:{booked.id}"
            response = self.wa_webhook([item], kind="statuses")
        self.assertEqual(response.status_code, 200, "stored: Meta need not deliver it again")
        self.assertEqual(booked.state, "sending", "the worker records its own answer first")
        stored = self.env["clinic.message.webhook"].search([("key", "=", "status:wamid.EARLY:delivered")])
        self.assertEqual(stored.state, "pending")
        later = self.env["queue.job"].search([("model_name", "=", "clinic.message.webhook"), ("state", "=", "pending")])
        self.assertEqual(len(later), 1, "a later job tries it again")
        booked.write({"state": "sent", "provider_message_id": "wamid.EARLY"})  # the worker's answer
        later.eta = False
        self.apply_webhooks()
        self.assertEqual((booked.state, stored.state), ("delivered", "done"))
