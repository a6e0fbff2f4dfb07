import re
from datetime import date

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from ..models.clinic_fns_document_code import FNS_DOCUMENT_CODES, fns_document_code
from .tax_certificate_common import PARENT_INN, YEAR, TaxCertificateCase


@tagged("post_install", "-at_install")
class TestTaxCertificate(HttpCase, TaxCertificateCase):
    """HttpCase: wkhtmltopdf fetches the report's assets from this test's server, inside its transaction."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        mother, son = cls.mother, cls.son
        # Son, March: a consultation (code 1) and a cosmetic procedure (not deductible), paid half cash, half card.
        march = cls.visit(son, date(YEAR, 3, 3), [(cls.consultation, 3000), (cls.cosmetic, 1000)])
        cls.pay(march, 2000, date(YEAR, 3, 3), mother, "cash")
        cls.pay(march, 2000, date(YEAR, 3, 3), mother, "card")
        # Son, June: surgery (code 2) by card, 2,500 of it refunded in July.
        june = cls.visit(son, date(YEAR, 6, 10), [(cls.surgery, 10000)])
        surgery_payment = cls.pay(june, 10000, date(YEAR, 6, 10), mother, "card")
        cls.pay(june, 2500, date(YEAR, 7, 1), mother, "card", refund_of=surgery_payment)
        # Son, January: a visit imported from 1C, no receipt but history that counts.
        history = cls.visit(son, date(YEAR, 1, 20), [(cls.consultation, 1500)], imported=True)
        cls.pay(history, 1500, date(YEAR, 1, 20), mother, "cash", fiscal_state="none")
        # Not counted: a receipt still queued, one that failed, a payment of another year, a refund not printed.
        autumn = cls.visit(son, date(YEAR, 10, 1), [(cls.consultation, 3000)])
        cls.pay(autumn, 1000, date(YEAR, 10, 1), mother, "cash", fiscal_state="queued")
        cls.pay(autumn, 1000, date(YEAR, 10, 1), mother, "card", fiscal_state="failed")
        last_year = cls.visit(son, date(YEAR - 1, 12, 30), [(cls.consultation, 3000)])
        cls.pay(last_year, 3000, date(YEAR - 1, 12, 30), mother, "cash")
        cls.pay(march, 500, date(YEAR, 3, 4), mother, "cash", fiscal_state="queued", refund_of=surgery_payment)
        # Mother herself: 1,000 of a 3,000 visit whose services are 1,000 of code 1 and 2,000 of code 2.
        own = cls.visit(mother, date(YEAR, 11, 5), [(cls.consultation, 1000), (cls.surgery, 2000)])
        cls.pay(own, 1000, date(YEAR, 11, 5), mother, "card")

    def certificate_of(self, patient, certificates):
        return certificates.filtered(lambda c: c.patient_id == patient)

    def test_amounts_by_code_for_a_parent_paying_for_a_child(self):
        certificates = self.Certificate._issue(self.mother, YEAR)
        self.assertEqual(len(certificates), 2, "one certificate per patient the taxpayer paid for")
        for_son = self.certificate_of(self.son, certificates)
        # code 1: 3/4 of 4,000 (the cosmetic quarter is left out) + 1,500 imported = 4,500
        # code 2: 10,000 - 2,500 refunded = 7,500; the queued, failed and 2024 payments do not count
        self.assertEqual((for_son.amount_code1, for_son.amount_code2), (4500.0, 7500.0))
        self.assertFalse(for_son.is_same_person)
        self.assertEqual(
            (for_son.taxpayer_surname, for_son.taxpayer_inn, for_son.taxpayer_doc_code),
            ("Иванова", PARENT_INN, False),
            "a taxpayer with an INN is certified by it, without a document",
        )
        self.assertEqual(
            (for_son.patient_inn, for_son.patient_birth_date, for_son.patient_doc_code, for_son.patient_doc_number),
            (False, date(2016, 9, 1), "03", "IV-АИ 123456"),
            "a child without an INN: birth date and the birth certificate under its FNS code 03",
        )
        own = self.certificate_of(self.mother, certificates)
        self.assertTrue(own.is_same_person)
        self.assertEqual((own.amount_code1, own.amount_code2), (333.33, 666.67), "spread 1:2, to the kopeck")
        self.assertEqual(for_son.year, YEAR)
        self.assertNotEqual(for_son.number, own.number)

    def test_issuing_twice_keeps_the_certificates_in_force(self):
        first = self.Certificate._issue(self.mother, YEAR)
        again = self.Certificate._issue(self.mother, YEAR)
        self.assertEqual(again, first, "no second certificate for the same year, taxpayer and patient")

    def test_nothing_for_a_year_without_payments(self):
        self.assertFalse(self.Certificate._issue(self.mother, YEAR + 1))

    def test_correction_reissues_under_the_same_number(self):
        for_son = self.certificate_of(self.son, self.Certificate._issue(self.mother, YEAR))
        # a refund printed after the certificate was issued
        june = self.env["clinic.visit"].search([("patient_id", "=", self.son.id), ("line_ids.product_id", "=",
                                                self.surgery.id)])  # fmt: skip
        original = june.payment_ids.filtered(lambda p: p.kind == "payment")
        self.pay(june, 1000, date(YEAR, 12, 1), self.mother, "card", refund_of=original)
        correction = for_son.action_correct()
        corrected = self.Certificate.browse(correction["res_id"])
        self.assertEqual(for_son.state, "cancelled")
        self.assertEqual(
            (corrected.number, corrected.correction_number, corrected.replaced_id, corrected.state),
            (for_son.number, 1, for_son, "issued"),
        )
        self.assertEqual((corrected.amount_code1, corrected.amount_code2), (4500.0, 6500.0))
        second = self.Certificate.browse(corrected.action_correct()["res_id"])
        self.assertEqual(second.correction_number, 2)
        with self.assertRaises(UserError):
            for_son.action_correct()

    def test_the_999th_correction_is_refused_in_russian_and_nothing_is_written(self):
        """Corrections are numbered 1 to 998 (999 is the annulment): past 998 the accountant is told to annul."""
        if not self.env["res.lang"]._lang_get("ru_RU"):
            self.env["res.lang"]._activate_lang("ru_RU")
        accountant = new_test_user(self.env, "tax_limit_accountant", groups="clinic_base.group_clinic_accountant")
        for_son = self.certificate_of(self.son, self.Certificate._issue(self.mother, YEAR))
        self.env.cr.execute("UPDATE clinic_tax_certificate SET correction_number = 997 WHERE id = %s", [for_son.id])
        for_son.invalidate_recordset()  # as if corrected 997 times
        last = self.Certificate.browse(for_son.with_user(accountant).action_correct()["res_id"])
        self.assertEqual((last.number, last.correction_number, last.state), (for_son.number, 998, "issued"))
        self.env.flush_all()
        before = self.env["clinic.tax.certificate"].search_read([], ["state", "correction_number"], order="id")
        messages = len(last.message_ids)
        try:  # no savepoint: what the refusal leaves is what an RPC caller's transaction would commit
            last.with_user(accountant).with_context(lang="ru_RU").action_correct()
        except UserError as error:
            refusal = str(error)
        else:
            self.fail("a 999th correction was issued")
        self.assertIn(f"№ {last.number}", refusal)
        self.assertIn("исправлялась 998 раз — больше форма не нумерует: аннулируйте её и выдайте новую", refusal)
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(
            self.env["clinic.tax.certificate"].search_read([], ["state", "correction_number"], order="id"), before
        )
        self.assertEqual(len(last.message_ids), messages)

    def test_the_mapping_of_identity_documents_to_fns_codes(self):
        """One table from book 99.2.48 to the FNS codes: its types exist in the book, passport → 21, others → 91."""
        DocumentType = self.env["clinic.nsi.identity.document.type"]
        book = DocumentType.with_context(active_test=False).search([("code", "in", list(FNS_DOCUMENT_CODES))])
        self.assertEqual(sorted(book.mapped("code"), key=int), sorted(FNS_DOCUMENT_CODES, key=int))
        names = {kind.code: kind.name for kind in book}
        self.assertEqual(names["1"], "Паспорт гражданина Российской Федерации")
        self.assertEqual(names["6"], "Свидетельство о рождении")
        self.mother.inn = False
        cases = (("1", "6512", "21"), ("6", "II-АИ", "03"), ("44", "83", "62"), ("36", "6601", "91"))
        for day, (code, series, fns_code) in enumerate(cases, start=1):
            self.env["clinic.identity.document"].create(
                {
                    "partner_id": self.mother.id,
                    "doc_type_id": DocumentType.search([("code", "=", code)], limit=1).id,
                    "series": series,
                    "number": "400123",
                    "issue_date": date(2020, 1, day),  # the latest current document is the one certified
                }
            )
            values = self.Certificate._person_values(self.mother)
            self.assertEqual((values["doc_code"], values["doc_number"]), (fns_code, f"{series} 400123"), code)
        self.assertEqual(fns_document_code(False), "91")

    def test_annulment_repeats_the_certificate_under_its_number_with_999(self):
        for_son = self.certificate_of(self.son, self.Certificate._issue(self.mother, YEAR))
        accountant = new_test_user(self.env, "tax_annul_accountant", groups="clinic_base.group_clinic_accountant")
        wizard = (
            self.env["clinic.tax.certificate.annul.wizard"]
            .with_user(accountant)
            .with_context(active_model="clinic.tax.certificate", active_ids=for_son.ids)
            .create({"reason": "Выдана не тому налогоплательщику"})
        )
        self.assertEqual(wizard.certificate_ids, for_son, "the certificates the accountant selected")
        annulling = self.Certificate.browse(wizard.action_confirm()["res_id"])
        self.assertEqual((for_son.state, annulling.state), ("annulled", "annulment"))
        self.assertEqual(
            (annulling.number, annulling.correction_number, annulling.replaced_id, annulling.year),
            (for_son.number, 999, for_son, YEAR),
        )
        self.assertEqual(annulling.annulment_reason, "Выдана не тому налогоплательщику")
        self.assertEqual(
            (annulling.amount_code1, annulling.amount_code2, annulling.taxpayer_inn, annulling.patient_doc_number),
            (4500.0, 7500.0, PARENT_INN, "IV-АИ 123456"),
            "the annulling certificate repeats the data of the one it annuls",
        )
        self.assertIn("(annulment)", annulling.display_name)
        entry = etree.fromstring(annulling._xml_attachment().raw).find("Документ/СвСправ")
        self.assertEqual((entry.get("НомСправ"), entry.get("НомКорр")), (for_son.number, "999"))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("clinic_fiscal_atol.action_report_tax_certificate", annulling.ids)[0]
            .decode()
        )
        corrections = re.findall(
            r'Номер корректировки</span>\s*<span class="o_cells">((?:<span class="o_cell">\w</span>)+)', html
        )
        self.assertEqual(corrections, ['<span class="o_cell">9</span>' * 3] * 2, "999 on both pages")
        for certificate in (for_son, annulling):
            with self.assertRaisesRegex(UserError, "not in force"):
                certificate._annul("ещё раз")
        with self.assertRaisesRegex(UserError, "not in force"):
            for_son.action_correct()
        again = self.certificate_of(self.son, self.Certificate._issue(self.mother, YEAR))
        self.assertEqual((again.state, again.correction_number), ("issued", 0), "a new certificate in its place")
        self.assertNotEqual(again.number, for_son.number, "under a new number")

    def test_annulment_needs_a_reason(self):
        for_son = self.certificate_of(self.son, self.Certificate._issue(self.mother, YEAR))
        wizard = self.env["clinic.tax.certificate.annul.wizard"].create(
            {"certificate_ids": [(6, 0, for_son.ids)], "reason": "  "}
        )
        with self.assertRaisesRegex(UserError, "Reason for annulment"):
            wizard.action_confirm()
        self.assertEqual(for_son.state, "issued")

    def test_taxpayer_without_inn_nor_document_is_refused_by_name(self):
        self.mother.inn = False
        with self.assertRaisesRegex(UserError, "Иванова Мария Петровна"):
            self.Certificate._issue(self.mother, YEAR)

    def test_before_2024_is_refused(self):
        with self.assertRaisesRegex(UserError, "2024"):
            self.Certificate._issue(self.mother, 2023)

    def test_xml_validates_against_the_schema(self):
        certificates = self.Certificate._issue(self.mother, YEAR)
        attachment = certificates._xml_attachment()
        self.assertTrue(attachment.name.startswith("UT_SVOPLMEDUSL_6671_6671_6671012340667101001_"))
        root = etree.fromstring(attachment.raw)
        self.assertEqual(root.find("Документ").get("КНД"), "1151156")
        entries = root.findall("Документ/СвСправ")
        self.assertEqual(len(entries), 2)
        son_entry = next(e for e in entries if e.get("ПрПациент") == "0")
        self.assertEqual((son_entry.get("СумКод1"), son_entry.get("СумКод2")), ("4500.00", "7500.00"))
        self.assertEqual(son_entry.find("СвНП").get("ИННФЛ"), PARENT_INN)
        patient = son_entry.find("СвПациент")
        self.assertEqual((patient.get("ДатаРожд"), patient.find("УдЛичнФЛ").get("КодВидДок")), ("01.09.2016", "03"))
        self.assertTrue(certificates._xml_validate(attachment.raw))
        broken = attachment.raw.replace(PARENT_INN.encode(), b"12345")
        with self.assertRaisesRegex(UserError, "schema"):
            certificates._xml_validate(broken)

    def test_pdf_renders_both_pages_in_russian(self):
        for_son = self.certificate_of(self.son, self.Certificate._issue(self.mother, YEAR))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("clinic_fiscal_atol.action_report_tax_certificate", for_son.ids)[0]
            .decode()
        )
        for text in ("Справка об оплате медицинских услуг", "КНД 1151156", "Данные о пациенте", "по коду услуги 2"):
            self.assertIn(text, html)
        self.assertEqual(for_son._signer_initials(), "Петрова А.С.", "«Фамилия, И.О.» of the clinic's head")
        self.assertIn("".join(f'<span class="o_cell">{c}</span>' for c in "ПЕТРОВА\u00a0А.С.-"), html)
        self.assertEqual(html.count("подтверждаю"), 2, "each page is confirmed")
        self.assertEqual(html.count("Отчество указывается при наличии"), 2, "the footnote of «Отчество¹» on each page")
        pdf = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("clinic_fiscal_atol.action_report_tax_certificate", for_son.ids)[0]
        )
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertEqual(len(re.findall(rb"/Type\s*/Page[^s]", pdf)), 2, "page 2 carries the patient")

    def test_a_batch_of_requests_is_issued_at_once(self):
        accountant = new_test_user(self.env, "tax_batch_accountant", groups="clinic_base.group_clinic_accountant")
        neighbour = self.env["res.partner"].create(
            {"is_patient": True, "surname": "Соколов", "first_name": "Олег", "inn": "667100002200"}
        )
        visit = self.visit(neighbour, date(YEAR, 5, 5), [(self.consultation, 1200), (self.surgery, 800)])
        self.pay(visit, 2000, date(YEAR, 5, 5), neighbour, "card")
        Request = self.env["clinic.tax.certificate.request"]
        requests = Request._portal_request(self.mother, YEAR) | Request._portal_request(neighbour, YEAR)
        wizard = (
            self.env["clinic.tax.certificate.wizard"]
            .with_user(accountant)
            .with_context(default_request_ids=requests.ids)
            .create({})
        )
        self.assertEqual(wizard.mode, "requests")
        wizard.action_issue()
        self.assertEqual(requests.mapped("state"), ["issued", "issued"])
        mothers, neighbours = requests[0].certificate_ids, requests[1].certificate_ids
        self.assertEqual(len(mothers), 2)
        self.assertEqual(
            (neighbours.taxpayer_id, neighbours.is_same_person, neighbours.amount_code1, neighbours.amount_code2),
            (neighbour, True, 1200.0, 800.0),
        )
        self.assertEqual(len(set((mothers | neighbours).mapped("number"))), 3, "each its own number")

    def test_request_lands_with_the_accountant_and_is_issued(self):
        accountant = self.env["res.users"].create(
            {
                "name": "Бухгалтерова Ольга",
                "login": "tax_accountant",
                "groups_id": [(6, 0, [self.env.ref("base.group_user").id,
                                      self.env.ref("clinic_base.group_clinic_accountant").id])],
            }
        )  # fmt: skip
        request = self.env["clinic.tax.certificate.request"]._portal_request(self.mother, YEAR)
        self.assertEqual(request.activity_ids.user_id, accountant)
        self.assertEqual(self.env["clinic.tax.certificate.request"]._portal_request(self.mother, str(YEAR)), request)
        request.with_user(accountant).action_issue()
        self.assertEqual(request.state, "issued")
        self.assertEqual(len(request.certificate_ids), 2)
        self.assertFalse(request.activity_ids, "the to-do is done")
