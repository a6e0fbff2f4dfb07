from datetime import datetime, timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..tools import phone as phone_tools
from .common import ClinicCase

REAL_WORLD = [
    ("8 912 345-67-89", "+79123456789", ""),
    ("+7(912)3456789", "+79123456789", ""),
    ("9123456789", "+79123456789", ""),
    ("8-912-345-67-89 доб. 12", "+79123456789", "12"),
    ("89123456789", "+79123456789", ""),
    ("7 912 3456789", "+79123456789", ""),
    ("+7 912 345 67 89", "+79123456789", ""),
    ("8 (495) 123-45-67", "+74951234567", ""),
    ("8 812 123-45-67 доб 305", "+78121234567", "305"),
    ("(495) 123 45 67 #7", "+74951234567", "7"),
    ("+375 29 123-45-67", "+375291234567", ""),
    ("+7 (960) 280-20-43 мама", "+79602802043", ""),
    ("моб. 8 912 345-67-89", "+79123456789", ""),
    ("8 (495) 123-45-67 (доб. 12)", "+74951234567", "12"),
]
JUNK = ["", "нет", "abc", "123", "1234567", "8 912 345", "+7 000 000 00 00", "звонить маме"]


@tagged("post_install", "-at_install")
class TestPhone(ClinicCase):
    def test_normalize_real_world_inputs(self):
        for raw, e164, ext in REAL_WORLD:
            with self.subTest(raw=raw):
                parsed = phone_tools.normalize(raw)
                self.assertEqual(parsed["e164"], e164)
                self.assertEqual(parsed["extension"], ext)

    def test_junk_is_refused_quoting_the_input(self):
        for raw in JUNK:
            with self.subTest(raw=raw), self.assertRaises(phone_tools.PhoneError) as caught:
                phone_tools.normalize(raw)
            self.assertIn(f"«{raw}»", str(caught.exception))

    def test_kind_and_country(self):
        self.assertEqual(phone_tools.normalize("8 912 345-67-89")["kind"], "mobile")
        self.assertEqual(phone_tools.normalize("8 495 123-45-67")["kind"], "home")
        self.assertEqual(phone_tools.normalize("+7 701 123 45 67")["country"], "KZ")

    def test_several_numbers_in_one_cell(self):
        pieces = phone_tools.split_numbers("8 912 345-67-89, 8 (495) 123-45-67; моб. 9161234567")
        self.assertEqual(
            [phone_tools.normalize(p)["e164"] for p in pieces],
            ["+79123456789", "+74951234567", "+79161234567"],
        )

    def test_extension_after_a_comma_stays_with_its_number(self):
        pieces = phone_tools.split_numbers("8-383-934-31-34, доб 516; 89123456789  89161234567")
        parsed = [phone_tools.normalize(p) for p in pieces]
        self.assertEqual(
            [(p["e164"], p["extension"]) for p in parsed],
            [("+73839343134", "516"), ("+79123456789", ""), ("+79161234567", "")],
        )

    def test_russian_display(self):
        self.assertEqual(phone_tools.format_ru("+79123456789"), "+7 (912) 345-67-89")
        self.assertEqual(phone_tools.format_ru("+79123456789", "12"), "+7 (912) 345-67-89 доб. 12")

    def test_patient_phone_is_stored_normalized_with_a_line(self):
        patient = self.patient("Иванов", "Иван", phone="8-912-345-67-89 доб. 12")
        self.assertEqual(patient.phone, "+79123456789")
        self.assertEqual(patient.mobile, "+79123456789")
        self.assertEqual(patient.clinic_phone_ids.mapped("number"), ["+79123456789"])
        line = patient.clinic_phone_ids
        self.assertEqual(line.kind, "mobile")
        self.assertEqual(line.display, "+7 (912) 345-67-89")

    def test_lines_drive_odoo_phone_fields(self):
        patient = self.patient("Петрова", "Анна")
        self.env["clinic.partner.phone"].create(
            [
                {"partner_id": patient.id, "number": "8 (495) 123-45-67", "kind": "home", "sequence": 1},
                {"partner_id": patient.id, "number": "+7(916)1234567", "kind": "mobile", "sequence": 2},
            ]
        )
        self.assertEqual(patient.phone, "+74951234567")
        self.assertEqual(patient.mobile, "+79161234567")
        patient.clinic_phone_ids.filtered(lambda p: p.kind == "mobile").unlink()
        self.assertFalse(patient.mobile)
        self.assertEqual(patient.phone, "+74951234567")

    def test_messenger_reachability_is_learned_and_ages_out(self):
        patient = self.patient("Орлова", "Вера", phone="+7 (916) 555-11-22")
        Phone, line = self.env["clinic.partner.phone"], patient.clinic_phone_ids
        number, checked = "+79165551122", datetime(2026, 3, 1, 9)
        self.assertNotIn(
            number, Phone._messenger_unreachable([number], "whatsapp", checked), "unknown is not unreachable"
        )
        Phone._set_messenger_reachable(number, "whatsapp", False, checked)
        self.assertEqual((line.whatsapp_reachable, line.max_reachable), ("no", False), "one messenger at a time")
        self.assertIn(number, Phone._messenger_unreachable([number], "whatsapp", checked + timedelta(days=1)))
        self.assertNotIn(number, Phone._messenger_unreachable([number], "max", checked + timedelta(days=1)))
        self.assertNotIn(number, Phone._messenger_unreachable([number], "sms", checked), "SMS is not a messenger")
        later = checked + timedelta(days=31)
        self.assertNotIn(number, Phone._messenger_unreachable([number], "whatsapp", later), "a month later: try again")
        Phone._set_messenger_reachable(number, "whatsapp", True, checked + timedelta(days=40))
        self.assertEqual(line.whatsapp_reachable, "yes")
        self.assertNotIn(number, Phone._messenger_unreachable([number], "whatsapp", checked + timedelta(days=41)))

    def test_junk_phone_on_a_patient_names_field_and_value(self):
        with self.assertRaises(ValidationError) as caught:
            self.patient("Сидоров", "Пётр", phone="звонить маме")
        self.assertIn("«звонить маме»", str(caught.exception))
        self.assertIn("Phone", str(caught.exception))

    def test_find_patient_by_any_way_of_typing_the_number(self):
        patient = self.patient("Кузнецова", "Мария", phone="+7 (903) 765-43-21")
        for typed in ("8 903 765-43-21", "89037654321", "9037654321", "765-43-21"):
            with self.subTest(typed=typed):
                found = self.Partner.search([("clinic_phone_search", "ilike", typed)])
                self.assertIn(patient, found)
        self.assertNotIn(patient, self.Partner.search([("clinic_phone_search", "ilike", "8 903 765-43-22")]))
