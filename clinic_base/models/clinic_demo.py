import random

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.fields import Command

from ..tools import names, synthetic
from ..tools import phone as phone_tools
from .clinic_identity_document import BIRTH_CERTIFICATE_CODE, RF_PASSPORT_CODE

DEMO_SEED = 2025
DEMO_DOCTORS = 10
DEMO_SERVICES = 40
DEMO_PATIENTS = 200
# Share of the original cards with an identity document on file (the contract prints it).
DEMO_DOCUMENT_SHARE = 0.85


class ClinicDemo(models.AbstractModel):
    """Demo clinic built from ``tools.synthetic``: the demo meets the same messy front-desk input as the benchmarks.

    Everything goes through the ORM, so phones, names and SNILS are normalized
    as when a receptionist types them. Each record gets an XML id
    (``clinic_base.demo_patient_001``…) for other modules' demo data.
    """

    _name = "clinic.demo"
    _description = "Clinic demo data"

    @api.model
    def _generate_demo_data(self):
        if self.env.ref("clinic_base.demo_patient_001", raise_if_not_found=False):
            return
        demo = self.with_context(tracking_disable=True, mail_create_nosubscribe=True)
        today = fields.Date.context_today(self)
        demo._demo_practitioners(synthetic.generate_doctors(DEMO_DOCTORS, DEMO_SEED, today))
        demo._demo_services(synthetic.generate_services(DEMO_SERVICES, DEMO_SEED))
        population = synthetic.generate_patients(DEMO_PATIENTS, seed=DEMO_SEED, today=today)
        partners = demo._demo_patients(population["patients"])
        demo._demo_relations(population["relations"], partners)
        demo._demo_documents(population["patients"], partners, today)
        consents = synthetic.generate_consents(population, DEMO_SEED, today)
        # Most patients signed on their first visit; about one in ten has no consent on file yet.
        demo._demo_consents(consents, partners)
        demo.env["clinic.duplicate.engine"].refresh_clusters()

    @api.model
    def _nsi_by_code(self, model, codes):
        """Reference book rows by code; the books may not be loaded yet, then the links stay empty."""
        return {row.code: row for row in self.env[model].search([("code", "in", list(set(codes) - {""}))])}

    @api.model
    def _demo_xmlids(self, prefix, records, suffixes):
        self.env["ir.model.data"]._update_xmlids(
            [
                {"xml_id": f"clinic_base.demo_{prefix}_{suffix}", "record": record, "noupdate": True}
                for record, suffix in zip(records, suffixes, strict=True)
            ]
        )

    @api.model
    def _demo_practitioners(self, doctors):
        positions = self._nsi_by_code("clinic.nsi.position", [d["position_code"] for d in doctors])
        specialties = self._nsi_by_code("clinic.nsi.specialty", [d["specialty_code"] for d in doctors])
        employees = self.env["hr.employee"].create(
            [
                {
                    "name": names.full_name(d["surname"], d["first_name"], d["patronymic"]),
                    "is_practitioner": True,
                    "job_title": d["position"],
                    "position_id": positions[d["position_code"]].id if d["position_code"] in positions else False,
                    "specialty_ids": [Command.set(specialties[d["specialty_code"]].ids)]
                    if d["specialty_code"] in specialties
                    else [],
                    "age_group": d["age_group"],
                    "gender": d["gender"],
                    "birthday": d["birth_date"],
                    "snils": d["snils"],
                    "mobile_phone": phone_tools.format_ru(d["mobile"]),
                    "practice_since": d["practice_since"],
                    "clinic_published": True,
                }
                for d in doctors
            ]
        )
        self._demo_xmlids("practitioner", employees, [f"{n:02d}" for n in range(1, len(employees) + 1)])

    @api.model
    def _demo_services(self, services):
        codes = self._nsi_by_code("clinic.nsi.service.code", [s["code"] for s in services])
        specialties = self._nsi_by_code("clinic.nsi.specialty", [s["specialty_code"] for s in services])
        products = self.env["product.template"].create(
            [
                {
                    "name": s["name"],
                    "default_code": s["code"],
                    "type": "service",
                    "is_medical_service": True,
                    "list_price": s["price"],
                    "duration_minutes": s["duration_minutes"],
                    "age_group": s["age_group"],
                    "service_code_id": codes[s["code"]].id if s["code"] in codes else False,
                    "specialty_ids": [Command.set(specialties[s["specialty_code"]].ids)]
                    if s["specialty_code"] in specialties
                    else [],
                    "purchase_ok": False,
                    "clinic_published": True,
                }
                for s in services
            ]
        )
        self._demo_xmlids("service", products, [s["code"].replace(".", "_") for s in services])

    @api.model
    def _demo_patients(self, patients):
        """Cards created as typed; returns {generated id: partner}.

        The base refuses a second card with a SNILS already on file, so a
        planted copy that repeats its original's SNILS is saved without it;
        a number the normalizer cannot read is kept in the card's note.
        """
        taken_snils = set()
        vals_list = []
        for patient in patients:
            numbers, unread = [], []
            for piece in phone_tools.split_numbers(patient["phone"]):
                try:
                    phone_tools.normalize(piece)
                    numbers.append(piece)
                except phone_tools.PhoneError:
                    unread.append(piece)
            repeated = patient["snils"] in taken_snils
            taken_snils.add(patient["snils"])
            vals_list.append(
                {
                    "is_patient": True,
                    "surname": patient["surname"],
                    "first_name": patient["first_name"],
                    "patronymic": patient["patronymic"] or False,
                    "birth_date": patient["birth_date"],
                    "gender": patient["gender"],
                    "snils": patient["snils_typed"] if patient["snils"] and not repeated else False,
                    "email": patient["email"] or False,
                    "clinic_phone_ids": [Command.create({"number": number}) for number in numbers],
                    "comment": Markup("<p>Телефон не распознан, уточните у пациента: «%s»</p>") % "», «".join(unread)
                    if unread
                    else False,
                }
            )
        partners = self.env["res.partner"].create(vals_list)
        self._demo_xmlids("patient", partners, [f"{p['id']:03d}" for p in patients])
        return {patient["id"]: partner for patient, partner in zip(patients, partners, strict=True)}

    @api.model
    def _demo_relations(self, relations, partners):
        self.env["clinic.partner.relation"].create(
            [
                {
                    "partner_id": partners[r["partner"]].id,
                    "relative_id": partners[r["relative"]].id,
                    "kinship": r["kinship"],
                    "is_legal_representative": r["is_legal_representative"],
                    "is_payer": r["is_payer"],
                }
                for r in relations
            ]
        )

    @api.model
    def _demo_documents(self, patients, partners, today):
        """Identity documents for most original cards, as a Yekaterinburg front desk copies them: the current
        Russian passport from 14 (replaced at 20 and 45), a birth certificate below."""
        types = self._nsi_by_code("clinic.nsi.identity.document.type", [RF_PASSPORT_CODE, BIRTH_CERTIFICATE_CODE])
        if len(types) < 2:
            return
        rng = random.Random(DEMO_SEED)
        vals_list = []
        for patient in patients:
            birth_date = patient["birth_date"]
            if patient["copy_of"] or not birth_date or rng.random() > DEMO_DOCUMENT_SHARE:
                continue
            age = relativedelta(today, birth_date).years
            if age < 14:
                issued = birth_date + relativedelta(days=rng.randint(5, 30))
                vals = {
                    "doc_type_id": types[BIRTH_CERTIFICATE_CODE].id,
                    "series": f"{rng.choice(('I', 'II', 'III', 'IV', 'V'))}-{rng.choice(('АИ', 'ВГ', 'ЕТ', 'ОБ'))}",
                    "issuer": "Отдел ЗАГС Ленинского района г. Екатеринбурга",
                }
            else:
                replaced_at = max(a for a in (14, 20, 45) if a <= age)
                issued = birth_date + relativedelta(years=replaced_at, days=rng.randint(3, 60))
                vals = {
                    "doc_type_id": types[RF_PASSPORT_CODE].id,
                    "series": f"65 {issued.year % 100:02d}",
                    "issuer": "ГУ МВД России по Свердловской области"
                    if issued.year >= 2018
                    else "Отделом УФМС России по Свердловской обл. в Ленинском р-не г. Екатеринбурга",
                    "division_code": f"660-{rng.randint(1, 99):03d}",
                }
            vals_list.append(
                dict(
                    vals,
                    partner_id=partners[patient["id"]].id,
                    number=f"{rng.randint(0, 999999):06d}",
                    issue_date=min(issued, today),
                )
            )
        self.env["clinic.identity.document"].create(vals_list)

    @api.model
    def _demo_consents(self, consents, partners):
        self.env["clinic.consent"].create(
            [
                {
                    "partner_id": partners[c["partner"]].id,
                    "purpose": c["purpose"],
                    "channel": c["channel"],
                    "action": c["action"],
                    "date": c["date"],
                    "source": c["source"],
                    "given_by": "representative" if c["representative"] else "patient",
                    "representative_id": partners[c["representative"]].id if c["representative"] else False,
                }
                for c in consents
            ]
        )
