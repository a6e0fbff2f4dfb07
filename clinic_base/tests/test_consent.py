from datetime import datetime

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import ClinicCase


@tagged("post_install", "-at_install")
class TestConsent(ClinicCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.patient_a = cls.patient("Фролова", "Вера", "Ильинична")
        cls.Consent = cls.env["clinic.consent"]

    def record(self, when, purpose, action, channel="all", source="front_desk", **vals):
        return self.Consent.create(
            dict(
                partner_id=self.patient_a.id,
                date=when,
                purpose=purpose,
                action=action,
                channel=channel,
                source=source,
                **vals,
            )
        )

    def may(self, purpose, channel, when):
        return self.patient_a.clinic_may_contact(purpose, channel, at=when)

    def test_may_contact_follows_history_over_time(self):
        self.record(datetime(2026, 1, 10), "personal_data", "given", source="paper")
        self.record(datetime(2026, 1, 10), "service_messages", "given", channel="whatsapp", source="paper")
        self.record(datetime(2026, 3, 1), "service_messages", "withdrawn", channel="whatsapp", source="message")
        self.record(datetime(2026, 4, 1), "marketing", "given", channel="all", source="website")
        self.record(datetime(2026, 5, 1), "marketing", "withdrawn", channel="sms", source="message")

        self.assertFalse(self.may("service_messages", "whatsapp", datetime(2026, 1, 9)), "before any consent")
        self.assertTrue(self.may("service_messages", "whatsapp", datetime(2026, 2, 1)))
        self.assertFalse(self.may("service_messages", "sms", datetime(2026, 2, 1)), "given for WhatsApp only")
        self.assertFalse(self.may("service_messages", "whatsapp", datetime(2026, 3, 2)), "withdrawn by a reply")
        self.assertTrue(self.may("marketing", "sms", datetime(2026, 4, 15)), "«all channels» covers SMS")
        self.assertTrue(self.may("marketing", "max", datetime(2026, 5, 2)), "«all channels» covers MAX")
        self.assertFalse(self.may("service_messages", "max", datetime(2026, 2, 1)), "given for WhatsApp only")
        Consent, everyone = self.env["clinic.consent"], self.patient_a | self.patient("Сидоров", "Пётр", "Ильич")
        for purpose, channel, when in [
            ("service_messages", "whatsapp", datetime(2026, 2, 1)),
            ("service_messages", "whatsapp", datetime(2026, 3, 2)),
            ("marketing", "max", datetime(2026, 5, 2)),
            ("marketing", "sms", datetime(2026, 5, 2)),
            ("personal_data", "all", datetime(2026, 1, 9)),
            ("personal_data", "all", datetime(2026, 1, 11)),
        ]:
            expected = {p.id for p in everyone if p.clinic_may_contact(purpose, channel, at=when)}
            self.assertEqual(Consent._may_contact_many(everyone, purpose, channel, when), expected, (purpose, when))
        self.assertFalse(self.may("marketing", "sms", datetime(2026, 5, 2)), "withdrawn on SMS")
        self.assertTrue(self.may("marketing", "email", datetime(2026, 5, 2)), "still given on e-mail")

    def test_withdrawn_personal_data_consent_stops_everything(self):
        self.record(datetime(2026, 1, 1), "personal_data", "given")
        self.record(datetime(2026, 1, 1), "marketing", "given")
        self.assertTrue(self.may("marketing", "email", datetime(2026, 2, 1)))
        self.record(datetime(2026, 2, 2), "personal_data", "withdrawn", source="paper")
        self.assertFalse(self.may("marketing", "email", datetime(2026, 2, 3)))
        self.assertTrue(self.may("marketing", "email", datetime(2026, 2, 1)), "the past answer does not change")

    def test_history_is_append_only(self):
        event = self.record(datetime(2026, 1, 1), "personal_data", "given")
        self.assertEqual(event.user_id, self.env.user)
        receptionist = self.env["res.users"].create(
            {
                "name": "Регистратор",
                "login": "reg_consent",
                "groups_id": [(6, 0, [self.env.ref("clinic_base.group_clinic_receptionist").id])],
            }
        )
        with self.assertRaises(UserError):
            event.with_user(receptionist).write({"action": "withdrawn"})
        with self.assertRaises(UserError):
            event.with_user(receptionist).unlink()

    def test_representative_must_be_named(self):
        with self.assertRaises(ValidationError):
            self.record(datetime(2026, 1, 1), "medical_intervention", "given", given_by="representative")
