from odoo import api, models

# The demo clinic's FRMO OID (Свердловская область, region 66) and its MIS number/instance under it.
DEMO_FRMO_OID = "1.2.643.5.1.13.13.12.2.66.6610"
DEMO_MIS_SUFFIX = ".100.1.1"
SVERDLOVSK_REGION = "66"


class ClinicDemo(models.AbstractModel):
    _inherit = "clinic.demo"

    @api.model
    def _generate_remd_demo(self):
        company = self.env.company
        if company.remd_org_key_id:
            return
        region = self.env["clinic.nsi.region"].search([("code", "=", SVERDLOVSK_REGION)], limit=1)
        company.partner_id.clinic_region_id = region
        company.write(
            {
                "frmo_oid": company.frmo_oid or DEMO_FRMO_OID,
                "ogrn": company.company_registry,
                "remd_mis_oid": (company.frmo_oid or DEMO_FRMO_OID) + DEMO_MIS_SUFFIX,
            }
        )
        Key = self.env["clinic.semd.key"]
        practitioners = self.env["hr.employee"].search([("is_practitioner", "=", True)], order="id")
        for employee in practitioners:
            parts = (employee.name or "").split()
            employee.write(
                {
                    "surname": parts[0] if parts else False,
                    "first_name": parts[1] if len(parts) > 1 else False,
                    "patronymic": parts[2] if len(parts) > 2 else False,
                }
            )
            Key._create_test_key(employee, "rsa")
        head = self.env["hr.employee"].search([("name", "=", company.clinic_head_name)], limit=1)
        if not head:
            surname, first_name, patronymic = company.clinic_head_name.split()
            head = self.env["hr.employee"].create(
                {
                    "name": company.clinic_head_name,
                    "job_title": company.clinic_head_job_title,
                    "surname": surname,
                    "first_name": first_name,
                    "patronymic": patronymic,
                }
            )
        company.remd_org_key_id = Key._create_test_key(head, "rsa")
        self._demo_signed_visit(practitioners)

    @api.model
    def _demo_signed_visit(self, practitioners):
        """A finished visit of a patient with complete card data and a blood test, with its protocol, a medical
        conclusion and the laboratory protocol built and signed."""
        visit = self.env["clinic.visit"].search(
            [
                ("state", "=", "done"),
                ("employee_id", "in", practitioners.filtered("snils").ids),
                ("employee_id.position_id", "!=", False),
                ("patient_id.snils", "!=", False),
                ("patient_id.birth_date", "!=", False),
                ("patient_id.gender", "!=", False),
                ("diagnosis_id", "!=", False),
            ],
            order="date desc",
            limit=1,
        )
        if not visit:
            return
        patient = visit.patient_id
        if not patient.clinic_region_id:
            patient.clinic_region_id = self.env.company.partner_id.clinic_region_id
        if not (patient.street or patient.addr_street):
            patient.street = "ул. Ленина, д. 5"
        care = [
            "care_reason_id",
            "care_place_id",
            "care_setting_id",
            "care_form_id",
            "care_type_id",
            "care_condition_id",
        ]
        visit.write(
            {
                **self.env["clinic.visit"].default_get(care),
                "anamnesis": "Болеет три дня, начало острое после переохлаждения.",
                "life_history": "Хронических заболеваний нет. Аллергия отрицается.",
                "examination": "Состояние удовлетворительное. Зев гиперемирован, дыхание везикулярное.",
                "diagnosis_note": visit.diagnosis_id.name,
                "height_cm": 176,
                "weight_kg": 78.5,
                "bp_systolic": 124,
                "bp_diastolic": 78,
                "heart_rate": 72,
                "temperature": 37.4,
                "medical_conclusion": "По состоянию здоровья нуждается в освобождении от занятий физической "
                "культурой на 7 дней.",
            }
        )
        self._demo_lab_results(visit)
        for kind in ("119", "204", "186"):
            document = visit._semd_generate(kind)
            if document:
                document._sign()

    @api.model
    def _demo_lab_results(self, visit):
        """A blood test taken at the visit: haemoglobin and glucose in numbers, a haematocrit in words."""
        units = {unit.code: unit.id for unit in self.env["clinic.nsi.unit"].search([("code", "in", ("60", "195"))])}
        test = self.env["clinic.nsi.lab.test"]._nsi_by_code
        interpretation = self.env["clinic.nsi.lab.interpretation"]._nsi_by_code
        common = {
            "visit_id": visit.id,
            "specimen_id": self.env["clinic.nsi.biomaterial"]._nsi_by_code("2").id,
            "sampled_at": visit.date,
            "result_at": visit.date,
        }
        self.env["clinic.visit.lab.result"].create(
            [
                {
                    **common,
                    "test_id": test("1017128").id,
                    "value_numeric": 148,
                    "unit_id": units.get("60"),
                    "range_low": 120,
                    "range_high": 160,
                    "interpretation_id": interpretation("N").id,
                    "analyser": "Гематологический анализатор Sysmex XN-350",
                },
                {
                    **common,
                    "test_id": test("1018045").id,
                    "value_numeric": 6.4,
                    "unit_id": units.get("195"),
                    "range_low": 3.9,
                    "range_high": 6.1,
                    "interpretation_id": interpretation("H").id,
                },
                {**common, "test_id": test("1017359").id, "value_type": "text", "value_text": "в пределах нормы"},
            ]
        )
