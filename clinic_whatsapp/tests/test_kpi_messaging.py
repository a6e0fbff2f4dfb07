from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.clinic_scheduling.tests.common import utc

from ..providers.smsc import sign
from .common import SMS_SECRET, MessagingCase


@tagged("post_install", "-at_install")
class TestMessagingKpi(MessagingCase):
    def test_figures_come_from_the_messages_and_replies(self):
        Message = self.env["clinic.message"]
        vera = self.messaging_patient("Вера", "+79161234504")
        olga = self.messaging_patient("Ольга", "+79161234551")  # not on WhatsApp: SMS takes her messages
        boris = self.messaging_patient("Борис", "+79161234502")
        self.env["clinic.waitlist"].create(
            {"patient_id": boris.id, "employee_id": self.doctor.id, "date_from": self.monday, "date_to": self.monday}
        )
        with freeze_time(utc(self.saturday, 12)):
            anna_visit = self.Appointment.book(self.anna, self.slot_at(self.doctor, self.monday, 10))
            vera_visit = self.Appointment.book(vera, self.slot_at(self.doctor, self.monday, 11))
            olga_visit = self.Appointment.book(olga, self.slot_at(self.doctor, self.monday, 12))
            self.run_jobs()
        with freeze_time(utc(self.saturday, 13)):
            self.wa_text("+79161234500", "да", "wamid.K1")  # confirmed an hour after the message
            self.wa_text("+79161234504", "2", "wamid.K2")  # cancelled: the time goes to Boris at once
            self.run_jobs()
        with freeze_time(utc(self.saturday, 13, 10)):
            self.wa_text("+79161234502", "1", "wamid.K3")  # Boris takes it after 10 minutes
        self.assertEqual(anna_visit.state, "confirmed")
        self.assertEqual(vera_visit.state, "cancelled")

        figures = self.env["clinic.kpi"].compute(self.saturday, self.monday, employee_ids=self.doctor.ids)
        confirmed = figures["message_confirmed_rate"]
        self.assertEqual(confirmed["by_channel"], {"WhatsApp": (1, 2), "SMS": (0, 1)})
        self.assertEqual((confirmed["numerator"], confirmed["denominator"]), (1, 3))
        self.assertEqual(Message.search(confirmed["domain"]).partner_id, self.anna)
        accepted = figures["offer_accepted_rate"]
        self.assertEqual((accepted["numerator"], accepted["denominator"]), (1, 1))
        self.assertEqual(figures["offer_response_time"]["value"], 600)
        per = figures["messages_per_avoided"]
        sent = Message.search_count([("direction", "=", "out"), ("state", "in", ("sent", "delivered", "read"))])
        self.assertEqual((per["numerator"], per["denominator"]), (sent, 1), "Vera's cancellation avoided a no-show")
        self.assertEqual(per["value"], sent)

        # a confirmation more than a day after the message does not count
        with freeze_time(utc(self.saturday, 12) + timedelta(hours=25)):
            reply = {"phone": "79161234551", "mes": "1", "sent": "1765000000"}
            reply["md5"] = sign([reply["phone"], reply["mes"], reply["sent"]], SMS_SECRET)
            response = self.url_open(f"/clinic_whatsapp/webhook/{self.sms.webhook_ref}", data=reply)
            self.assertEqual(response.status_code, 200)
            self.apply_webhooks()
        self.assertEqual(olga_visit.state, "confirmed")
        figures = self.env["clinic.kpi"].compute(self.saturday, self.monday, employee_ids=self.doctor.ids)
        self.assertEqual(figures["message_confirmed_rate"]["by_channel"]["SMS"], (0, 1))

        dashboard = self.env["clinic.kpi.dashboard"].create(
            {"date_from": self.saturday, "date_to": self.monday, "employee_ids": [(6, 0, self.doctor.ids)]}
        )
        self.assertIn("(1 ", dashboard.message_confirmed_rate)
        self.assertIn("WhatsApp", dashboard.message_confirmed_by_channel)
        self.assertEqual(dashboard.offer_response_time, "10 min")
        action = dashboard.with_context(kpi_figure="offer_accepted_rate", kpi_base=True).action_open_figure()
        self.assertEqual(action["res_model"], "clinic.waitlist.offer")
