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

    def share_contact_on_max(self, user_id, phone, mid):
        vcard = f"BEGIN:VCARD\nVERSION:3.0\nFN:Пациент\nTEL;TYPE=cell:{phone}\nEND:VCARD"
        update = {
            "update_type": "message_created",
            "timestamp": 1765000000000,
            "message": {
                "sender": {"user_id": user_id, "name": "Пациент"},
                "recipient": {"chat_id": 1, "chat_type": "dialog"},
                "body": {
                    "mid": mid,
                    "seq": 1,
                    "text": "",
                    "attachments": [{"type": "contact", "payload": {"vcf_info": vcard}}],
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
