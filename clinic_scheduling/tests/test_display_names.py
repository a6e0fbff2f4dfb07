from datetime import datetime

from odoo.tests import tagged

from .common import SchedulingCase


@tagged("post_install", "-at_install")
class TestDisplayNames(SchedulingCase):
    """Records read as what they are, in the reader's language and time zone: never «clinic.consent,7»."""

    def test_records_introduce_themselves(self):
        self.env.user.tz = "Europe/Moscow"  # the reader's zone: date-times are shown in it
        env = self.env(context=dict(self.env.context, lang="en_US"))
        appointment = self.Appointment.with_env(env).book(self.patient, self.slot_at(self.doctor, self.monday, 10))
        appointment.action_cancel(reason="Отмена")
        relative = env["res.partner"].create({"name": "Пациентова Мария"})
        at = datetime(2026, 1, 12, 7, 0)  # 10:00 in Moscow
        relation = env["clinic.partner.relation"].create(
            {"partner_id": self.patient.id, "relative_id": relative.id, "kinship": "mother"}
        )
        consent = env["clinic.consent"].create(
            {
                "partner_id": self.patient.id,
                "purpose": "personal_data",
                "action": "given",
                "source": "paper",
                "date": at,
            }
        )
        call = env["clinic.appointment.call"].create(
            {"appointment_id": appointment.id, "outcome": "no_answer", "at": at}
        )
        log = env["clinic.merge.log"].create({"dst_partner_id": self.patient.id, "user_id": env.uid, "date": at})
        cancelled = appointment.event_ids.filtered(lambda e: e.state_to == "cancelled")
        self.assertEqual(relation.display_name, "Пациентова Мария (Mother) — Пациентова Анна")
        self.assertEqual(
            consent.display_name, "Пациентова Анна: Personal data processing (152-FZ) — Given, 12.01.2026 10:00"
        )
        self.assertEqual(call.display_name, f"{appointment.name}: No answer, 12.01.2026 10:00")
        self.assertEqual(log.display_name, "Пациентова Анна, 12.01.2026 10:00")
        self.assertTrue(cancelled.display_name.startswith(f"{appointment.name}: Cancelled, "))
        for record in (relation, consent, call, log, cancelled):
            self.assertNotIn(record._name, record.display_name)
