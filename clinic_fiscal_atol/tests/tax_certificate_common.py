from datetime import date, datetime

from odoo.tests import TransactionCase

YEAR = 2025
PARENT_INN = "667100000114"


class TaxCertificateCase(TransactionCase):
    """A mother who paid for her son (who has no INN, only a birth certificate) and for herself in 2025."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.company = cls.env.company
        cls.company.write(
            {
                "vat": "6671012340",
                "kpp": "667101001",
                "clinic_tax_office_code": "6671",
                "contract_signatory": "head",
                "clinic_head_name": "Петрова Анна Сергеевна",
            }
        )
        Product = cls.env["product.product"]
        cls.consultation = Product.create(
            {"name": "Приём педиатра", "is_medical_service": True, "type": "service", "list_price": 3000}
        )
        cls.surgery = Product.create(
            {
                "name": "Операция (дорогостоящее лечение)",
                "is_medical_service": True,
                "type": "service",
                "list_price": 10000,
                "clinic_tax_deduction_code": "2",
            }
        )
        cls.cosmetic = Product.create(
            {
                "name": "Косметическая процедура",
                "is_medical_service": True,
                "type": "service",
                "list_price": 1000,
                "clinic_tax_deduction_code": "none",
            }
        )
        Partner = cls.env["res.partner"]
        cls.mother = Partner.create(
            {
                "is_patient": True,
                "surname": "Иванова",
                "first_name": "Мария",
                "patronymic": "Петровна",
                "birth_date": date(1988, 4, 2),
                "inn": PARENT_INN,
            }
        )
        cls.son = Partner.create(
            {
                "is_patient": True,
                "surname": "Иванов",
                "first_name": "Пётр",
                "patronymic": "Сергеевич",
                "birth_date": date(2016, 9, 1),
            }  # fmt: skip
        )
        birth_certificate = cls.env["clinic.nsi.identity.document.type"].search([("code", "=", "6")], limit=1)
        cls.env["clinic.identity.document"].create(
            {
                "partner_id": cls.son.id,
                "doc_type_id": birth_certificate.id,
                "series": "IV-АИ",
                "number": "123456",
                "issue_date": date(2016, 9, 10),
            }
        )
        cls.env["clinic.partner.relation"].create(
            {
                "partner_id": cls.son.id,
                "relative_id": cls.mother.id,
                "kinship": "mother",
                "is_legal_representative": True,
                "is_payer": True,
            }
        )
        cls.Certificate = cls.env["clinic.tax.certificate"]

    @classmethod
    def visit(cls, patient, day, services, imported=False):
        values = {
            "patient_id": patient.id,
            "date": datetime.combine(day, datetime.min.time()).replace(hour=6),
            "line_ids": [(0, 0, {"product_id": product.id, "price_unit": price}) for product, price in services],
        }
        if imported:
            values.update(is_imported=True, import_ref=f"1C-{day}-{patient.id}")
        return cls.env["clinic.visit"].sudo().create(values)

    @classmethod
    def pay(cls, visit, amount, day, payer, method="cash", fiscal_state="done", refund_of=None):
        return (
            cls.env["clinic.visit.payment"]
            .sudo()
            .create(
                {
                    "visit_id": visit.id,
                    "amount": amount,
                    "date": day,
                    "method": method,
                    "payer_id": payer.id,
                    "fiscal_state": fiscal_state,
                    "kind": "refund" if refund_of else "payment",
                    "refund_of_id": refund_of.id if refund_of else False,
                }
            )
        )
