from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .tax_certificate_common import YEAR, TaxCertificateCase

ROLES = {
    "receptionist": "clinic_base.group_clinic_receptionist",
    "doctor": "clinic_base.group_clinic_doctor",
    "accountant": "clinic_base.group_clinic_accountant",
    "manager": "clinic_base.group_clinic_manager",
}


@tagged("post_install", "-at_install")
class TestTaxCertificateAccess(TaxCertificateCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        visit = cls.visit(cls.son, date(YEAR, 3, 3), [(cls.consultation, 3000)])
        cls.pay(visit, 3000, date(YEAR, 3, 3), cls.mother, "card")
        own = cls.visit(cls.mother, date(YEAR, 3, 3), [(cls.consultation, 3000)])
        cls.pay(own, 3000, date(YEAR, 3, 3), cls.mother, "cash")
        cls.certificates = cls.Certificate._issue(cls.mother, YEAR)
        cls.users = {
            role: new_test_user(cls.env, login=f"tax_{role}", groups=f"base.group_user,{group}")
            for role, group in ROLES.items()
        }
        cls.users["internal"] = new_test_user(cls.env, login="tax_internal", groups="base.group_user")
        cls.portal_mother = new_test_user(  # her account is her card
            cls.env,
            login="tax_portal_mother",
            groups="base.group_portal",
            partner_id=cls.mother.id,
            name="Иванова Мария Петровна",
        )
        cls.portal_other = new_test_user(cls.env, login="tax_portal_other", groups="base.group_portal")

    def test_front_desk_doctors_and_other_employees_read_nothing(self):
        for role in ("receptionist", "doctor", "internal"):
            with self.subTest(role=role):
                Certificate = self.Certificate.with_user(self.users[role])
                with self.assertRaises(AccessError):
                    Certificate.search([])
                with self.assertRaises(AccessError):
                    self.certificates.with_user(self.users[role]).read(["amount_code1"])
                with self.assertRaises(AccessError):
                    self.env["clinic.tax.certificate.request"].with_user(self.users[role]).search([])
                with self.assertRaises(AccessError):
                    self.certificates.with_user(self.users[role]).action_correct()
                with self.assertRaises(AccessError):
                    self.certificates.with_user(self.users[role]).action_export_xml()

    def test_accountants_and_managers_read_issue_and_correct(self):
        for role in ("accountant", "manager"):
            with self.subTest(role=role):
                Certificate = self.Certificate.with_user(self.users[role])
                self.assertEqual(Certificate.search([("taxpayer_id", "=", self.mother.id)]), self.certificates)
                wizard = (
                    self.env["clinic.tax.certificate.wizard"]
                    .with_user(self.users[role])
                    .create({"mode": "taxpayer", "taxpayer_id": self.mother.id, "year": YEAR})
                )
                self.assertIn("Иванов Пётр Сергеевич", wizard.preview)
                action = wizard.action_issue()
                self.assertEqual(set(action["domain"][0][2]), set(self.certificates.ids), "already issued: the same")
        for_son = self.certificates.filtered(lambda c: c.patient_id == self.son)
        corrected = self.Certificate.browse(for_son.with_user(self.users["accountant"]).action_correct()["res_id"])
        self.assertEqual(corrected.correction_number, 1)
        self.assertEqual(corrected.signer_name, "Петрова Анна Сергеевна", "the clinic's head confirms")

    def test_a_portal_user_sees_their_own_only(self):
        mine = self.Certificate.with_user(self.portal_mother).search([])
        self.assertEqual(mine, self.certificates)
        self.assertFalse(self.Certificate.with_user(self.portal_other).search([]))
        with self.assertRaises(AccessError):
            self.certificates.with_user(self.portal_other).read(["amount_code1"])
        with self.assertRaises(AccessError):
            self.certificates.with_user(self.portal_mother).action_correct()
        Request = self.env["clinic.tax.certificate.request"]
        request = Request._portal_request(self.mother, YEAR)
        self.assertEqual(Request.with_user(self.portal_mother).search([]), request)
        self.assertFalse(Request.with_user(self.portal_other).search([]))
        with self.assertRaises(AccessError):
            Request.with_user(self.portal_mother).create({"taxpayer_id": self.mother.id, "year": YEAR})
        with self.assertRaises(AccessError):
            request.with_user(self.portal_mother).action_issue()
