import base64

from odoo.tests import TransactionCase, new_test_user

from ..semd import signer


def snils(seed):
    """A valid SNILS (control digits hold) made from a 9-digit seed."""
    digits = f"{seed:09d}"
    total = sum(int(d) * (9 - i) for i, d in enumerate(digits))
    control = total % 101 if total % 101 < 100 else 0
    return f"{digits}{control:02d}"


class SemdCase(TransactionCase):
    """A configured clinic, two doctors with keys, the head's key as the clinic's, and a finished visit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        env = cls.env
        region = env["clinic.nsi.region"].search([("code", "=", "66")], limit=1)
        company = env.company
        company.partner_id.write({"clinic_region_id": region.id, "street": "ул. Малышева, д. 36", "zip": "620014"})
        company.write(
            {
                "frmo_oid": "1.2.643.5.1.13.13.12.2.66.6610",
                "remd_mis_oid": "1.2.643.5.1.13.13.12.2.66.6610.100.1.1",
                "ogrn": "1166658001234",
                "medical_license_number": "Л041-01021-66/00345678",
                "medical_license_issuer": "Министерство здравоохранения Свердловской области",
            }
        )
        cls.doctor_user = new_test_user(env, "semd_doctor", groups="clinic_base.group_clinic_doctor")
        cls.other_user = new_test_user(env, "semd_doctor_2", groups="clinic_base.group_clinic_doctor")
        cls.manager_user = new_test_user(env, "semd_manager", groups="clinic_base.group_clinic_manager")
        cls.receptionist_user = new_test_user(env, "semd_desk", groups="clinic_base.group_clinic_receptionist")
        position = env["clinic.nsi.position"].search([("name", "ilike", "терапевт")], limit=1)
        cls.doctor = cls._practitioner("Дмитриева Галина Евгеньевна", cls.doctor_user, position, 412914904)
        cls.other = cls._practitioner("Орлов Пётр Ильич", cls.other_user, position, 123456789)
        cls.head = env["hr.employee"].create({"name": "Петрова Анна Сергеевна"})
        cls.doctor_key = cls._key(cls.doctor, "rsa")
        cls._key(cls.other, "rsa")
        company.remd_org_key_id = cls._key(cls.head, "rsa")
        cls.patient = env["res.partner"].create(
            {
                "is_patient": True,
                "surname": "Осипова",
                "first_name": "Лариса",
                "patronymic": "Владимировна",
                "birth_date": "1952-07-30",
                "gender": "female",
                "snils": snils(112233445),
                "clinic_region_id": region.id,
                "city": "Екатеринбург",
                "street": "ул. Ленина, д. 5",
                "zip": "620014",
            }
        )
        cls.diagnosis = env["clinic.nsi.icd10"].search([("code", "=", "J06.9")], limit=1)

    @classmethod
    def _practitioner(cls, name, user, position, seed):
        surname, first_name, patronymic = name.split()
        return cls.env["hr.employee"].create(
            {
                "name": name,
                "user_id": user.id,
                "is_practitioner": True,
                "snils": snils(seed),
                "position_id": position.id,
                "surname": surname,
                "first_name": first_name,
                "patronymic": patronymic,
            }
        )

    @classmethod
    def _key(cls, employee, algorithm):
        return cls.env["clinic.semd.key"]._create_test_key(employee, algorithm)

    def make_visit(self, **vals):
        visit = self.env["clinic.visit"].create(
            {
                "patient_id": self.patient.id,
                "employee_id": self.doctor.id,
                "anamnesis": "Болеет три дня.",
                "life_history": "Без особенностей.",
                "examination": "Зев гиперемирован.",
                "diagnosis_id": self.diagnosis.id,
                "diagnosis_note": "ОРВИ, лёгкое течение.",
                "recommendations": "Обильное питьё.",
                "height_cm": 176,
                "bp_systolic": 124,
                "bp_diastolic": 78,
                **vals,
            }
        )
        visit.state = "done"
        return visit

    def row(self, model, code):
        """The row of ``code`` in a reference book (the lab books get their rows at install)."""
        return self.env[model]._nsi_by_code(code)

    def xml(self, document):
        return base64.b64decode(document.sudo().xml_content)

    def verify(self, document, field):
        return signer.Signer.verify(self.xml(document), base64.b64decode(document.sudo()[field]))
