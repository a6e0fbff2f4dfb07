"""bench certificates: tax-deduction certificates (KND 1151156) of one year for TAXPAYERS taxpayers.

The data: TAXPAYERS people with an INN, each with a visit of 14,000 ₽ in the year (a code-1 service, a code-2
one and a non-deductible one) paid in two printed payments (cash and card); one in five also paid for a child
without an INN (birth date and birth certificate) on a visit of their own; one visit in ten is 1C history
(``is_imported``, no receipt); one card payment in twenty is partly refunded. It is cloned in SQL from one record of
each kind made through the ORM (the ORM would take most of the time on the setup, which is not what is measured).

Measured: the accountant's yearly run, ``_amounts`` over every payer of the year then ``_issue_many`` (numbers from
the register, people's data and documents copied, certificates created), and apart, the FNS file of all of them
built and validated against the schema (``xml_seconds``). PDFs are not part of it: they are printed one by one.

Usage: ``bench/run certificates [TAXPAYERS]`` (default 10,000).
"""

import time
from datetime import date, datetime

import lib

MODULES = "clinic_fiscal_atol"
TAXPAYERS = 10000
YEAR = 2025


def _clone(cr, table, template_id, select_from, overrides):
    """Insert copies of row ``template_id`` of ``table``, one per row of ``select_from`` (SQL with alias ``src``),
    with the columns of ``overrides`` (SQL expressions over ``src``) replaced."""
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name != 'id'", [table]
    )
    columns = [row[0] for row in cr.fetchall()]
    exprs = [overrides.get(column, f"tpl.{column}") for column in columns]
    cr.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - names from the catalogue, no user input
        f"SELECT {', '.join(exprs)} FROM {table} tpl, ({select_from}) src WHERE tpl.id = %s",
        [template_id],
    )
    return cr.rowcount


def _templates(env):
    company = env.company
    company.write(
        {
            "vat": "6671012340",
            "kpp": "667101001",
            "clinic_tax_office_code": "6671",
            "contract_signatory": "head",
            "clinic_head_name": "Петрова Анна Сергеевна",
        }  # fmt: skip
    )
    Product = env["product.product"]
    services = [
        Product.create(
            {
                "name": name,
                "is_medical_service": True,
                "type": "service",
                "list_price": price,
                "clinic_tax_deduction_code": code,
            }  # fmt: skip
        )
        for name, price, code in (("Приём", 3000, "1"), ("Операция", 10000, "2"), ("Косметология", 1000, "none"))
    ]
    person = env["res.partner"].create(
        {
            "is_patient": True,
            "surname": "Шаблонов",
            "first_name": "Иван",
            "patronymic": "Петрович",
            "birth_date": date(1980, 1, 1),
            "inn": "667100000114",
        }  # fmt: skip
    )
    birth_certificate = env["clinic.nsi.identity.document.type"].search([("code", "=", "6")], limit=1)
    document = env["clinic.identity.document"].create(
        {
            "partner_id": person.id,
            "doc_type_id": birth_certificate.id,
            "series": "IV-АИ",
            "number": "123456",
            "issue_date": date(2016, 9, 10),
        }  # fmt: skip
    )
    visit = env["clinic.visit"].create(
        {
            "patient_id": person.id,
            "date": datetime(YEAR, 3, 3, 6),
            "line_ids": [(0, 0, {"product_id": s.id, "price_unit": s.list_price}) for s in services],
        }
    )
    payment = env["clinic.visit.payment"].create(
        {
            "visit_id": visit.id,
            "amount": 1000,
            "date": date(YEAR, 3, 3),
            "payer_id": person.id,
            "fiscal_state": "done",
        }  # fmt: skip
    )
    env.flush_all()
    return person, document, visit, payment


def _populate(env, taxpayers):
    cr = env.cr
    person, document, visit, payment = _templates(env)
    _clone(
        cr, "res_partner", person.id, f"SELECT g FROM generate_series(1, {taxpayers}) g",
        {"name": "'Плательщиков ' || src.g", "complete_name": "'Плательщиков ' || src.g",
         "surname": "'Плательщиков'", "first_name": "'Иван'", "ref": "'BENCH-' || src.g",
         "inn": "lpad(src.g::text, 12, '7')"},
    )  # fmt: skip
    _clone(
        cr, "res_partner", person.id, f"SELECT g FROM generate_series(5, {taxpayers}, 5) g",
        {"name": "'Плательщиков ' || src.g || ' сын'", "complete_name": "'Плательщиков ' || src.g || ' сын'",
         "surname": "'Плательщиков'", "first_name": "'Пётр'", "ref": "'BENCH-CHILD-' || src.g", "inn": "NULL",
         "birth_date": "DATE '2016-09-01'"},
    )  # fmt: skip
    _clone(
        cr,
        "clinic_identity_document",
        document.id,
        "SELECT id FROM res_partner WHERE ref LIKE 'BENCH-CHILD-%%'",
        {"partner_id": "src.id"},
    )
    patients = (
        "SELECT p.id, COALESCE(payer.id, p.id) AS payer_id, row_number() OVER (ORDER BY p.id) AS n "
        "FROM res_partner p LEFT JOIN res_partner payer "
        "ON payer.ref = 'BENCH-' || substr(p.ref, 13) AND p.ref LIKE 'BENCH-CHILD-%%' WHERE p.ref LIKE 'BENCH-%%'"
    )
    _clone(
        cr, "clinic_visit", visit.id, patients,
        {"patient_id": "src.id", "name": "'BV-' || src.n", "import_ref": "'BENCH-' || src.payer_id",
         "is_imported": "src.n %% 10 = 0"},
    )  # fmt: skip
    visits = "SELECT v.id, v.patient_id, v.is_imported, substr(v.import_ref, 7)::int AS payer_id, v.name, "
    visits += "row_number() OVER (ORDER BY v.id) AS n FROM clinic_visit v WHERE v.name LIKE 'BV-%%'"
    for line in visit.line_ids:
        _clone(cr, "clinic_visit_line", line.id, visits, {"visit_id": "src.id"})
    fiscal = "CASE WHEN src.is_imported THEN 'none' ELSE 'done' END"
    for method, amount in (("cash", 8400), ("card", 5600)):
        _clone(
            cr, "clinic_visit_payment", payment.id, visits,
            {"visit_id": "src.id", "patient_id": "src.patient_id", "payer_id": "src.payer_id", "method": f"'{method}'",
             "amount": str(amount), "fiscal_state": fiscal, "note": "src.name"},
        )  # fmt: skip
    refunded = (
        "SELECT pay.id, pay.visit_id, pay.patient_id, pay.payer_id FROM clinic_visit_payment pay "
        "JOIN clinic_visit v ON v.id = pay.visit_id "
        "WHERE v.name LIKE 'BV-%%' AND pay.method = 'card' AND NOT v.is_imported AND pay.visit_id %% 20 = 0"
    )
    _clone(
        cr, "clinic_visit_payment", payment.id, refunded,
        {"visit_id": "src.visit_id", "patient_id": "src.patient_id", "payer_id": "src.payer_id",
         "method": "'card'", "amount": "1000", "kind": "'refund'", "refund_of_id": "src.id",
         "date": f"DATE '{YEAR}-07-01'"},
    )  # fmt: skip
    # The templates themselves are not part of the run.
    cr.execute("UPDATE clinic_visit_payment SET fiscal_state = 'failed' WHERE id = %s", [payment.id])
    env.invalidate_all()


def main(env, args):
    taxpayers = int(args[0]) if args else TAXPAYERS
    if not env["res.partner"].search_count([("ref", "=like", "BENCH-%")]):  # a database kept from a previous run
        _populate(env, taxpayers)
        env.cr.commit()
    Certificate = env["clinic.tax.certificate"]
    company = env.company
    with lib.measure() as figures:
        amounts = Certificate._amounts(YEAR, company)
        certificates = Certificate._issue_many(amounts, YEAR, company)
        env.flush_all()
    env.cr.commit()
    start = time.perf_counter()
    attachment = certificates._xml_attachment()
    xml_seconds = time.perf_counter() - start
    return {
        "certificates": len(certificates),
        "taxpayers": len({c.taxpayer_id.id for c in certificates}),
        "seconds": figures["seconds"],
        "cpu_seconds": figures["cpu_seconds"],
        "peak_rss_mb": figures["peak_rss_mb"],
        "xml_seconds": xml_seconds,
        "xml_mb": len(attachment.raw) / 1e6,
    }
