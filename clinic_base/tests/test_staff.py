from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestStaff(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["hr.employee"])
        cls.specialty = cls.env["clinic.nsi.specialty"].search([], limit=1)
        cls.doctor = cls.env["hr.employee"].create(
            {
                "name": "Сертификатова Ольга",
                "is_practitioner": True,
                "snils": "112-233-445 95",
                "specialty_ids": [(6, 0, cls.specialty.ids)],
                "practice_since": cls.today - relativedelta(years=12),
            }
        )

    def qualification(self, days_left):
        return self.env["clinic.qualification"].create(
            {
                "employee_id": self.doctor.id,
                "kind": "accreditation",
                "specialty_id": self.specialty.id,
                "number": f"A-{days_left}",
                "date_from": self.today - relativedelta(years=4),
                "date_to": self.today + relativedelta(days=days_left),
            }
        )

    def test_practitioner_frmr_data(self):
        self.assertEqual(self.doctor.snils, "11223344595")
        self.assertEqual(self.doctor.experience_years, 12)
        with self.assertRaises(ValidationError):
            self.doctor.snils = "112-233-445 96"

    def test_qualification_states_and_warning(self):
        valid, soon, lapsed = self.qualification(400), self.qualification(20), self.qualification(-1)
        self.assertEqual((valid.state, soon.state, lapsed.state), ("valid", "expiring", "expired"))
        self.assertIn("A-20", self.doctor.qualification_warning)
        self.assertIn("A--1", self.doctor.qualification_warning)
        self.assertNotIn("A-400", self.doctor.qualification_warning)
        found = self.env["clinic.qualification"].search([("state", "=", "expiring")])
        self.assertIn(soon, found)
        self.assertNotIn(valid, found)

    def test_managers_get_one_to_do_before_a_document_lapses(self):
        self.qualification(20)
        Activity = self.env["mail.activity"]
        domain = [("res_model", "=", "hr.employee"), ("res_id", "=", self.doctor.id)]
        self.env["clinic.qualification"]._cron_warn_lapsing()
        self.assertEqual(Activity.search_count(domain), 1)
        self.env["clinic.qualification"]._cron_warn_lapsing()
        self.assertEqual(Activity.search_count(domain), 1, "no second reminder for the same document")
