import re
from datetime import date

from odoo.tests import HttpCase, new_test_user, tagged

from .tax_certificate_common import YEAR, TaxCertificateCase


@tagged("post_install", "-at_install")
class TestTaxCertificateTours(HttpCase, TaxCertificateCase):
    """The patient asks from the portal, the accountant issues in the backend, the patient downloads the PDF."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        visit = cls.visit(cls.son, date(YEAR, 3, 3), [(cls.consultation, 3000), (cls.surgery, 10000)])
        cls.pay(visit, 13000, date(YEAR, 3, 3), cls.mother, "card")
        cls.portal_user = new_test_user(
            cls.env,
            login="tax_portal_tour",
            groups="base.group_portal",
            partner_id=cls.mother.id,
            name="Иванова Мария Петровна",
        )
        cls.accountant = new_test_user(
            cls.env, login="tax_accountant_tour", groups="base.group_user,clinic_base.group_clinic_accountant",
            name="Бухгалтерова Ольга", tz="UTC",
        )  # fmt: skip

    def test_portal_request_then_backend_issue_then_download(self):
        self.start_tour("/my", "clinic_tax_certificate_portal_request", login="tax_portal_tour")
        request = self.env["clinic.tax.certificate.request"].search([("taxpayer_id", "=", self.mother.id)])
        self.assertEqual((request.year, request.state), (YEAR, "new"))
        self.assertTrue(
            request.activity_ids.user_id.has_group("clinic_base.group_clinic_accountant"),
            "the request lands with an accountant",
        )

        self.start_tour(
            "/odoo/action-clinic_fiscal_atol.clinic_tax_certificate_request_action",
            "clinic_tax_certificate_accountant_issue",
            login="tax_accountant_tour",
        )
        self.assertEqual(request.state, "issued")
        certificate = request.certificate_ids
        self.assertEqual((certificate.amount_code1, certificate.amount_code2), (3000.0, 10000.0))

        self.authenticate("tax_portal_tour", "tax_portal_tour")
        response = self.url_open(f"/my/tax-certificates/{certificate.id}/pdf")
        self.assertEqual(response.status_code, 200)
        # under tests Odoo hands the report's HTML instead of running wkhtmltopdf (test_tax_certificate covers the PDF)
        self.assertIn("spravka-", response.headers["Content-Disposition"])
        self.assertIn("КНД 1151156", response.content.decode())
        other = new_test_user(self.env, login="tax_portal_stranger", groups="base.group_portal")
        self.authenticate(other.login, other.login)
        self.assertEqual(self.url_open(f"/my/tax-certificates/{certificate.id}/pdf").status_code, 404)

    def test_accountant_annuls_a_certificate(self):
        certificate = self.Certificate._issue(self.mother, YEAR)
        self.start_tour(
            f"/odoo/clinic.tax.certificate/{certificate.id}",
            "clinic_tax_certificate_accountant_annul",
            login="tax_accountant_tour",
        )
        self.assertEqual(certificate.state, "annulled")
        annulling = certificate.replacement_ids
        self.assertEqual(
            (annulling.number, annulling.correction_number, annulling.state, annulling.annulment_reason),
            (certificate.number, 999, "annulment", "Выдана не тому налогоплательщику"),
        )
        self.authenticate("tax_portal_tour", "tax_portal_tour")
        page = self.url_open("/my/tax-certificates").text
        self.assertIn("Пока нет выданных справок", page, "the portal lists certificates in force only")

    def test_portal_alert_shows_only_our_own_errors(self):
        """A link with ?error=… is a phishing page in the clinic's colours: the alert says only what we say."""
        self.authenticate("tax_portal_tour", "tax_portal_tour")
        page = self.url_open("/my/tax-certificates?error=Call%20%2B7%20999%20000%2000%2000%20to%20get%20it").text
        self.assertNotIn("999 000 00 00", page)
        self.assertNotIn("o_clinic_error", page)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = self.url_open(
            "/my/tax-certificates/request?error=Call%20us", data={"csrf_token": csrf, "year": "1900", "note": ""}
        )
        alert = re.search(r'class="alert alert-danger o_clinic_error"[^>]*>([^<]*)<', response.text)
        self.assertEqual(alert.group(1).strip(), "Year: choose a year from the list.")
        self.assertFalse(self.env["clinic.tax.certificate.request"].search([("taxpayer_id", "=", self.mother.id)]))
