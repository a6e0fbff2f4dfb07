"""The demo database is a Russian clinic every role can work in: its own requisites on papers and the site,
a month of visits with payments for the accountant, consents on the patients' cards, a meaningful schedule load."""

import base64
import re
from datetime import timedelta

from odoo import fields
from odoo.tools import file_open

from odoo.addons.clinic_base.tools import checksums


def test_demo_company_is_a_russian_clinic(env):
    company = env.ref("base.main_company")
    assert company.name == "ООО «Клиника Здоровье+»"
    assert (company.city, company.zip, company.country_id.code) == ("Екатеринбург", "620014", "RU")
    assert company.phone.startswith("+7 343 ")
    assert checksums.inn_is_valid(company.vat) and checksums.ogrn_is_valid(company.company_registry)
    assert checksums.kpp_is_valid(company.kpp)
    assert company.medical_license_number and company.medical_license_date and company.medical_license_issuer
    assert company._clinic_signatory()["short_name"] == "Петрова А. С."
    with file_open("clinic_base/static/img/clinic_logo.png", "rb") as logo:
        assert base64.b64decode(company.logo) == logo.read(), "the clinic has its own logo"
    if "website" in env:
        website = env.ref("website.default_website")
        assert website.logo == company.logo, "the site shows the clinic's logo, not «YourLogo»"


def test_past_appointments_have_visits_payments_and_protocols(env):
    now = fields.Datetime.now()
    done = env["clinic.appointment"].search([("state", "=", "done"), ("start", "<", now)])
    assert len(done) > 500
    visits = done.visit_ids
    assert set(done.ids) == set(visits.appointment_id.ids), "every appointment held has its visit"
    assert set(visits.mapped("state")) == {"done"}
    assert all(visit.line_ids and visit.amount_total > 0 for visit in visits)
    assert sum(1 for visit in visits if visit.diagnosis_id) > 0.9 * len(visits), "doctors wrote protocols"
    paid = visits.filtered(lambda v: v.balance_due <= 0)
    owing = visits.filtered(lambda v: v.balance_due > 0)
    assert 0.8 * len(visits) < len(paid) < len(visits), "most visits paid, a few debts for the accountant"
    assert owing.filtered("payment_ids"), "some paid in part"
    payments = visits.payment_ids
    assert set(payments.mapped("method")) == {"cash", "card", "transfer"}
    assert max(payments.mapped("date")) <= fields.Date.today()


def test_most_patients_consented_with_source_and_time(env):
    patients = env["res.partner"].search([("is_patient", "=", True)])
    consents = env["clinic.consent"].search([("partner_id", "in", patients.ids), ("purpose", "=", "personal_data")])
    assert len(consents.partner_id) > 0.75 * len(patients)
    assert all(consent.source and consent.date for consent in consents)


def test_most_patients_have_an_identity_document_for_the_contract(env):
    patients = env["res.partner"].search([("is_patient", "=", True)])
    with_documents = patients.filtered("identity_document_ids")
    assert len(with_documents) > 0.7 * len(patients)
    kinds = set(with_documents.identity_document_ids.mapped("doc_type_id.code"))
    assert kinds == {"1", "6"}, "passports for adults, birth certificates for young children"


def test_schedule_load_is_a_share_of_the_schedule(env):
    today = fields.Date.today()
    figures = env["clinic.kpi"].compute(today - timedelta(days=29), today)
    utilization = figures["utilization"]
    assert 0.1 < utilization["value"] <= 1.0
    dashboard = env["clinic.kpi.dashboard"].create({})
    assert re.match(r"\d{1,3}[.,]\d %", dashboard.utilization)


def test_contract_of_a_demo_visit_names_the_clinic_and_its_head(env):
    visit = env["clinic.visit"].search([("state", "=", "done")], limit=1)
    html = env["ir.actions.report"]._render_qweb_html("clinic_scheduling.action_report_visit_contract", visit.ids)[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html.decode()))
    for expected in (
        "ООО «Клиника Здоровье+»",
        "ИНН 6671012340, КПП 667101001",
        "ОГРН 1166658001234",
        "в лице главного врача Петровой Анны Сергеевны",
        "Петрова А. С.",
    ):
        assert expected in text
    assert "YourCompany" not in text and "San Francisco" not in text


def test_demo_clinic_works_in_its_own_time_zone(env):
    company = env.ref("base.main_company")
    assert company.clinic_tz == "Asia/Yekaterinburg", "the clinic is in Екатеринбург, not in Moscow"
    calendar = env.ref("clinic_scheduling.demo_calendar_day")
    assert calendar.tz == company.clinic_tz
    practitioners = env["hr.employee"].search([("resource_calendar_id", "=", calendar.id)])
    assert practitioners and set(practitioners.mapped("tz")) == {company.clinic_tz}
    slots = env["clinic.slot"].search([("employee_id", "in", practitioners.ids)], order="start", limit=500)
    hours = {company._clinic_from_utc(slot.start).hour for slot in slots}
    assert min(hours) == 8, "the day opens at 08:00 clinic time"
