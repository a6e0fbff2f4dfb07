import re
from urllib.parse import parse_qs, urlsplit

from odoo.tests import tagged

from .common import OnlineBookingHttpCase

TEL_LINK_RE = re.compile(r'<a\b[^>]*href="tel:([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
# Odoo's stock website texts, in English and in the Russian of its translation.
STOCK_TEXTS = (
    "YourCompany",
    "yourcompany.example.com",
    "San Francisco",
    "555-555",
    "Useful Links",
    "Полезные ссылки",
    ">Products<",
    ">Товары<",
    "passionate people",
    "Powered by",
    "Работает на",
    "Company name",
    "My Company",
    "Fake Buena Vista",
    "Название компании",
    "o_brand_promotion",
)


def digits(text):
    """The number a phone link dials or shows, as dialled: + and digits only."""
    return re.sub(r"[^\d+]", "", re.sub(r"<[^>]+>", "", text))


@tagged("post_install", "-at_install")
class TestWebsiteBrand(OnlineBookingHttpCase):
    """Every page wears the clinic from the company settings: its name, address and licence, a phone link that
    dials the number it shows, and none of Odoo's stock texts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write(
            {
                "name": "ООО «Клиника Проверка»",
                "country_id": cls.env.ref("base.ru").id,
                "state_id": False,
                "zip": "620014",
                "city": "Екатеринбург",
                "street": "ул. Проверочная, д. 7",
                "street2": False,
                "phone": "+7 343 200-30-40",
                "email": "info@proverka.example",
                "vat": "6671012340",
                "company_registry": "1166658001234",
                "medical_license_number": "Л041-01021-66/00999999",
                "clinic_working_hours": "Пн–Пт 8:00–20:00",
            }
        )

    def test_pages_show_the_clinic_and_no_stock_texts(self):
        for url in ("/", "/doctors", "/services", "/contactus", "/contactus-thank-you"):
            with self.subTest(url=url):
                page = self.url_open(url)
                self.assertEqual(page.status_code, 200)
                html = page.text
                for expected in (
                    "ООО «Клиника Проверка»",
                    "620014, Екатеринбург, ул. Проверочная, д. 7",
                    "Пн–Пт 8:00–20:00",
                    "/booking",
                    "ИНН 6671012340",
                    "Л041-01021-66/00999999",
                    "mailto:info@proverka.example",
                ):
                    self.assertIn(expected, html)
                for stock in STOCK_TEXTS:
                    self.assertNotIn(stock, html)
                links = TEL_LINK_RE.findall(html)
                self.assertTrue(links, "the clinic's phone is a link")
                for href, shown in links:
                    self.assertEqual(digits(href), digits(shown), f"tel:{href} dials what «{shown}» shows")
                self.assertIn(("+73432003040", "+7 343 200-30-40"), links)

    def test_one_clinic_site_and_a_contact_form_for_people(self):
        websites = self.env["website"].search([])
        self.assertEqual(len(websites), 1, f"one site, not {websites.mapped('name')}")
        self.assertFalse(self.env.ref("website.website2", raise_if_not_found=False))
        html = self.url_open("/contactus").text
        self.assertIn('id="contactus_form"', html)
        self.assertIn('name="email_from"', html)
        self.assertNotIn('name="company"', html, "no «Компания» field on the contact form")
        self.assertNotIn("commercial_company_name", html)

    def test_booking_confirmation_gives_the_clinic_address_and_phone(self):
        slot = self.free_runs(self.doctor)[0][0]
        page = self.url_open(f"/booking/slots?age=adult&employee_id={slot.employee_id.id}")
        csrf = CSRF_RE.search(page.text).group(1)
        held = self.url_open(
            "/booking/hold",
            data={
                "csrf_token": csrf,
                "slot_id": slot.public_ref,
                "age": "adult",
                "employee_id": slot.employee_id.id,
            },
        )
        token = parse_qs(urlsplit(held.url).query)["token"][0]
        booked = self.url_open(
            "/booking/confirm",
            data={
                "csrf_token": csrf,
                "token": token,
                "slot_id": slot.public_ref,
                "age": "adult",
                "surname": "Адресова",
                "first_name": "Вера",
                "birth_date": "1970-10-10",
                "phone": "8 912 444-55-77",
                "consent_personal_data": "1",
            },
        )
        self.assertIn("Вы записаны", booked.text)
        self.assertIn("ООО «Клиника Проверка», 620014, Екатеринбург, ул. Проверочная, д. 7", booked.text)
        self.assertIn(("+73432003040", "+7 343 200-30-40"), TEL_LINK_RE.findall(booked.text))
