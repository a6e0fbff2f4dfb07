from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import ClinicCase


@tagged("post_install", "-at_install")
class TestAccess(ClinicCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receptionist = new_test_user(cls.env, "clinic_reg", groups="clinic_base.group_clinic_receptionist")
        cls.doctor = new_test_user(cls.env, "clinic_doc", groups="clinic_base.group_clinic_doctor")
        cls.accountant = new_test_user(cls.env, "clinic_acc", groups="clinic_base.group_clinic_accountant")
        cls.mother = cls.patient("Зайцева", "Ольга", "Игоревна", date(1988, 8, 8))
        cls.child = cls.patient("Зайцев", "Тимур", "Андреевич", date(2017, 2, 2), phone="8 903 111-22-33")
        cls.stranger = cls.patient("Чужой", "Пациент", "", date(1970, 1, 1))
        cls.env["clinic.partner.relation"].create(
            {
                "partner_id": cls.child.id,
                "relative_id": cls.mother.id,
                "kinship": "mother",
                "is_legal_representative": True,
            }
        )
        cls.env["clinic.consent"].create(
            [
                {"partner_id": p.id, "purpose": "personal_data", "action": "given", "source": "paper"}
                for p in (cls.child, cls.stranger)
            ]
        )
        cls.child.sudo().allergies = "Пенициллин"
        cls.portal_user = new_test_user(cls.env, "clinic_portal_mother", groups="base.group_portal")
        cls.portal_user.partner_id = cls.mother
        cls.portal_user.partner_id.is_patient = True

    def test_medical_fields_only_for_doctors_and_managers(self):
        self.assertEqual(self.child.with_user(self.doctor).allergies, "Пенициллин")
        for user in (self.receptionist, self.accountant):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.child.with_user(user).read(["allergies"])
        # The receptionist still works with the rest of the card.
        self.assertEqual(self.child.with_user(self.receptionist).phone, "+79031112233")

    def test_portal_user_reads_own_and_childrens_cards_only(self):
        Partner = self.env["res.partner"].with_user(self.portal_user)
        self.assertEqual(Partner.browse(self.child.id).read(["name"])[0]["name"], self.child.name)
        self.assertEqual(Partner.browse(self.mother.id).read(["name"])[0]["name"], self.mother.name)
        with self.assertRaises(AccessError):
            Partner.browse(self.stranger.id).read(["name"])

    def test_portal_user_reads_only_their_familys_lines(self):
        Phone = self.env["clinic.partner.phone"].with_user(self.portal_user)
        self.assertEqual(Phone.search([]).partner_id, self.child)
        Consent = self.env["clinic.consent"].with_user(self.portal_user)
        self.assertEqual(Consent.search([]).partner_id, self.child)
        with self.assertRaises(AccessError):
            self.env["clinic.consent"].search([("partner_id", "=", self.stranger.id)]).with_user(self.portal_user).read(
                ["action"]
            )

    def test_receptionist_cannot_edit_reference_books(self):
        icd = self.env["clinic.nsi.icd10"].search([], limit=1)
        self.assertTrue(icd.with_user(self.receptionist).name)
        with self.assertRaises(AccessError):
            icd.with_user(self.receptionist).write({"name": "x"})
