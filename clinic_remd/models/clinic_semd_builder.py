"""From a visit to the plain data the CDA builder takes, with every gap reported against the visit field."""

import time
import zlib

from lxml import etree

from odoo import api, fields, models
from odoo.tools import SQL

from ..semd import builder, codes, validator
from ..semd import edition as editions

# Document-wide OID suffixes under the clinic's MIS OID are added by the builder (….51, ….10, ….70).
SOURCE_FIELDS = {
    "diagnosis": "diagnosis_id",
    "care_reason": "care_reason_id",
    "care_place": "care_place_id",
    "care_condition": "care_condition_id",
    "referral": "referral_kind_id",
    "anamnesis": "anamnesis",
    "life_history": "life_history",
    "examination": "examination",
    "conclusion": "diagnosis_note",
    "diagnosis_text": "diagnosis_note",
    "recommendations": "recommendations",
    "payment_source": "payment_source",
    "patient_snils": "patient_id",
    "medical_conclusion": "medical_conclusion",
    "lab_results": "lab_result_ids",
}


class ClinicSemdBuilder(models.AbstractModel):
    _name = "clinic.semd.builder"
    _description = "SEMD builder"

    # ------------------------------------------------------------------ checks on the visit

    @api.model
    def _visit_errors(self, visit, edition):
        """Gaps that make a valid document impossible: [(visit field, message in the user's language)]."""
        _ = self.env._
        errors = []
        patient = visit.patient_id.sudo()
        employee = visit.employee_id.sudo()
        company = visit.company_id.sudo()
        values = self._source_values(visit)
        for source in edition["required"]:
            if source == "patient_snils":
                if not patient.snils:
                    errors.append(("patient_id", _("The patient %(name)s has no SNILS.", name=patient.name)))
            elif not values.get(source):
                errors.append((SOURCE_FIELDS[source], _("not filled in.")))
        if "lab_results" in editions.sources(edition):
            errors += [("lab_result_ids", message) for message in visit.lab_result_ids._errors()]
        if not (patient.surname and patient.first_name):
            errors.append(("patient_id", _("The patient's surname and first name are not filled in.")))
        if not patient.birth_date or not patient.gender:
            errors.append(("patient_id", _("The patient's birth date or gender is missing.")))
        if not (patient.clinic_region_id and (patient.street or patient.addr_street)):
            errors.append(("patient_id", _("The patient's address has no region or street.")))
        for field in ("care_form_id", "care_type_id", "care_setting_id"):
            if not visit[field]:
                errors.append((field, _("not filled in.")))
        if not employee:
            errors.append(("employee_id", _("The visit has no practitioner.")))
        else:
            if not employee.snils:
                errors.append(("employee_id", _("The practitioner %(name)s has no SNILS.", name=employee.name)))
            if not employee.position_id:
                errors.append(
                    ("employee_id", _("The practitioner %(name)s has no medical position.", name=employee.name))
                )
            if not (employee.surname and employee.first_name):
                errors.append(
                    ("employee_id", _("The practitioner %(name)s has no surname and first name.", name=employee.name))
                )
        missing = [
            label
            for label, value in (
                (_("FRMO OID"), company.frmo_oid),
                (_("MIS OID"), company.remd_mis_oid),
                (_("OGRN"), company.ogrn),
                (_("region"), company.partner_id.clinic_region_id),
            )
            if not value
        ]
        if missing:
            errors.append(
                ("company_id", _("The clinic's settings lack: %(fields)s.", fields=", ".join(str(m) for m in missing)))
            )
        return errors

    @api.model
    def _source_values(self, visit):
        """Values of the edition's sources, read with the doctor's own rights (medical fields)."""
        examination = "\n".join(part for part in (visit.examination, visit._semd_vitals_text()) if part)
        return {
            "diagnosis": visit.diagnosis_id,
            "care_reason": visit.care_reason_id,
            "care_place": visit.care_place_id,
            "care_condition": visit.care_condition_id,
            "referral": visit.referral_kind_id,
            "anamnesis": visit.anamnesis,
            "life_history": visit.life_history,
            "examination": examination,
            "conclusion": visit.diagnosis_note,
            "diagnosis_text": " ".join(
                part for part in (visit.diagnosis_id.code, visit.diagnosis_note or visit.diagnosis_id.name) if part
            ),
            "recommendations": visit.recommendations,
            "payment_source": visit.payment_source,
            "medical_conclusion": visit.medical_conclusion,
            "lab_results": visit.lab_result_ids,
        }

    # ------------------------------------------------------------------ codes

    @api.model
    def _code(self, record):
        """A coded element from a reference-book row: code, book OID, its name and version, the row's name."""
        if not record:
            return None
        oid = codes.MODEL_OIDS[record._name]
        return {
            "code": record[codes.code_field(oid)],
            "codeSystem": oid,
            "codeSystemName": codes.BOOKS[oid][1],
            "codeSystemVersion": record.version or "1.0",
            "displayName": record.name,
        }

    @api.model
    def _book_codes(self, oid, wanted):
        """{code: coded element} of several codes of one shipped book in one query; a missing code maps to None."""
        key = codes.code_field(oid)
        rows = self.env[codes.BOOKS[oid][0]].sudo().search([(key, "in", list(wanted))])
        found = {row[key]: self._code(row) for row in rows}
        return {code: found.get(code) for code in wanted}

    @api.model
    def _book_code(self, oid, code):
        """The coded element of ``code`` in the book ``oid``; None when the book lacks it (or the clinic has no
        such book). Looked up in the books' shared cache: documents code the same few rows over and over."""
        if oid not in codes.BOOKS:
            return None
        Book = self.env[codes.BOOKS[oid][0]].sudo()
        key = codes.code_field(oid)
        row = Book._nsi_by_code(code) if key == "code" else Book.search([(key, "=", code)], limit=1)
        return self._code(row) if row else None

    # ------------------------------------------------------------------ payload

    @api.model
    def _payload(self, visit, edition, document):
        """Plain data for builder.build(); the visit's errors were checked first."""
        patient = visit.patient_id.sudo()
        employee = visit.employee_id.sudo()
        company = visit.company_id.sudo()
        tz_time = fields.Datetime.context_timestamp(visit.with_context(tz=company.clinic_tz), visit.date)
        end_time = fields.Datetime.context_timestamp(visit.with_context(tz=company.clinic_tz), document.create_date)
        values = self._source_values(visit)
        # entries coded in the book of entry codes; an edition gives the others' codes itself
        entries = {entry["code"] for entry in _walk_entries(edition["sections"]) if isinstance(entry["code"], str)}
        payload = {
            "ids": {"base": company.remd_mis_oid},
            "document": {
                "number": document.local_uid,
                "set_id": (document._first_version() or document).local_uid,
                "version": document.version,
                "time": _ts(end_time),
            },
            "codes": {
                "confidentiality": self._book_code("1.2.643.5.1.13.13.99.2.285", edition["confidentiality"]),
                "sections": self._book_codes("1.2.643.5.1.13.13.99.2.197", set(_walk_sections(edition["sections"]))),
                "entries": self._book_codes("1.2.643.5.1.13.13.99.2.166", entries),
            },
            "patient": self._patient(patient),
            "org": self._organization(company),
            "author": self._person(employee),
            "payment": self._payment(visit, document),
            "service": {
                "code": self._book_code("1.2.643.5.1.13.13.99.2.726", edition["service_event"]),
                "start": _ts(tz_time),
                "end": _ts(end_time),
                "form": self._code(visit.care_form_id),
                "type": self._code(visit.care_type_id),
                "condition": self._code(visit.care_setting_id),
            },
            "encounter": {
                "id": visit.name,
                "card_number": patient.medical_card_number or str(patient.id),
                "card_type": self._book_code("1.2.643.5.1.13.13.99.2.723", edition["encounter_card_type"]),
                "start": _ts(tz_time),
                "end": _ts(end_time),
            },
            "values": {
                source: self._code(value) if isinstance(value, models.BaseModel) else value
                for source, value in values.items()
                if value and source not in ("payment_source", "lab_results")
            },
            "vitals": {"time": _ts(tz_time), "items": self._vitals(visit)},
        }
        if "lab_results" in editions.sources(edition):
            payload["lab"] = self._lab(visit, company)
        if edition.get("performer_function"):
            payload["service"]["performer_function"] = self._book_code(
                codes.SIGNER_ROLE_OID, edition["performer_function"]
            )
        return payload

    @api.model
    def _lab(self, visit, company):
        """The visit's laboratory results as the builder's ``lab`` (see builder.py): samples grouped by biomaterial
        and time of taking, numbered under the visit; analysers by their model's name."""
        lines = visit.lab_result_ids
        specimens, analysers, results = {}, {}, []
        for line in lines:
            key = (line.specimen_id, line.sampled_at)
            if key not in specimens:
                specimens[key] = {
                    "id": f"{visit.name}-{len(specimens) + 1}",
                    "code": self._code(line.specimen_id.sudo()),
                    "time": _ts(
                        fields.Datetime.context_timestamp(visit.with_context(tz=company.clinic_tz), line.sampled_at)
                    ),
                }
            if line.analyser and line.analyser not in analysers:
                analysers[line.analyser] = {"id": str(len(analysers) + 1), "name": line.analyser}
            if line.value_type == "numeric":
                unit = line.unit_id.sudo()
                value = {
                    "type": "PQ",
                    "value": f"{line.value_numeric:g}",
                    "unit": unit.ucum,
                    "label": unit.short_name or unit.name,
                    "unit_code": self._code(unit),
                }
            else:
                value = {"type": "ST", "text": line.value_text}
            has_range = value["type"] == "PQ" and bool(line.range_low or line.range_high)
            results.append(
                {
                    "code": self._code(line.test_id.sudo()),
                    "time": _ts(
                        fields.Datetime.context_timestamp(visit.with_context(tz=company.clinic_tz), line.result_at)
                    ),
                    "value": value,
                    "range": has_range and {"low": f"{line.range_low:g}", "high": f"{line.range_high:g}"},
                    "interpretation": self._code(line.interpretation_id.sudo()) if line.interpretation_id else False,
                    "specimen": specimens[key]["id"],
                    "analyser": line.analyser and analysers[line.analyser]["id"],
                    "performer": str((line.performer_id or visit.employee_id).id),
                }
            )
        return {"specimens": list(specimens.values()), "analysers": list(analysers.values()), "results": results}

    @api.model
    def _vitals(self, visit):
        """{visit field: coded parameter, value, UCUM unit, coded unit} of the vitals measured at the visit."""
        measured = {field: visit[field] for field in codes.VITALS if visit[field]}
        units = self.env["clinic.nsi.unit"].sudo().search([("code", "in", [codes.VITALS[f][1] for f in measured])])
        units = {unit.code: unit for unit in units}
        vitals = {}
        for field, value in measured.items():
            parameter, unit_code = codes.VITALS[field]
            unit = units.get(unit_code)
            vitals[field] = {
                "code": self._book_code(codes.VITALS_OID, parameter),
                "value": f"{value:g}",
                "unit": unit.ucum if unit else None,
                "label": unit.short_name if unit else None,
                "unit_code": self._code(unit) if unit else None,
            }
        return vitals

    @api.model
    def _address(self, partner, with_type):
        address = {
            "line": ", ".join(
                part
                for part in (
                    partner.city or partner.addr_settlement,
                    partner.street or partner.addr_street,
                    partner.addr_house and f"д. {partner.addr_house}",
                    partner.addr_flat and f"кв. {partner.addr_flat}",
                )
                if part
            ),
            "region": self._code(partner.clinic_region_id),
            "postal_code": partner.zip,
            "aoguid": partner.fias_guid,
            "houseguid": partner.fias_house_guid,
        }
        if with_type:
            address["type"] = (
                self._code(partner.address_type_id)
                if partner.address_type_id
                else self._book_code("1.2.643.5.1.13.13.11.1504", codes.ACTUAL_ADDRESS)
            )
        return address

    @api.model
    def _patient(self, patient):
        document = patient.identity_document_ids.filtered("is_current")[:1] or patient.identity_document_ids[:1]
        policy = patient.insurance_policy_ids.filtered(lambda p: p.kind == "oms" and p.oms_policy_type_id)[:1]
        phone = patient.mobile or patient.phone
        return {
            "id": str(patient.id),
            "snils": "".join(ch for ch in patient.snils if ch.isdigit()),
            "family": patient.surname,
            "given": patient.first_name,
            "patronymic": patient.patronymic,
            "gender": self._book_code("1.2.643.5.1.13.13.11.1040", codes.GENDER_CODES[patient.gender]),
            "birth_date": patient.birth_date.strftime("%Y%m%d"),
            "phone": _phone(phone),
            "identity_doc": bool(document)
            and {
                "type": self._code(document.doc_type_id),
                "series": document.series,
                "number": document.number,
                "issuer": document.issuer,
                "issuer_code": document.division_code,
                "date": (document.issue_date or patient.birth_date).strftime("%Y%m%d"),
            },
            "policy": bool(policy)
            and {"type": self._code(policy.oms_policy_type_id), "series": False, "number": policy.number},
            "addresses": [self._address(patient, with_type=True)],
        }

    @api.model
    def _organization(self, company):
        return {
            "oid": company.frmo_oid,
            "name": company.name,
            "ogrn": company.ogrn,
            "licence": company.medical_license_number,
            "licence_issuer": company.medical_license_issuer or company.name,
            "phone": _phone(company.phone),
            "address": self._address(company.partner_id, with_type=False),
        }

    @api.model
    def _person(self, employee):
        return {
            "id": str(employee.id),
            "snils": "".join(ch for ch in employee.snils if ch.isdigit()),
            "family": employee.surname,
            "given": employee.first_name,
            "patronymic": employee.patronymic,
            "position": self._code(employee.position_id),
            "phone": _phone(employee.work_phone or employee.mobile_phone),
        }

    @api.model
    def _payment(self, visit, document):
        source_code, basis_code = codes.PAYMENT_SOURCES[visit.payment_source]
        date = fields.Datetime.context_timestamp(visit, visit.date).date()
        return {
            "source": self._book_code(codes.PAYMENT_SOURCE_OID, source_code),
            "basis": {
                "type": self._book_code("1.2.643.5.1.13.13.99.2.724", basis_code),
                "policy_type": False,
                "number": visit.name,
                "date_from": date.strftime("%Y%m%d"),
                "date_to": date.strftime("%Y%m%d"),
            },
        }

    # ------------------------------------------------------------------ building and validation

    @api.model
    def _build_and_validate(self, visit, edition, document):
        """(xml bytes, [(visit field, message)], validation milliseconds): the document and what is wrong with it."""
        unresolved = []
        edition = editions.resolve(edition, self._book_code, unresolved)
        payload = self._payload(visit, edition, document)
        missing = [*unresolved, *(path for path, value in _walk_payload(payload) if value is None)]
        if missing:
            return None, [("company_id", msg) for msg in self._missing_codes(missing)], 0.0
        xml = builder.build(edition, payload)
        started = time.perf_counter()
        errors = [
            *(
                ("xml", f"XSD: {message}")
                for _loc, message in validator.xsd_errors(editions.schema_path(edition, "xsd"), xml)
            ),
            *(
                ("xml", message)
                for _loc, message in validator.schematron_errors(editions.schema_path(edition, "schematron"), xml)
            ),
            *(("xml", message) for message in self._reference_errors(xml)),
        ]
        return xml, errors, (time.perf_counter() - started) * 1000

    @api.model
    def _missing_codes(self, paths):
        """Codes the document needs that the loaded reference books lack (a book not loaded, a retired code)."""
        return [
            self.env._("A reference book lacks the code %(path)s: load the FNSI books.", path=path) for path in paths
        ]

    @api.model
    def _reference_errors(self, xml):
        """Every coded element against its reference book: the code exists, is current and named as the book says."""
        errors = []
        elements = {}
        for element in etree.fromstring(xml).iter():
            oid = element.get("codeSystem")
            if oid in codes.BOOKS and element.get("code"):
                elements.setdefault(oid, []).append(element)
        rows = self._reference_rows({oid: {e.get("code") for e in coded} for oid, coded in elements.items()})
        for oid, coded in elements.items():
            for element in coded:
                row = rows.get((oid, element.get("code")))
                if not row or not row["active"]:
                    errors.append(
                        self.env._(
                            "Code %(code)s is not current in reference book %(oid)s.", code=element.get("code"), oid=oid
                        )
                    )
                elif row["name"] != element.get("displayName") or (row["version"] or "1.0") != element.get(
                    "codeSystemVersion"
                ):
                    errors.append(
                        self.env._(
                            "Code %(code)s of reference book %(oid)s does not carry the book's name and version.",
                            code=element.get("code"),
                            oid=oid,
                        )
                    )
        return errors

    @api.model
    def _reference_rows(self, wanted):
        """{(book OID, code): row} of the wanted codes of several books, archived rows included, in one query."""
        parts = [
            SQL(
                "SELECT %s AS oid, %s AS code, name, version, active FROM %s WHERE %s IN %s",
                oid,
                SQL.identifier(codes.code_field(oid)),
                SQL.identifier(self.env[codes.BOOKS[oid][0]]._table),
                SQL.identifier(codes.code_field(oid)),
                tuple(book_codes),
            )
            for oid, book_codes in wanted.items()
        ]
        if not parts:
            return {}
        self.env.flush_all()
        self.env.cr.execute(SQL(" UNION ALL ").join(parts))
        return {(row["oid"], row["code"]): row for row in self.env.cr.dictfetchall()}

    @api.model
    def _checksum(self, xml):
        """The numeric checksum REMD compares the fetched file with (CRC32 of the bytes)."""
        return str(zlib.crc32(xml))


def _ts(moment):
    """HL7 TS with minutes and the clinic's UTC offset: 202612071030+0500."""
    return moment.strftime("%Y%m%d%H%M%z")


def _phone(number):
    digits = "".join(ch for ch in number or "" if ch.isdigit())
    return f"+{digits}" if digits else False


def _walk_sections(sections):
    for section in sections:
        yield section["code"]
        yield from _walk_sections(section.get("sections", ()))


def _walk_entries(sections):
    for section in sections:
        yield from section.get("entries", ())
        yield from _walk_entries(section.get("sections", ()))


def _walk_payload(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk_payload(item, f"{path}/{key}")
    elif isinstance(value, list):
        for number, item in enumerate(value, start=1):
            yield from _walk_payload(item, f"{path}/{number}")
    else:
        yield path, value
