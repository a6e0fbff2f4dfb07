from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.clinic_scheduling.tests.common import utc

from .common import SMS_SECRET, MessagingCase


@tagged("post_install", "-at_install")
class TestWebhooks(MessagingCase):
    def sent_booking(self, patient=None):
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(patient or self.anna)
            self.run_jobs()
        return appointment, self.messages(appointment, event="booked", direction="out")

    def test_reminder_confirm_chain_by_button(self):
        appointment, booked = self.sent_booking()
        with freeze_time(utc(self.sunday, 10)):
            self.run_jobs()
        reminder = self.messages(appointment, event="reminder_24h")
        self.assertEqual(reminder.state, "sent")
        request = [b for b in self.fake.accepted_to("+79161234500") if b["template"]["name"] == "appt_reminder_24h"]
        payload = request[0]["template"]["components"][1]["parameters"][0]["payload"]
        button = {
            "from": "79161234500",
            "id": "wamid.IN1",
            "timestamp": "2",
            "type": "button",
            "context": {"from": "74950000000", "id": reminder.provider_message_id},
            "button": {"payload": payload, "text": "Подтвердить"},
        }
        self.assertEqual(self.wa_webhook([button]).status_code, 200)
        self.assertEqual(appointment.state, "confirmed")
        self.assertTrue(appointment.confirmed_at)
        # Meta delivers again: nothing changes, nothing raises
        self.assertEqual(self.wa_webhook([button]).status_code, 200)
        self.assertEqual(len(self.messages(appointment, direction="in")), 1)
        self.assertEqual(appointment.state, "confirmed")
        # and a typed "да" afterwards is just as harmless
        self.assertEqual(self.wa_text("+79161234500", "Да!", "wamid.IN2").status_code, 200)
        self.assertEqual(appointment.state, "confirmed")
        self.assertTrue(any("← WhatsApp: Подтвердить" in body for body in appointment.message_ids.mapped("body")))

    def test_forged_button_payload_does_not_act(self):
        appointment, booked = self.sent_booking()
        forged = {
            "from": "79161234500",
            "id": "wamid.IN9",
            "timestamp": "2",
            "type": "button",
            "button": {"payload": f"A:{appointment.id}:CANCEL:0000000000", "text": "Отменить"},
        }
        self.assertEqual(self.wa_webhook([forged]).status_code, 200)
        self.assertEqual(appointment.state, "booked")

    def test_cancel_by_free_text_reply(self):
        appointment, booked = self.sent_booking()
        self.assertEqual(self.wa_text("+79161234500", "  Отмена ", "wamid.IN3").status_code, 200)
        self.assertEqual((appointment.state, appointment.cancelled_by), ("cancelled", "patient"))
        self.assertEqual(self.wa_text("+79161234500", "2", "wamid.IN4").status_code, 200)  # cancelled → cancelled
        self.assertEqual(appointment.state, "cancelled")
        self.assertEqual(self.messages(appointment, event="reminder_24h").state, "cancelled")
        self.assertEqual(self.messages(appointment, event="cancelled").state, "queued")

    def test_stop_withdraws_the_channels_consent(self):
        appointment, booked = self.sent_booking()
        self.assertEqual(self.wa_text("+79161234500", "СТОП", "wamid.IN5").status_code, 200)
        self.assertFalse(self.anna.clinic_may_contact("service_messages", "whatsapp"))
        self.assertTrue(self.anna.clinic_may_contact("service_messages", "sms"))
        withdrawal = self.anna.consent_ids.filtered(lambda c: c.action == "withdrawn")
        self.assertEqual(set(withdrawal.mapped("channel")), {"whatsapp"})
        self.assertEqual(set(withdrawal.mapped("source")), {"message"})
        self.assertEqual(appointment.state, "booked")
        with freeze_time(utc(self.sunday, 10)):
            self.run_jobs()
        reminder = self.messages(appointment, event="reminder_24h")
        self.assertEqual(reminder.mapped("channel_id"), self.whatsapp | self.sms)
        self.assertEqual(reminder.mapped("state"), ["skipped", "sent"])

    def test_unknown_text_goes_to_the_front_desk(self):
        appointment, booked = self.sent_booking()
        self.assertEqual(self.wa_text("+79161234500", "А можно с собакой?", "wamid.IN6").status_code, 200)
        self.assertEqual(appointment.state, "booked")
        inbound = self.messages(appointment, direction="in")
        self.assertEqual((inbound.body, inbound.state), ("А можно с собакой?", "received"))

    def test_statuses_are_idempotent_and_never_go_back(self):
        appointment, booked = self.sent_booking()
        wamid = booked.provider_message_id
        for status in ("read", "delivered", "sent", "read"):
            self.assertEqual(self.wa_status(wamid, status).status_code, 200)
        self.assertEqual(booked.state, "read")
        self.assertEqual(self.wa_status(wamid, "failed", code=131026).status_code, 200)
        self.assertEqual(booked.state, "read")
        self.assertEqual(len(self.messages(appointment, event="booked")), 1, "no fallback after a read")

    def test_async_failure_falls_back_once(self):
        appointment, booked = self.sent_booking()
        for _repeat in range(2):
            self.assertEqual(self.wa_status(booked.provider_message_id, "failed", code=131026).status_code, 200)
        self.assertEqual(booked.state, "failed")
        fallback = self.messages(appointment, event="booked", channel_id=self.sms.id)
        self.assertEqual((len(fallback), fallback.state), (1, "queued"))

    @mute_logger("odoo.addons.clinic_whatsapp.controllers.main")
    def test_forged_signature_is_refused(self):
        appointment, booked = self.sent_booking()
        response = self.wa_webhook(
            [{"from": "79161234500", "id": "wamid.X", "timestamp": "1", "type": "text", "text": {"body": "2"}}],
            secret="not-the-secret",
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(appointment.state, "booked")
        self.assertFalse(self.messages(appointment, direction="in"))
        unsigned = self.url_open(f"/clinic_whatsapp/webhook/{self.whatsapp.webhook_ref}", data=b"{}")
        self.assertEqual(unsigned.status_code, 403)
        self.assertEqual(self.url_open("/clinic_whatsapp/webhook/nope", data=b"{}").status_code, 404)

    @mute_logger("odoo.addons.clinic_whatsapp.controllers.main")
    def test_a_new_app_secret_takes_effect_at_once(self):
        """The webhook reads the channel's settings from a per-worker cache: changing the secret clears it."""
        status = {"id": "wamid.S1", "status": "delivered", "timestamp": "1", "recipient_id": "79161234500"}
        self.assertEqual(self.wa_webhook([status], kind="statuses").status_code, 200)  # the settings are now cached
        self.whatsapp.app_secret = "rotated-secret"
        self.assertEqual(self.wa_webhook([status], kind="statuses").status_code, 403, "the old secret no longer signs")
        self.assertEqual(self.wa_webhook([status], secret="rotated-secret", kind="statuses").status_code, 200)

    @mute_logger("odoo.addons.clinic_whatsapp.controllers.main")
    def test_subscription_handshake(self):
        base = f"/clinic_whatsapp/webhook/{self.whatsapp.webhook_ref}?hub.mode=subscribe&hub.challenge=4242"
        good = self.url_open(f"{base}&hub.verify_token=verify-me")
        self.assertEqual((good.status_code, good.text), (200, "4242"))
        self.assertEqual(self.url_open(f"{base}&hub.verify_token=wrong").status_code, 403)

    @mute_logger("odoo.addons.clinic_whatsapp.controllers.main")
    def test_sms_delivery_report_and_reply(self):
        from ..providers.smsc import sign

        self.whatsapp.active = False
        appointment, booked = self.sent_booking()
        self.assertEqual(booked.channel_id, self.sms)
        url = f"/clinic_whatsapp/webhook/{self.sms.webhook_ref}"
        report = {"id": booked.provider_message_id, "phone": "79161234500", "status": "1", "err": "0"}
        report["md5"] = sign([report["id"], report["phone"], report["status"]], SMS_SECRET)
        self.assertEqual(self.url_open(url, data=report).status_code, 200)
        self.apply_webhooks()
        self.assertEqual(booked.state, "delivered")
        forged = dict(report, status="20")
        self.assertEqual(self.url_open(url, data=forged).status_code, 403)
        reply = {"phone": "79161234500", "mes": "подтверждаю", "sent": "1765000000"}
        reply["md5"] = sign([reply["phone"], reply["mes"], reply["sent"]], SMS_SECRET)
        self.assertEqual(self.url_open(url, data=reply).status_code, 200)
        self.assertEqual(self.url_open(url, data=reply).status_code, 200)
        self.apply_webhooks()
        self.assertEqual(appointment.state, "confirmed")
        self.assertEqual(len(self.messages(appointment, direction="in")), 1)

    @mute_logger("odoo.addons.clinic_whatsapp.controllers.main")
    def test_secrets_that_are_not_ascii_are_refused_not_a_crash(self):
        """The tester's requests without any credential: ``hmac.compare_digest`` raised TypeError (500)."""
        url = f"/clinic_whatsapp/webhook/{self.whatsapp.webhook_ref}"
        signed = self.url_open(url, data=b"{}", headers={"X-Hub-Signature-256": "sha256=\xc3\xa9"})
        self.assertEqual(signed.status_code, 403)
        handshake = self.url_open(f"{url}?hub.mode=subscribe&hub.verify_token=%C3%A9&hub.challenge=abc")
        self.assertEqual(handshake.status_code, 403)
        sms = {"id": "1", "phone": "1", "status": "1", "md5": "\u00e9"}
        self.assertEqual(self.url_open(f"/clinic_whatsapp/webhook/{self.sms.webhook_ref}", data=sms).status_code, 403)

    @mute_logger("odoo.addons.clinic_whatsapp.controllers.main")
    def test_signed_bodies_of_the_wrong_shape_are_refused_whole(self):
        """Signed, but not a Cloud API webhook: 400 naming what is wrong, nothing stored (it was a 500, which
        Meta redelivers for 7 days)."""
        from ..providers.smsc import sign

        Webhook = self.env["clinic.message.webhook"]
        stored = Webhook.search_count([])
        value = "entry[0].changes[0].value"
        for body, error in (
            (b"[]", "body: expected an object, got a list"),
            (b"null", "body: expected an object, got null"),
            (b"123", "body: expected an object, got a number"),
            (b'"s"', "body: expected an object, got a string"),
            (b"not json", "body: not JSON"),
            (b"[" * 100000, "body: not JSON"),
            (b"{}", "body.entry: missing"),
            (b'{"entry": [1]}', "entry[0]: expected an object, got a number"),
            (b'{"entry": {"a": 1}}', "body.entry: expected a list, got an object"),
            (b'{"entry": [{"changes": [{"value": []}]}]}', "entry[0].changes[0].value: expected an object, got a list"),
            (self.wa_body(["x"], kind="statuses"), f"{value}.statuses[0]: expected an object, got a string"),
            (
                self.wa_body([{"id": "wamid.B1", "timestamp": "1", "type": "text", "text": {"body": "2"}}]),
                f"{value}.messages[0].from: missing",
            ),
            (
                self.wa_body([{"from": "79161234500", "id": "wamid.B2", "type": "text", "text": "2"}]),
                f"{value}.messages[0].text: expected an object, got a string",
            ),
        ):
            with self.subTest(body=body):
                response = self.wa_post(body)
                self.assertEqual(response.status_code, 400)
                self.assertIn("error", response.json())
                self.assertTrue(response.json()["rejected"][0].startswith(error), response.json()["rejected"])
        url = f"/clinic_whatsapp/webhook/{self.sms.webhook_ref}"
        for form, error in (
            ({"phone": "", "mes": "2", "sent": "1"}, "form.phone: empty"),
            ({"phone": "абв", "mes": "2", "sent": "1"}, "form.phone: not a phone number"),
            ({"phone": "79161234500", "status": "1"}, "form.id: missing"),
        ):
            with self.subTest(form=form):
                keys = ("phone", "mes", "sent") if "mes" in form else ("id", "phone", "status")
                form["md5"] = sign([form.get(key, "") for key in keys], SMS_SECRET)
                response = self.url_open(url, data=form)
                self.assertEqual((response.status_code, response.json()["rejected"]), (400, [error]))
        self.assertEqual(Webhook.search_count([]), stored, "nothing stored")

    @mute_logger("odoo.addons.clinic_whatsapp.controllers.main")
    def test_good_items_are_kept_and_bad_ones_reported(self):
        appointment, booked = self.sent_booking()
        wamid = booked.provider_message_id
        statuses = [
            "x",
            {"id": wamid, "status": "delivered", "timestamp": "1", "recipient_id": "79161234500"},
            {"status": "read", "timestamp": "2"},
        ]
        response = self.wa_post(self.wa_body(statuses, kind="statuses"))
        self.assertEqual(response.status_code, 200)
        value = "entry[0].changes[0].value"
        self.assertEqual(
            response.json(),
            {
                "stored": 1,
                "rejected": [
                    f"{value}.statuses[0]: expected an object, got a string",
                    f"{value}.statuses[2].id: missing",
                ],
            },
        )
        self.apply_webhooks()
        self.assertEqual(booked.state, "delivered")


@tagged("post_install", "-at_install")
class TestWebhookStore(MessagingCase):
    """The request stores, a job applies: nothing lost in between, nothing applied twice."""

    def stored(self, key):
        return self.env["clinic.message.webhook"].search([("key", "=", key)])

    def test_stored_then_applied_in_order(self):
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(self.anna)
            self.run_jobs()
        booked = self.messages(appointment, event="booked", direction="out")
        wamid = booked.provider_message_id
        for status in ("delivered", "read", "delivered"):
            self.assertEqual(self.wa_status(wamid, status).status_code, 200)
        self.wa_webhook(
            [{"id": wamid, "status": "read", "timestamp": "1", "recipient_id": "7"}], kind="statuses", apply=False
        )
        self.assertEqual(booked.state, "read")
        self.assertEqual(len(self.env["clinic.message.webhook"].search([("key", "like", f"%:{wamid}:%")])), 2)

    def test_applied_events_are_dropped_after_the_redelivery_window(self):
        Webhook = self.env["clinic.message.webhook"]
        rows = Webhook.create(
            [
                {"channel_id": self.whatsapp.id, "key": key, "state": state, "event": {}}
                for key, state in (("in:old", "done"), ("in:recent", "done"), ("in:broken", "error"))
            ]
        )
        self.env.cr.execute(
            "UPDATE clinic_message_webhook SET create_date = now() at time zone 'UTC' - interval '31 days'"
            " WHERE key IN ('in:old', 'in:broken')"
        )
        Webhook._gc_applied()
        self.assertEqual(rows.exists().mapped("key"), ["in:recent", "in:broken"])

    def test_crash_between_store_and_apply_loses_nothing(self):
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(self.anna)
            self.run_jobs()
        self.assertEqual(self.wa_text("+79161234500", "да", "wamid.S1", apply=False).status_code, 200)
        self.assertEqual(appointment.state, "booked", "only stored by the request")
        event = self.stored("in:wamid.S1")
        self.assertEqual(event.state, "pending")
        # the applying worker dies in the middle: its transaction is gone, the event is still pending
        Message = type(self.env["clinic.message"])
        with (
            patch.object(Message, "_process_webhook", side_effect=KeyboardInterrupt),
            self.assertRaises(KeyboardInterrupt),
        ):
            self.apply_webhooks()
        self.env.invalidate_all()
        self.assertEqual((event.state, appointment.state), ("pending", "booked"))
        # queue_job requeues the job of a dead worker; a job is pending for it in any case
        self.env["queue.job"].search([("model_name", "=", "clinic.message.webhook")]).state = "pending"
        self.apply_webhooks()
        self.assertEqual((event.state, appointment.state), ("done", "confirmed"))
        self.assertEqual(len(self.messages(appointment, direction="in")), 1)

    def test_duplicate_delivery_applied_once(self):
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(self.anna)
            self.run_jobs()
        for _delivery in range(3):
            self.assertEqual(self.wa_text("+79161234500", "Отмена", "wamid.D1", apply=False).status_code, 200)
        self.assertEqual(len(self.stored("in:wamid.D1")), 1)
        jobs = self.env["queue.job"].search([("model_name", "=", "clinic.message.webhook"), ("state", "=", "pending")])
        self.assertEqual(len(jobs), 1, "one job waits for all of them")
        self.apply_webhooks()
        self.assertEqual(appointment.state, "cancelled")
        self.assertEqual(len(self.messages(appointment, direction="in")), 1)
        # redelivered after it was applied: stored nothing, no job, nothing changes
        self.assertEqual(self.wa_text("+79161234500", "Отмена", "wamid.D1", apply=False).status_code, 200)
        self.assertFalse(
            self.env["queue.job"].search([("model_name", "=", "clinic.message.webhook"), ("state", "=", "pending")])
        )

    def test_a_bad_event_does_not_hold_back_the_others(self):
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(self.anna)
            self.run_jobs()
        self.wa_text("+79161234500", "А можно с собакой?", "wamid.E1", apply=False)
        self.wa_text("+79161234500", "да", "wamid.E2", apply=False)
        Message = type(self.env["clinic.message"])
        receive = Message._receive

        def broken(model, channel, event):
            if event.provider_message_id == "wamid.E1":
                raise ValueError("broken event")
            return receive(model, channel, event)

        with (
            patch.object(Message, "_receive", broken),
            mute_logger("odoo.addons.clinic_whatsapp.models.clinic_message_webhook"),
        ):
            self.apply_webhooks()
        self.assertEqual(self.stored("in:wamid.E1").mapped("state"), ["error"])
        self.assertEqual(self.stored("in:wamid.E1").error, "broken event")
        self.assertEqual(appointment.state, "confirmed")

    def test_webhook_request_queries(self):
        """The provider's request: the registry check and one INSERT (the channel's settings are cached)."""
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(self.anna)
            self.run_jobs()
        self.wa_text("+79161234500", "А можно?", "wamid.Q0", apply=False)  # a job now waits
        self.env.flush_all()
        self.env.cr.execute("SELECT 1")  # nothing pending in the test cursor
        with self.assertQueryCount(2):
            self.wa_text("+79161234500", "А можно?", "wamid.Q1", apply=False)
        self.assertEqual(self.stored("in:wamid.Q1").state, "pending")
        self.assertEqual(appointment.state, "booked")
