from datetime import date

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestCompanyRequisites(TransactionCase):
    """The clinic's tax numbers are checked as the tax office checks them; the signatory comes from settings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create(
            {"name": "ООО «Проверка реквизитов»", "country_id": cls.env.ref("base.ru").id}
        )

    def test_valid_requisites_are_kept(self):
        self.company.write({"vat": "6671012340", "kpp": "667101001", "company_registry": "1166658001234"})
        self.assertEqual(
            (self.company.vat, self.company.kpp, self.company.company_registry),
            ("6671012340", "667101001", "1166658001234"),
        )
        self.company.write({"vat": "500100732259", "company_registry": "304500116000157"})  # an entrepreneur

    def test_bad_numbers_are_refused_naming_the_field_and_value(self):
        for field, value, label in (
            ("vat", "6671012341", "INN «6671012341»"),  # wrong check digit
            ("vat", "667101234", "INN «667101234»"),  # 9 digits
            ("company_registry", "1166658001235", "OGRN «1166658001235»"),
            ("company_registry", "11666580012", "OGRN «11666580012»"),
            ("kpp", "66710100", "KPP «66710100»"),
            ("kpp", "6671-0100", "KPP «6671-0100»"),
        ):
            with self.subTest(field=field, value=value), self.assertRaises(ValidationError) as caught:
                self.company.write({field: value})
                self.env.flush_all()
            self.assertIn(label, str(caught.exception))
            self.assertIn("ООО «Проверка реквизитов»", str(caught.exception))

    def test_foreign_company_is_not_checked_by_russian_rules(self):
        self.company.country_id = self.env.ref("base.de")
        self.company.vat = "DE123456789"
        self.assertEqual(self.company.vat, "DE123456789")

    def test_signatory_from_settings(self):
        self.company.write(
            {
                "clinic_head_name": "Петрова Анна Сергеевна",
                "clinic_head_job_title": "Главный врач",
                "clinic_head_in_person": "главного врача Петровой Анны Сергеевны",
            }
        )
        self.assertEqual(
            self.company._clinic_signatory(),
            {
                "name": "Петрова Анна Сергеевна",
                "short_name": "Петрова А. С.",
                "job_title": "Главный врач",
                "in_person": "главного врача Петровой Анны Сергеевны",
                "by_attorney": False,
            },
        )
        with self.assertRaises(ValidationError) as caught:
            self.company.write({"contract_signatory": "attorney", "signatory_name": "Соколова Мария Игоревна"})
        self.assertIn("power of attorney", str(caught.exception))
        self.company.write(
            {
                "contract_signatory": "attorney",
                "signatory_name": "Соколова Мария Игоревна",
                "signatory_job_title": "Администратор",
                "power_of_attorney_number": "12/2026",
                "power_of_attorney_date": date(2026, 1, 12),
            }
        )
        signatory = self.company._clinic_signatory()
        self.assertEqual(signatory["short_name"], "Соколова М. И.")
        self.assertEqual(signatory["in_person"], "администратор Соколова Мария Игоревна")  # no genitive given
        self.assertTrue(signatory["by_attorney"])

    def test_the_clinic_zone_is_read_once_and_follows_a_change(self):
        """Every website page asks for the clinic's zone: it is cached, and changing it clears the cache."""
        self.company.clinic_tz = "Asia/Yekaterinburg"
        self.assertEqual(self.company._clinic_tzinfo().zone, "Asia/Yekaterinburg")
        self.env.invalidate_all()
        with self.assertQueryCount(0):
            self.assertEqual(self.company._clinic_tzinfo().zone, "Asia/Yekaterinburg")
        self.company.clinic_tz = "Asia/Vladivostok"
        self.assertEqual(self.company._clinic_tzinfo().zone, "Asia/Vladivostok")
        with freeze_time("2026-03-10 20:30:00"):  # 07:30 on the 11th in Vladivostok
            self.assertEqual(self.company._clinic_today(), date(2026, 3, 11))
