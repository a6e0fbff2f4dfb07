import hashlib
import hmac
import json
from datetime import datetime, timedelta

from odoo.tests import HttpCase

from odoo.addons.clinic_base.tests.queue_jobs import run_queued_jobs
from odoo.addons.clinic_scheduling.tests.common import CLINIC_TZ, SchedulingCase, utc

from .fake_providers import SMS_LOGIN, SMS_PASSWORD, WA_TOKEN, FakeProviders

WA_SECRET, SMS_SECRET, VERIFY_TOKEN = "wa-app-secret", "sms-secret", "verify-me"


class MessagingCase(SchedulingCase, HttpCase):
    """A clinic with WhatsApp then SMS, both pointing at a fake provider on 127.0.0.1."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fake = FakeProviders().start()
        cls.addClassCleanup(cls.fake.stop)
        Channel = cls.env["clinic.messaging.channel"]
        Channel.search([]).active = False
        # the demo's outbox (reminders of its bookings ahead) and the database's own jobs are not these tests' business
        cls.env["clinic.message"].search([("state", "=", "queued")]).state = "cancelled"
        cls.env["queue.job"].search(
            [("model_name", "in", ("clinic.message", "clinic.message.webhook")), ("state", "=", "pending")]
        ).unlink()
        common = {"base_url": cls.fake.url, "timeout": 0.5, "company_id": cls.env.company.id}
        cls.whatsapp = Channel.create(
            {
                **common,
                "name": "WhatsApp",
                "sequence": 1,
                "provider": "whatsapp_cloud",
                "account_ref": "100200300",
                "token": WA_TOKEN,
                "app_secret": WA_SECRET,
                "verify_token": VERIFY_TOKEN,
            }
        )
        cls.sms = Channel.create(
            {
                **common,
                "name": "SMS",
                "sequence": 2,
                "provider": "sms_smsc",
                "account_ref": SMS_LOGIN,
                "token": SMS_PASSWORD,
                "app_secret": SMS_SECRET,
                "sender": "Clinic",
            }
        )
        cls.env.company.write({"clinic_quiet_start": 21.0, "clinic_quiet_end": 9.0})
        cls.env["ir.config_parameter"].set_param("clinic_whatsapp.webhook_delay", "0")
        cls.saturday = cls.monday - timedelta(days=2)
        cls.sunday = cls.monday - timedelta(days=1)
        cls.anna = cls.messaging_patient("Анна", "+79161234500")

    def setUp(self):
        super().setUp()
        self.fake.reset()

    @classmethod
    def messaging_patient(cls, first_name, phone, consent=True):
        patient = cls.env["res.partner"].create(
            {
                "is_patient": True,
                "surname": "Сообщенская",
                "first_name": first_name,
                "patronymic": "Петровна",
                "phone": phone,
                "tz": CLINIC_TZ,
            }
        )
        purposes = ("personal_data", "service_messages") if consent else ("personal_data",)
        for purpose in purposes:
            cls.env["clinic.consent"].create(
                {
                    "partner_id": patient.id,
                    "purpose": purpose,
                    "channel": "all",
                    "action": "given",
                    "source": "paper",
                    "date": datetime(2020, 1, 1),
                }
            )
        return patient

    def book(self, patient, hour=10, day=None):
        day = day or self.monday
        start = utc(day, hour)
        return self.Appointment.create(
            {
                "patient_id": patient.id,
                "employee_id": self.doctor.id,
                "cabinet_id": self.cabinet.id,
                "start": start,
                "stop": start + timedelta(minutes=30),
            }
        )

    def run_jobs(self, models=("clinic.message", "clinic.message.webhook")):
        """The queue_job worker's part: perform every due job of the outbox, as the runner would."""
        return run_queued_jobs(self.env, models)

    def apply_webhooks(self):
        """The job applying what the webhook requests stored (only that job: the outbox waits)."""
        return self.run_jobs(models=("clinic.message.webhook",))

    def messages(self, appointment, **filters):
        domain = [("appointment_id", "=", appointment.id)] + [(k, "=", v) for k, v in filters.items()]
        return self.env["clinic.message"].search(domain, order="id")

    # --------------------------------------------------------------- webhooks as the providers send them

    def wa_webhook(self, items, secret=WA_SECRET, kind="messages", apply=True):
        response = self.wa_post(self.wa_body(items, kind), secret)
        if apply:
            self.apply_webhooks()
        return response

    @staticmethod
    def wa_body(items, kind="messages"):
        """A Cloud API webhook body with these messages or statuses."""
        return json.dumps(
            {
                "object": "whatsapp_business_account",
                "entry": [
                    {
                        "id": "WABA",
                        "changes": [
                            {
                                "field": "messages",
                                "value": {
                                    "metadata": {"display_phone_number": "74950000000", "phone_number_id": "100200300"},
                                    kind: items,
                                },
                            }
                        ],
                    }
                ],
            }
        ).encode()

    def wa_post(self, body, secret=WA_SECRET, url=None):
        """POST a raw Cloud API webhook body signed with ``secret``; nothing applied yet."""
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return self.url_open(
            url or f"/clinic_whatsapp/webhook/{self.whatsapp.webhook_ref}",
            data=body,
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
        )

    def wa_text(self, phone, text, wamid, apply=True):
        return self.wa_webhook(
            [{"from": phone.lstrip("+"), "id": wamid, "timestamp": "1", "type": "text", "text": {"body": text}}],
            apply=apply,
        )

    def wa_status(self, wamid, status, code=None):
        item = {"id": wamid, "status": status, "timestamp": "1", "recipient_id": "79161234500"}
        if code:
            item["errors"] = [{"code": code, "title": "error"}]
        return self.wa_webhook([item], kind="statuses")
