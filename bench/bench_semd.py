"""bench semd: finished visits turned into validated, signed consultation protocols (SEMD).

VISITS closed visits (20 practitioners with RSA test keys, 200 patients with complete cards) each go
through what «Build SEMD» and «Sign» do: field checks, the CDA built from the edition description, XSD,
the Schematron (compiled once per process, run by Saxon), the reference-book check, the frozen bytes,
then the doctor's and the clinic's detached CMS signatures, each verified. One transaction for all.

Figures: ``documents`` signed, ``failed`` visits without a document, ``seconds`` of the whole run (the
one-off schematron compilation included), ``validate_ms_p50``/``validate_ms_p95`` (XSD + Schematron +
reference books of one document), ``sign_ms_p50`` (both signatures of one document), ``per_s``.

Usage: ``bench/run semd [VISITS]`` (default 1,000).
"""

import statistics
import time
from datetime import datetime, timedelta

MODULES = "clinic_remd"
VISITS = 1000
PRACTITIONERS = 20
PATIENTS = 200


def _snils(seed):
    digits = f"{seed:09d}"
    total = sum(int(d) * (9 - i) for i, d in enumerate(digits))
    return f"{digits}{total % 101 % 100:02d}"


def setup(env, count):
    env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True))
    region = env["clinic.nsi.region"].search([("code", "=", "66")], limit=1)
    company = env.company
    company.partner_id.write({"clinic_region_id": region.id, "street": "ул. Малышева, д. 36", "zip": "620014"})
    company.write(
        {
            "name": "ООО «Клиника Здоровье+»",
            "frmo_oid": "1.2.643.5.1.13.13.12.2.66.6610",
            "remd_mis_oid": "1.2.643.5.1.13.13.12.2.66.6610.100.1.1",
            "ogrn": "1166658001234",
            "medical_license_number": "Л041-01021-66/00345678",
            "medical_license_issuer": "Министерство здравоохранения Свердловской области",
        }
    )
    Key = env["clinic.semd.key"]
    position = env["clinic.nsi.position"].search([("name", "ilike", "терапевт")], limit=1)
    practitioners = env["hr.employee"].create(
        [
            {
                "name": f"Врачова{i} Анна Петровна",
                "surname": f"Врачова{i}",
                "first_name": "Анна",
                "patronymic": "Петровна",
                "is_practitioner": True,
                "snils": _snils(200000000 + i),
                "position_id": position.id,
            }
            for i in range(PRACTITIONERS)
        ]
    )
    for practitioner in practitioners:
        Key._create_test_key(practitioner, "rsa")
    head = env["hr.employee"].create({"name": "Петрова Анна Сергеевна"})
    company.remd_org_key_id = Key._create_test_key(head, "rsa")
    patients = env["res.partner"].create(
        [
            {
                "is_patient": True,
                "surname": f"Пациентов{i}",
                "first_name": "Иван",
                "patronymic": "Иванович",
                "birth_date": f"19{50 + i % 50}-0{1 + i % 9}-1{i % 10}",
                "gender": "male" if i % 2 else "female",
                "snils": _snils(300000000 + i),
                "clinic_region_id": region.id,
                "city": "Екатеринбург",
                "street": f"ул. Ленина, д. {1 + i % 80}",
                "zip": "620014",
            }
            for i in range(PATIENTS)
        ]
    )
    diagnoses = env["clinic.nsi.icd10"].search([("code", "in", ("J06.9", "I10", "J20.9", "M54.5", "K21.9"))])
    start = datetime.now() - timedelta(days=30)
    visits = env["clinic.visit"].create(
        [
            {
                "patient_id": patients[i % PATIENTS].id,
                "employee_id": practitioners[i % PRACTITIONERS].id,
                "date": start + timedelta(minutes=15 * i),
                "complaints": "Насморк, першение в горле.",
                "anamnesis": f"Болеет {1 + i % 7} дня.",
                "life_history": "Хронических заболеваний нет.",
                "examination": "Зев гиперемирован, дыхание везикулярное.",
                "diagnosis_id": diagnoses[i % len(diagnoses)].id,
                "diagnosis_note": "Лёгкое течение.",
                "recommendations": "Обильное питьё; явка при ухудшении.",
                "height_cm": 170 + i % 20,
                "bp_systolic": 120 + i % 20,
                "bp_diastolic": 80,
            }
            for i in range(count)
        ]
    )
    visits.write({"state": "done"})
    return visits


def main(env, args):
    visits = setup(env, int(args[0]) if args else VISITS)
    env.cr.commit()
    started = time.perf_counter()
    documents = env["clinic.semd.document"]
    for visit in visits:
        document = visit._semd_generate()
        if document:
            document._sign()
            documents |= document
    seconds = time.perf_counter() - started
    validate = [d.validation_ms for d in documents]
    sign = [d.signing_ms for d in documents]
    signed = documents.filtered(lambda d: d.state == "signed")
    unsigned = visits - signed.visit_id
    if unsigned:
        print(f"not signed: {unsigned[0].display_name}: {unsigned[0].semd_errors}", flush=True)
    env.cr.commit()
    return {
        "documents": len(signed),
        "failed": len(visits) - len(signed),
        "seconds": seconds,
        "per_s": len(signed) / seconds,
        "validate_ms_p50": statistics.median(validate),
        "validate_ms_p95": statistics.quantiles(validate, n=100)[94],
        "sign_ms_p50": statistics.median(sign),
        "xml_kb_p50": statistics.median(d.xml_size for d in documents) / 1024,
    }
