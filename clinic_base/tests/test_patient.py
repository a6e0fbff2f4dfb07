from datetime import date

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..tools import checksums, names
from .common import ClinicCase


@tagged("post_install", "-at_install")
class TestPatient(ClinicCase):
    def test_name_in_russian_order_from_tidied_parts(self):
        patient = self.patient("  иванова- петрова ", "анна", "СЕРГЕЕВНА")
        self.assertEqual(patient.name, "Иванова-Петрова Анна Сергеевна")
        patient.write({"first_name": "мария"})
        self.assertEqual(patient.name, "Иванова-Петрова Мария Сергеевна")

    def test_typed_full_name_is_split(self):
        patient = self.Partner.create({"is_patient": True, "name": "Анна Сергеевна Смирнова"})
        self.assertEqual((patient.surname, patient.first_name, patient.patronymic), ("Смирнова", "Анна", "Сергеевна"))
        self.assertEqual(patient.name, "Смирнова Анна Сергеевна")

    def test_name_keys_fold_case_yo_hyphens_and_homoglyphs(self):
        self.assertEqual(names.fold("Сёмина-Орлова"), names.fold("семина орлова"))
        self.assertEqual(names.fold("Ceмин"), names.fold("Семин"))  # Latin C and e typed by mistake

    def test_age_and_child_flag(self):
        today = self.env.company._clinic_today()
        child = self.patient("Орлов", "Миша", birth_date=today - relativedelta(years=17, days=364))
        adult = self.patient("Орлов", "Павел", birth_date=today - relativedelta(years=18))
        self.assertEqual(child.age, 17)
        self.assertTrue(child.is_child)
        self.assertEqual(adult.age, 18)
        self.assertFalse(adult.is_child)
        children = self.Partner.search([("is_child", "=", True), ("id", "in", (child | adult).ids)])
        self.assertEqual(children, child)

    def test_age_follows_the_clinics_calendar(self):
        """An 18th birthday begins at midnight at the clinic, whatever the zone of the user's browser."""
        self.env.company.clinic_tz = "Asia/Yekaterinburg"
        with freeze_time("2026-03-14 20:00:00"):  # 01:00 on the 15th at the clinic, still the 14th in UTC
            patient = self.patient("Орлов", "Юрий", birth_date=date(2008, 3, 15)).with_context(tz="UTC")
            self.assertEqual((patient.age, patient.is_child), (18, False))
            self.assertFalse(
                self.Partner.with_context(tz="UTC").search([("is_child", "=", True), ("id", "=", patient.id)])
            )

    def test_medical_card_numbers_are_unique_and_sequential(self):
        first = self.patient("Ким", "Виктор")
        second = self.patient("Ким", "Ольга")
        self.assertTrue(first.medical_card_number.startswith("МК-"))
        self.assertNotEqual(first.medical_card_number, second.medical_card_number)

    def test_snils_checksum(self):
        self.assertTrue(checksums.snils_is_valid("112-233-445 95"))
        self.assertFalse(checksums.snils_is_valid("112-233-445 96"))
        self.assertTrue(checksums.snils_is_valid("001-001-998 00"))  # issued before the checksum
        self.assertFalse(checksums.snils_is_valid("112-233-445"))
        patient = self.patient("Лебедев", "Олег", snils="112-233-445 95")
        self.assertEqual(patient.snils, "11223344595")
        with self.assertRaises(ValidationError) as caught:
            self.patient("Лебедев", "Игорь", snils="112-233-445 96")
        self.assertIn("112-233-445 96", str(caught.exception))

    def test_inn_checksum(self):
        self.assertTrue(checksums.inn_is_valid("500100732259"))
        self.assertTrue(checksums.inn_is_valid("7830002293"))
        self.assertFalse(checksums.inn_is_valid("500100732258"))
        with self.assertRaises(ValidationError) as caught:
            self.patient("Титов", "Глеб", inn="500100732258")
        self.assertIn("500100732258", str(caught.exception))

    def test_birth_date_in_the_future_is_refused(self):
        with self.assertRaises(ValidationError):
            self.patient("Титов", "Глеб", birth_date=date.today() + relativedelta(days=2))

    def test_identity_document_formats(self):
        patient = self.patient("Воронина", "Елена")
        passport_type = self.env["clinic.nsi.identity.document.type"].search([("code", "=", "1")])
        Doc = self.env["clinic.identity.document"]
        doc = Doc.create(
            {
                "partner_id": patient.id,
                "doc_type_id": passport_type.id,
                "series": "45 12",
                "number": "123456",
                "division_code": "770-001",
            }
        )
        self.assertEqual(patient.identity_document_ids, doc)
        with self.assertRaises(ValidationError) as caught:
            Doc.create({"partner_id": patient.id, "doc_type_id": passport_type.id, "series": "4512", "number": "12345"})
        self.assertIn("12345", str(caught.exception))
        with self.assertRaises(ValidationError):
            doc.division_code = "7700-01"

    def test_oms_policy_has_sixteen_digits(self):
        patient = self.patient("Воронина", "Елена")
        Policy = self.env["clinic.insurance.policy"]
        policy = Policy.create({"partner_id": patient.id, "kind": "oms", "number": "7700 0000 0000 0001"})
        self.assertTrue(policy.is_valid)
        with self.assertRaises(ValidationError):
            Policy.create({"partner_id": patient.id, "kind": "oms", "number": "12345"})

    def test_relatives_show_on_both_cards(self):
        mother = self.patient("Соколова", "Ирина", "Петровна", date(1985, 3, 1))
        child = self.patient("Соколов", "Артём", "Игоревич", date(2016, 5, 9))
        self.env["clinic.partner.relation"].create(
            {
                "partner_id": child.id,
                "relative_id": mother.id,
                "kinship": "mother",
                "is_legal_representative": True,
                "is_payer": True,
            }
        )
        self.assertEqual(child.representative_id, mother)
        self.assertEqual(mother.child_patient_ids, child)
        with self.assertRaises(ValidationError):
            self.env["clinic.partner.relation"].create(
                {"partner_id": child.id, "relative_id": mother.id, "kinship": "guardian"}
            )
