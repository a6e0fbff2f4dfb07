from datetime import date, datetime, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError
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
        cls.manager = new_test_user(cls.env, "clinic_mgr", groups="clinic_base.group_clinic_manager")
        cls.employee = new_test_user(cls.env, "clinic_none", groups="base.group_user")
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

    def test_medical_fields_closed_to_front_desk_and_accounting(self):
        for user in (self.receptionist, self.accountant):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.child.with_user(user).read(["allergies"])
        # The receptionist still works with the rest of the card.
        self.assertEqual(self.child.with_user(self.receptionist).phone, "+79031112233")

    def test_medical_summary_per_patient(self):
        """A doctor who does not treat the patient reads nothing of it (hole 9); a manager reads it."""
        self.assertEqual(self.child.with_user(self.manager).allergies, "Пенициллин")
        as_doctor = self.child.with_user(self.doctor)
        self.assertFalse(as_doctor.allergies)
        self.assertFalse(as_doctor.clinic_medical_access)
        Medical = self.env["clinic.patient.medical"].with_user(self.doctor)
        self.assertFalse(Medical.search([("partner_id", "=", self.child.id)]))
        with self.assertRaises(AccessError):
            as_doctor.write({"allergies": "Нет"})
        self.assertEqual(self.child.with_user(self.manager).allergies, "Пенициллин")

    def test_doctor_types_medical_data_on_a_new_card(self):
        card = (
            self.env["res.partner"]
            .with_user(self.doctor)
            .create({"name": "Новиков Новик Новикович", "is_patient": True, "allergies": "Мёд"})
        )
        self.assertEqual(card.with_user(self.manager).allergies, "Мёд")
        with self.assertRaises(AccessError):
            card.with_user(self.doctor).write({"allergies": "Нет"})

    def test_emergency_access_is_reasoned_logged_and_expires(self):
        wizard = (
            self.env["clinic.emergency.access.wizard"]
            .with_user(self.doctor)
            .create({"partner_id": self.child.id, "reason": "  "})
        )
        with self.assertRaisesRegex(UserError, "Reason"):
            wizard.action_confirm()
        self.assertFalse(self.child.with_user(self.doctor).allergies)
        wizard.reason = "Анафилаксия в процедурном кабинете"
        wizard.action_confirm()
        self.assertEqual(self.child.with_user(self.doctor).allergies, "Пенициллин")
        log = self.env["clinic.emergency.access"].with_user(self.manager).search([("partner_id", "=", self.child.id)])
        self.assertEqual(log.user_id, self.doctor)
        self.assertEqual(log.reason, "Анафилаксия в процедурном кабинете")
        self.assertAlmostEqual(log.expires_at, fields.Datetime.now() + timedelta(hours=12), delta=timedelta(minutes=5))
        # the doctor cannot forge or erase the log
        with self.assertRaises(AccessError):
            self.env["clinic.emergency.access"].with_user(self.doctor).create(
                {"partner_id": self.stranger.id, "reason": "x", "expires_at": log.expires_at}
            )
        with self.assertRaises(AccessError):
            log.with_user(self.doctor).unlink()
        # 13 hours later the access has lapsed
        later = datetime.now() + timedelta(hours=13)
        with patch.object(fields.Datetime, "now", return_value=later):
            self.env.invalidate_all()
            self.assertFalse(self.child.with_user(self.doctor).allergies)

    def test_merge_keeps_both_medical_summaries(self):
        twin = self.patient("Зайцев", "Тимур", "Андреевич", date(2017, 2, 2), allergies="Орехи", blood_group="A+")
        self.env["base.partner.merge.automatic.wizard"]._merge((self.child | twin).ids, self.child, extra_checks=False)
        self.assertEqual(self.child.allergies, "Пенициллин\nОрехи")
        self.assertEqual(self.child.blood_group, "A+")

    def test_employee_in_no_clinic_group_sees_nothing(self):
        """Hole 9: policies, relatives, consents, phones of every patient were open to any employee."""
        self.env["clinic.insurance.policy"].create(
            {"partner_id": self.child.id, "kind": "oms", "number": "1234567890123456"}
        )
        for model in (
            "clinic.insurance.policy",
            "clinic.partner.relation",
            "clinic.consent",
            "clinic.partner.phone",
            "clinic.qualification",
        ):
            with self.subTest(model=model):
                try:
                    found = self.env[model].with_user(self.employee).search([])
                except AccessError:
                    continue
                self.assertFalse(found)
        self.assertFalse(self.env["res.partner"].with_user(self.employee).search([("is_patient", "=", True)]))
        phone = self.child.clinic_phone_ids
        with self.assertRaises(AccessError):
            phone.with_user(self.employee).write({"number": "+79030000000"})
        with self.assertRaises(AccessError):
            phone.with_user(self.employee).unlink()
        # the front desk keeps its rights
        self.assertIn(
            self.child, self.env["res.partner"].with_user(self.receptionist).search([("is_patient", "=", True)])
        )
        self.assertTrue(
            self.env["clinic.consent"].with_user(self.receptionist).search([("partner_id", "=", self.child.id)])
        )

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
