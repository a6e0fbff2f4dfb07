import re
from datetime import date, timedelta
from unittest import skipUnless

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.misc import find_in_path

REPORTS = (
    "clinic_scheduling.action_report_visit_contract",
    "clinic_scheduling.action_report_visit_consent",
    "clinic_scheduling.action_report_visit_act",
)


def plain(text):
    """Rendered text without tags, its spaces (no-break ones of Russian number formatting too) made single."""
    if isinstance(text, bytes):
        text = text.decode()
    text = re.sub(r"<[^>]+>", "", text).replace("&nbsp;", " ").replace("\ufeff", "")
    return re.sub(r"\s+", " ", text)


def has_wkhtmltopdf():
    try:
        return bool(find_in_path("wkhtmltopdf"))
    except OSError:
        return False


@tagged("post_install", "-at_install")
class TestVisit(HttpCase):
    """An HttpCase only so that wkhtmltopdf can fetch the report assets from the test server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        rub = cls.env.ref("base.RUB")
        rub.active = True
        cls.env.company.write(
            {
                "name": "ООО «Клиника Здоровье»",
                "currency_id": rub.id,
                "vat": "6671012340",
                "kpp": "667101001",
                "company_registry": "1166658001234",
                "clinic_head_name": "Петрова Анна Сергеевна",
                "clinic_head_job_title": "Главный врач",
                "clinic_head_in_person": "главного врача Петровой Анны Сергеевны",
                "contract_signatory": "head",
                "medical_license_number": "Л041-01021-66/00345678",
                "medical_license_date": date(2021, 3, 15),
                "medical_license_issuer": "Министерство здравоохранения Свердловской области",
                "zip": "620014",
                "city": "Екатеринбург",
                "street": "ул. Ленина, д. 5",
            }
        )
        cls.receptionist = new_test_user(cls.env, "visit_front", groups="clinic_base.group_clinic_receptionist")
        cls.doctor_user = new_test_user(cls.env, "visit_doctor", groups="clinic_base.group_clinic_doctor")
        cls.accountant = new_test_user(cls.env, "visit_accounts", groups="clinic_base.group_clinic_accountant")
        cls.manager = new_test_user(cls.env, "visit_manager", groups="clinic_base.group_clinic_manager")
        cls.practitioner = cls.env["hr.employee"].create(
            {
                "name": "Терапевтова Ольга Ивановна",
                "job_title": "Врач-терапевт",
                "is_practitioner": True,
                "user_id": cls.doctor_user.id,
            }
        )
        cls.consultation = cls.service("Приём врача-терапевта первичный", "B01.047.001", 1500)
        cls.blood_test = cls.service("Общий (клинический) анализ крови", "B03.016.003", 500)
        Partner = cls.env["res.partner"]
        cls.patient = Partner.create(
            {
                "is_patient": True,
                "surname": "Иванова",
                "first_name": "Анна",
                "patronymic": "Петровна",
                "birth_date": date(1985, 4, 12),
                "zip": "620075",
                "city": "Екатеринбург",
                "street": "ул. Мира, д. 1",
                "mobile": "89121234567",
            }
        )
        cls.spouse = Partner.create({"name": "Иванов Пётр Сергеевич"})
        cls.stranger = Partner.create({"name": "Посторонний Платильщик"})
        cls.child = Partner.create(
            {
                "is_patient": True,
                "surname": "Иванов",
                "first_name": "Михаил",
                "patronymic": "Петрович",
                "birth_date": fields.Date.today() - relativedelta(years=7),
            }
        )
        Relation = cls.env["clinic.partner.relation"]
        Relation.create({"partner_id": cls.patient.id, "relative_id": cls.spouse.id, "kinship": "spouse"})
        Relation.create(
            {
                "partner_id": cls.child.id,
                "relative_id": cls.patient.id,
                "kinship": "mother",
                "is_legal_representative": True,
                "is_payer": True,
            }
        )
        passport_type = cls.env["clinic.nsi.identity.document.type"].with_context(active_test=False).search(
            [("code", "=", "1")]
        ) or cls.env["clinic.nsi.identity.document.type"].create(
            {"code": "1", "name": "Паспорт гражданина Российской Федерации"}
        )
        cls.env["clinic.identity.document"].create(
            {
                "partner_id": cls.patient.id,
                "doc_type_id": passport_type.id,
                "series": "65 05",
                "number": "123456",
                "issuer": "ОУФМС России по Свердловской обл.",
                "issue_date": date(2005, 5, 20),
                "division_code": "660-001",
            }
        )
        cls.pricelist = cls.env["product.pricelist"].create(
            {
                "name": "Льготный",
                "sequence": 100,
                "currency_id": rub.id,
                "item_ids": [
                    (
                        0,
                        0,
                        {
                            "applied_on": "1_product",
                            "product_tmpl_id": cls.consultation.product_tmpl_id.id,
                            "compute_price": "fixed",
                            "fixed_price": 1200,
                        },
                    )
                ],
            }
        )
        cls.patient.property_product_pricelist = cls.pricelist

    @classmethod
    def service(cls, name, code, price):
        Code = cls.env["clinic.nsi.service.code"].with_context(active_test=False)
        service_code = Code.search([("code", "=", code)]) or Code.create({"code": code, "name": name})
        return cls.env["product.product"].create(
            {
                "name": name,
                "type": "service",
                "is_medical_service": True,
                "list_price": price,
                "service_code_id": service_code.id,
            }
        )

    def appointment(self, patient=None, hours_ahead=1):
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(hours=hours_ahead)
        return self.env["clinic.appointment"].create(
            {
                "patient_id": (patient or self.patient).id,
                "employee_id": self.practitioner.id,
                "service_ids": [(6, 0, (self.consultation | self.blood_test).ids)],
                "start": start,
                "stop": start + timedelta(minutes=30),
            }
        )

    def arrive(self, patient=None, hours_ahead=1):
        action = self.appointment(patient, hours_ahead).action_arrive()
        return self.env[action["res_model"]].browse(action["res_id"])

    def test_arrival_opens_visit_with_service_prices(self):
        appointment = self.appointment()
        action = appointment.action_arrive()
        self.assertEqual(action["res_model"], "clinic.visit")
        visit = appointment.visit_id
        self.assertEqual(action["res_id"], visit.id)
        self.assertEqual(appointment.state, "arrived")
        self.assertTrue(visit.name.startswith("ПР-"), visit.name)
        self.assertEqual(visit.patient_id, self.patient)
        self.assertEqual(visit.employee_id, self.practitioner)
        self.assertEqual(visit.state, "open")
        prices = {line.product_id: line.price_unit for line in visit.line_ids}
        # The patient's price list fixes the consultation; the blood test has no rule there: its list price.
        self.assertEqual(prices, {self.consultation: 1200.0, self.blood_test: 500.0})
        self.assertEqual(visit.line_ids.mapped("service_code"), ["B01.047.001", "B03.016.003"])
        self.assertEqual(visit.amount_total, 1700.0)
        appointment.action_done()
        self.assertEqual(visit.state, "done")

    def test_closing_visit_completes_appointment(self):
        visit = self.arrive()
        visit.action_done()
        self.assertEqual((visit.state, visit.appointment_id.state), ("done", "done"))
        with self.assertRaises(UserError):
            visit.action_cancel()

    def test_totals_discounts_payments_and_balance(self):
        visit = self.arrive()
        consultation = visit.line_ids.filtered(lambda line: line.product_id == self.consultation)
        blood_test = visit.line_ids - consultation
        consultation.discount = 10
        blood_test.quantity = 2
        self.assertEqual((consultation.price_subtotal, consultation.discount_amount), (1080.0, 120.0))
        self.assertEqual(blood_test.price_subtotal, 1000.0)
        self.assertEqual((visit.amount_total, visit.amount_discount), (2080.0, 120.0))
        Payment = self.env["clinic.visit.payment"]
        cash = Payment.create({"visit_id": visit.id, "method": "cash", "amount": 1000})
        self.assertEqual(cash.payer_id, self.patient, "the patient pays by default")
        Payment.create({"visit_id": visit.id, "method": "card", "amount": 800, "payer_id": self.spouse.id})
        self.assertEqual((visit.amount_paid, visit.balance_due), (1800.0, 280.0))
        with self.assertRaises(ValidationError) as caught:
            Payment.create({"visit_id": visit.id, "amount": 280, "payer_id": self.stranger.id})
        self.assertIn(self.stranger.name, str(caught.exception))
        with self.assertRaises(UserError):
            visit.action_cancel()

    def test_minor_paid_for_by_representative(self):
        visit = self.arrive(self.child)
        payment = self.env["clinic.visit.payment"].create({"visit_id": visit.id, "amount": 500})
        self.assertEqual(payment.payer_id, self.patient, "the mother is the child's usual payer")
        self.assertEqual(visit._legal_representative(), self.patient)
        self.assertTrue(visit._consent_by_representative())

    def test_non_positive_payment_refused_naming_value(self):
        visit = self.arrive()
        Payment = self.env["clinic.visit.payment"].with_context(lang="ru_RU")
        for amount, shown in ((0, "0,00 ₽"), (-100, "-100,00 ₽")):
            with self.subTest(amount=amount), self.assertRaises(ValidationError) as caught:
                Payment.create({"visit_id": visit.id, "method": "cash", "amount": amount})
            self.assertIn(shown, plain(str(caught.exception)))
            self.assertIn(visit.name, str(caught.exception))

    def test_imported_visit_is_read_only(self):
        visit = self.env["clinic.visit"].create(
            {
                "patient_id": self.patient.id,
                "is_imported": True,
                "import_ref": "1С-000123",
                "state": "done",
                "date": fields.Datetime.now() - timedelta(days=400),
                "line_ids": [(0, 0, {"product_id": self.consultation.id, "price_unit": 900})],
                "payment_ids": [
                    (
                        0,
                        0,
                        {"amount": 900, "payer_id": self.patient.id, "date": fields.Date.today() - timedelta(days=400)},
                    )
                ],
            }
        )
        self.assertEqual((visit.amount_total, visit.balance_due), (900.0, 0.0))
        for user in (self.manager, self.receptionist):
            with self.subTest(user=user.login):
                with self.assertRaises(UserError) as caught:
                    visit.with_user(user).write({"employee_id": self.practitioner.id})
                self.assertIn("1С-000123", str(caught.exception))
                with self.assertRaises(UserError):
                    visit.line_ids.with_user(user).write({"price_unit": 1})
                with self.assertRaises(UserError):
                    self.env["clinic.visit.payment"].with_user(user).create(
                        {"visit_id": visit.id, "amount": 1, "payer_id": self.patient.id}
                    )
                with self.assertRaises(UserError):
                    visit.with_user(user).unlink()
        with self.assertRaises(UserError):
            self.env["clinic.visit"].with_user(self.receptionist).create(
                {"patient_id": self.patient.id, "is_imported": True}
            )
        with self.assertRaises(UserError):
            self.arrive().with_user(self.manager).write({"is_imported": True})
        visit.sudo().write({"import_ref": "1С-000124"})
        self.assertEqual(visit.import_ref, "1С-000124")

    def test_protocol_only_for_doctors_and_managers(self):
        visit = self.arrive()
        visit.write({"complaints": "Кашель три дня", "diagnosis_note": "ОРВИ"})
        for user in (self.receptionist, self.accountant):
            with self.subTest(user=user.login):
                self.assertEqual(visit.with_user(user).amount_total, 1700.0)
                with self.assertRaises(AccessError):
                    visit.with_user(user).read(["complaints"])
        for user in (self.doctor_user, self.manager):
            with self.subTest(user=user.login):
                self.assertEqual(visit.with_user(user).read(["complaints"])[0]["complaints"], "Кашель три дня")

    def test_print_forms_render_in_russian(self):
        visit = self.arrive()
        self.env["clinic.visit.payment"].create({"visit_id": visit.id, "method": "card", "amount": 1000})
        Report = self.env["ir.actions.report"]
        for report_ref in REPORTS:
            with self.subTest(report=report_ref):
                html = plain(Report.with_user(self.receptionist)._render_qweb_html(report_ref, visit.ids)[0])
                self.assertIn("Иванова Анна Петровна", html)
                self.assertIn("ООО «Клиника Здоровье»", html)
                local_date = fields.Datetime.context_timestamp(visit.with_user(self.receptionist), visit.date)
                self.assertIn(local_date.strftime("%d.%m.%Y"), html)
                self.assertNotIn("Кашель", html)
        contract = plain(Report._render_qweb_html(REPORTS[0], visit.ids)[0])
        for expected in (
            "ДОГОВОР",
            "Л041-01021-66/00345678",
            "15.03.2021",
            "1166658001234",
            "6671012340",
            "КПП 667101001",
            "65 05",
            "123456",
            "660-001",
            "B01.047.001",
            "1 700,00 ₽",
            "Одна тысяча семьсот рублей 00 копеек",
            "программы государственных гарантий",
            "(лицензирующий орган — Министерство здравоохранения Свердловской области)",
            "Телефон: +7 (912) 123-45-67",
        ):
            self.assertIn(expected, contract)
        consent = plain(Report._render_qweb_html(REPORTS[1], visit.ids)[0])
        self.assertIn("Информированное добровольное согласие", consent)
        self.assertIn("Терапевтова Ольга Ивановна", consent)
        act = plain(Report._render_qweb_html(REPORTS[2], visit.ids)[0])
        for expected in (
            "АКТ",
            "Итого: 1 700,00 ₽",
            "Оплачено: 1 000,00 ₽",
            "Остаток к оплате: 700,00 ₽",
            "Одна тысяча семьсот рублей 00 копеек",
        ):
            self.assertIn(expected, act)

    def test_contract_and_act_signed_by_the_clinic_not_the_printing_user(self):
        """The head from the settings signs «в лице»; then an authorized person under their power of attorney."""
        self.receptionist.name = "Регистраторова Ирина Олеговна"
        visit = self.arrive()
        Report = self.env["ir.actions.report"].with_user(self.receptionist)
        contract = plain(Report._render_qweb_html(REPORTS[0], visit.ids)[0])
        act = plain(Report._render_qweb_html(REPORTS[2], visit.ids)[0])
        self.assertIn(
            "в лице главного врача Петровой Анны Сергеевны, действующего на основании Устава, с одной стороны", contract
        )
        for html in (contract, act):
            self.assertIn("ООО «Клиника Здоровье»", html)
            self.assertIn("ИНН 6671012340, КПП 667101001, ОГРН 1166658001234", html)
            self.assertIn("медицинской деятельности № Л041-01021-66/00345678 от 15.03.2021", html)
            self.assertIn("Главный врач", html)
            self.assertIn("/ Петрова А. С. /", html)
            self.assertNotIn("Регистраторова", html)
        self.env.company.write(
            {
                "contract_signatory": "attorney",
                "signatory_name": "Соколова Мария Игоревна",
                "signatory_job_title": "Администратор",
                "signatory_in_person": "администратора Соколовой Марии Игоревны",
                "power_of_attorney_number": "12/2026",
                "power_of_attorney_date": date(2026, 1, 12),
            }
        )
        contract = plain(Report._render_qweb_html(REPORTS[0], visit.ids)[0])
        act = plain(Report._render_qweb_html(REPORTS[2], visit.ids)[0])
        self.assertIn(
            "в лице администратора Соколовой Марии Игоревны, действующего на основании доверенности № 12/2026 от "
            "12.01.2026",
            contract,
        )
        for html in (contract, act):
            self.assertIn("/ Соколова М. И. /", html)
            self.assertIn("по доверенности № 12/2026 от 12.01.2026", html)
            self.assertNotIn("Петрова А. С.", html)

    def test_print_forms_of_a_child_name_the_representative(self):
        visit = self.arrive(self.child)
        Report = self.env["ir.actions.report"]
        contract = plain(Report._render_qweb_html(REPORTS[0], visit.ids)[0])
        self.assertIn("Законный представитель", contract)
        self.assertIn("Иванова Анна Петровна", contract)
        consent = plain(Report._render_qweb_html(REPORTS[1], visit.ids)[0])
        self.assertIn("Я, Иванова Анна Петровна,", consent)
        self.assertIn("законным представителем которого я являюсь", consent)
        self.assertIn("Иванов Михаил Петрович", consent)

    def test_contract_names_a_relative_who_pays_as_customer(self):
        visit = self.arrive()
        self.env["clinic.visit.payment"].create({"visit_id": visit.id, "amount": 1700, "payer_id": self.spouse.id})
        self.assertEqual(visit._contract_customer(), self.spouse)
        contract = plain(self.env["ir.actions.report"]._render_qweb_html(REPORTS[0], visit.ids)[0])
        self.assertIn("и Иванов Пётр Сергеевич, именуемый(-ая) в дальнейшем «Заказчик»", contract)
        self.assertIn("в трёх экземплярах", contract)

    @skipUnless(has_wkhtmltopdf(), "wkhtmltopdf is not installed")
    def test_print_forms_render_as_pdf(self):
        visit = self.arrive()
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        for report_ref in REPORTS:
            with self.subTest(report=report_ref):
                content, kind = Report._render_qweb_pdf(report_ref, visit.ids)
                self.assertEqual(kind, "pdf")
                self.assertTrue(content.startswith(b"%PDF"))
