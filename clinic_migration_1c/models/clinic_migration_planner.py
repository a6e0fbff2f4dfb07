"""What an import of a 1C 7.7 base will do, worked out before anything is written.

The plan reads the upload through the mapping, normalizes every value, finds the
duplicates inside the export (``tools.dedupe``) and against the patients already in
Odoo (``clinic.duplicate.engine.match_row``), and compares each row with its link
from an earlier import. The dry run shows the plan; the real run executes it in batches.
"""

import hashlib
import json
import re
from collections import Counter, defaultdict, namedtuple
from datetime import datetime, time

import pytz
from markupsafe import Markup

from odoo import api, fields, models

from odoo.addons.clinic_base.tools import dedupe, names

from ..tools import values as parse
from ..tools.dd import table_number

RowRef = namedtuple("RowRef", "table id code label")
MARK_VALUES = frozenset({"*", "1", "T", "Y", "TRUE", "Д"})
NOMENCLATURE_RE = re.compile(r"^[AB]\d{2}\.\d{2,3}\.\d{3}(\.\d{3})?$", re.IGNORECASE)
SAMPLE_SIZE = 5
ISSUE_CHUNK = 20000
# Counter and sample names of what a row's link says.
ACTION_COUNTS = {"create": "new", "update": "updated", "unchanged": "unchanged"}
SUMMARY_ROW = "<tr><td>%s</td><td class='text-end'>%s</td><td class='text-muted small'>%s</td></tr>"
DEFAULT_DURATION = 30
MAX_DURATION = 12 * 60
# A card's address is one block: completing a card never mixes the parts of two addresses.
ADDRESS_FIELDS = ("zip", "city", "street", "addr_district", "addr_settlement", "addr_street", "addr_house",
                  "addr_building", "addr_flat", "kladr_code", "address_verified", "clinic_region_id")  # fmt: skip


def payload_hash(values):
    """Fingerprint of the mapped values of a row: a newer export with other values gives another one."""
    return hashlib.sha1(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _key(source_id):
    """IDs are compared without their padding: CSV exports often lose 1C's leading spaces."""
    return (source_id or "").strip()


class Plan:
    """Counters, samples, report lines and the items each batch will write.

    Documents and report lines can be many: with a ``document_sink`` / ``issue_sink`` they are handed
    over in chunks as they come instead of being kept; without a document sink (a dry run) documents
    are only counted.
    """

    def __init__(self, source_db_uid, today, tz, document_sink=None, issue_sink=None, document_chunk=4000):
        self.uid, self.today, self.tz = source_db_uid, today, tz
        self.document_sink, self.issue_sink, self.document_chunk = document_sink, issue_sink, document_chunk
        self.counts = Counter()
        self.samples = defaultdict(list)
        self.issues = []
        self.folders, self.services, self.patients, self.documents = [], [], [], []
        # 1C ID (without padding) -> raw ID of the clients / services that are or will be in Odoo,
        # and -> the reason of those that will not.
        self.clients, self.refused_clients = {}, {}
        self.services_known, self.refused_services = {}, {}
        self.clients_with_documents = {}

    def add_issue(self, ref, kind, reason, field="", before="", after=""):
        self.issues.append(
            (ref.table, ref.id, ref.code, (ref.label or "")[:250], kind, field, str(before or "")[:500],
             str(after or "")[:500], reason)
        )  # fmt: skip
        if self.issue_sink and len(self.issues) >= ISSUE_CHUNK:
            self.issue_sink(self.issues)
            self.issues = []

    def add_document(self, item):
        if self.document_sink is None:
            return
        self.documents.append(item)
        if len(self.documents) >= self.document_chunk:
            self.document_sink(self.documents)
            self.documents = []

    def close(self):
        """Hand the last documents and report lines to the sinks."""
        if self.document_sink and self.documents:
            self.document_sink(self.documents)
            self.documents = []
        if self.issue_sink and self.issues:
            self.issue_sink(self.issues)
            self.issues = []

    def add_issues(self, ref, issues):
        """Report lines of one row, each as (kind, field, value before, value after, reason)."""
        for kind, field, before, after, reason in issues:
            self.add_issue(ref, kind, reason, field, before, after)

    def sample(self, key, ref, detail=""):
        if len(self.samples[key]) < SAMPLE_SIZE:
            text = f"{ref.label} (1C {_key(ref.id)})"
            self.samples[key].append(f"{text}: {detail}" if detail else text)


class ExistingPatients:
    """The keys match_row searches on, for all patients in Odoo: only rows sharing one are worth a query."""

    def __init__(self, cr):
        cr.execute(
            "SELECT snils, birth_date, surname_key, first_name_key, patronymic_key, name_key FROM res_partner "
            "WHERE is_patient AND active"
        )
        self.snils, self.names, self.name_keys = set(), set(), set()
        for snils, birth, *keys, name_key in cr.fetchall():
            if snils:
                self.snils.add(snils)
            if birth:
                self.names.update((birth, key) for key in keys if key)
            if name_key:
                self.name_keys.add(name_key)
        cr.execute(
            "SELECT DISTINCT ph.number FROM clinic_partner_phone ph JOIN res_partner p ON p.id = ph.partner_id "
            "WHERE p.is_patient AND p.active"
        )
        self.phones = {number for (number,) in cr.fetchall()}

    def may_match(self, row):
        birth = row["birth_date"]
        keys = [row["surname"], row["first_name"], row.get("patronymic") or ""]
        births = [birth, birth.replace(day=birth.month, month=birth.day)] if birth and birth.day <= 12 else [birth]
        return (
            (row["snils"] and row["snils"] in self.snils)
            or (birth and any((b, key) in self.names for b in births for key in keys if key))
            or " ".join(sorted(key for key in keys if key)) in self.name_keys
            or bool(row["phones"] & self.phones)
        )


class ClinicMigrationPlanner(models.AbstractModel):
    _name = "clinic.migration.planner"
    _description = "1C import planning"

    # ------------------------------------------------------------------ texts

    @api.model
    def _reason_texts(self):
        _ = self.env._
        return {
            "no_id": _("The row has no 1C ID."),
            "no_name": _("No surname or first name: no card can be made."),
            "name_tidied": _("Case, spaces, hyphens or Latin look-alike letters fixed."),
            "name_cut": _("The name fills all %(width)s characters of its 1C column: it may be cut."),
            "no_such_date": _("no such date"),
            "impossible_date": _("in the future or before 1900"),
            "not_a_date": _("not a date"),
            "not_a_number": _("not a number"),
            "snils_length": _("a SNILS has 11 digits"),
            "snils_checksum": _("the SNILS control number does not match"),
            "snils_taken": _("this SNILS is already on another card (%(card)s)"),
            "inn_invalid": _("not a valid INN of a person"),
            "email_invalid": _("not an e-mail address"),
            "phone_no_area_code": _("a city number without its area code"),
            "phone_invalid": _("not a valid phone number"),
            "phone_foreign": _("a number of %(country)s, not of Russia: kept, check it"),
            "kept": _("Kept as typed: %(reason)s."),
            "phone_normalized": _("Brought to the international format."),
            "address_matched": _("Found in the KLADR classifier (code %(code)s)."),
            "address_unmatched": _("Not found in the KLADR classifier: kept as typed, not verified."),
            "marked": _("Marked for deletion in 1C: not imported."),
            "deleted": _("Deleted in the DBF file (flag *): never imported."),
            "marked_archived": _("Marked for deletion in 1C: imported as archived."),
            "marked_no_documents": _("Marked for deletion in 1C and has no documents: not imported."),
            "marked_with_documents": _(
                "Marked for deletion in 1C but has service documents: imported as archived with its history."
            ),
            "junk_no_letters": _("«%(name)s» has no letters: not a person's name."),
            "junk_test_row": _("«%(name)s» is a test row, not a patient."),
            "junk_service_note": _("«%(name)s» is a note of the front desk, not a person's name."),
            "junk_one_word": _(
                "«%(name)s» is one word with no birth date, phone or SNILS: it cannot be told apart from anyone."
            ),
            "junk_note": _("Note in brackets: «%(note)s»."),
            "relative_note": _(
                "The note «%(note)s» names a relative: link the relative on the patient card after checking who it is."
            ),
            "review_pair": _(
                "Maybe the same person as %(others)s: %(reasons)s. Decide on the Possible duplicates screen."
            ),
            "review_existing": _("Maybe the same person as card %(card)s already in Odoo: %(reasons)s."),
            "merged_into": _("Same person as %(master)s (1C %(id)s): %(reasons)s."),
            "matched": _("Same person as card %(card)s already in Odoo: %(reasons)s."),
            "updated": _("Changed in 1C since the last import."),
            "client_unknown": _("Client %(id)s is not in table %(table)s."),
            "client_refused": _("Its client %(id)s is not imported: %(reason)s"),
            "service_unknown": _("Service %(id)s is not in table %(table)s."),
            "service_refused": _("Its service %(id)s is not imported: %(reason)s"),
            "not_in_journal": _("The document is not in the journal %(table)s."),
            "no_date": _("The document has no readable date («%(value)s»)."),
            "no_lines": _("The document has no lines."),
            "bad_quantity": _("Line %(line)s: quantity «%(value)s» is not above zero."),
            "bad_price": _("Line %(line)s: price «%(value)s» is not a price."),
            "bad_discount": _("Line %(line)s: discount «%(value)s» is not a percentage from 0 to 100."),
            "payment_date": _("Payment date «%(value)s» is not usable (%(reason)s): the document date is taken."),
            "total_differs": _("The document total %(total)s differs from the sum of its lines %(lines)s."),
            "no_service_name": _("The service has no name."),
            "code_unknown": _("Code %(code)s is not in the nomenclature of medical services (order 804n)."),
            "code_mapped": _("Mapped to the nomenclature of medical services."),
            "duration_invalid": _("«%(value)s» is not 1 to 720 minutes: %(default)s minutes taken."),
            "document_label": _("No. %(number)s of %(date)s"),
            "remark": _("%(field)s: «%(value)s» (%(reason)s)"),
            "address_remark": _("Address as typed in 1C: «%(value)s»"),
        }

    @api.model
    def _field_labels(self):
        _ = self.env._
        return {
            "name": _("Full name"),
            "birth_date": _("Birth date"),
            "snils": _("SNILS"),
            "inn": _("INN"),
            "email": _("E-mail"),
            "phone": _("Phone"),
            "address": _("Address"),
            "price": _("Price"),
            "code": _("Nomenclature code"),
            "duration": _("Duration"),
            "payment_date": _("Payment date"),
            "total": _("Document total"),
        }

    @api.model
    def _summary_sections(self):
        _ = self.env._
        return [
            (_("Patients"), [
                ("patient.new", _("New cards")),
                ("patient.merged", _("Duplicates inside the export, merged into another card")),
                ("patient.matched", _("Matched to patients already in Odoo")),
                ("patient.updated", _("Changed since the last import")),
                ("patient.unchanged", _("Unchanged since the last import")),
                ("patient.review", _("Possible duplicates left for a person to decide")),
                ("patient.rejected", _("Rejected")),
                ("patient.skipped", _("Marked for deletion in 1C, not imported")),
                ("patient.deleted", _("Deleted in the DBF file, not imported")),
                ("patient.folders", _("Groups, imported as patient tags")),
            ]),
            (_("Services"), [
                ("service.new", _("New services")),
                ("service.updated", _("Changed since the last import")),
                ("service.unchanged", _("Unchanged since the last import")),
                ("service.rejected", _("Rejected")),
                ("service.skipped", _("Marked for deletion in 1C, not imported")),
                ("service.deleted", _("Deleted in the DBF file, not imported")),
                ("service.folders", _("Groups, imported as service categories")),
            ]),
            (_("Service documents"), [
                ("document.new", _("New historical visits")),
                ("document.updated", _("Changed since the last import")),
                ("document.unchanged", _("Unchanged since the last import")),
                ("document.rejected", _("Rejected")),
                ("document.skipped", _("Marked for deletion in 1C, not imported")),
                ("document.deleted", _("Deleted in the DBF file, not imported")),
                ("document.lines", _("Service lines")),
                ("document.payments", _("Payments")),
            ]),
        ]  # fmt: skip

    @api.model
    def _summary_html(self, counts, samples):
        """The counts of a plan, with a few examples of each, as the dry run and the import show them."""
        html = Markup()
        for title, rows in self._summary_sections():
            body = Markup()
            for key, label in rows:
                examples = samples.get(key) or []
                listed = Markup("<br/>").join(examples) if examples else ""
                body += Markup(
                    "<tr><td>%s</td><td class='text-end'>%s</td><td class='text-muted small'>%s</td></tr>"
                ) % (label, counts.get(key, 0), listed)
            html += Markup("<h5>%s</h5><table class='table table-sm o_clinic_migration_summary'>%s</table>") % (
                title,
                body,
            )
        return html

    # ------------------------------------------------------------------ entry point

    @api.model
    def _plan_upload(self, upload, mapping, options, **sinks):
        """Load the upload's KLADR files (unless loaded before), then plan; returns (plan, KLADR load or empty)."""
        Load = self.env["clinic.migration.kladr.load"]
        load = Load
        if upload.kladr_files:
            load = self.env["clinic.kladr.object"]._load_kladr_files(upload.kladr_files)[0]
        options = dict(options, type_words=load.type_words or Load._latest_type_words())
        return self._plan(upload, mapping, options, **sinks), load

    @api.model
    def _plan(self, upload, mapping, options, **sinks):
        """The Plan of importing ``upload`` through ``mapping``.

        ``options``: ``marked_policy`` (skip / archive), ``default_area_code``, ``tz`` (of the 1C base),
        ``type_words`` (address type words from SOCRBASE). ``sinks``: see Plan.
        """
        resolved = mapping._resolve(upload)
        today = fields.Date.context_today(self)
        plan = Plan(mapping.source_db_uid, today, options.get("tz") or self.env.company.clinic_tz, **sinks)
        plan.texts, plan.labels = self._reason_texts(), self._field_labels()
        plan.patient_table = resolved["patient"]["table"].name
        plan.service_table = resolved["service"]["table"].name if resolved["service"]["table"] else ""
        periodic = self._periodic_values(upload, mapping, resolved)
        if resolved["service"]["table"]:
            self._plan_services(plan, resolved["service"], periodic)
        if resolved["document"]["table"]:
            plan.clients_with_documents = self._clients_with_documents(resolved, plan.today)
        self._plan_patients(plan, resolved["patient"], periodic, options)
        if resolved["document"]["table"]:
            self._plan_documents(plan, resolved)
        plan.close()
        return plan

    # ------------------------------------------------------------------ reading rows

    @api.model
    def _periodic_values(self, upload, mapping, resolved):
        """{(object ID, attribute number): latest value} of the periodic attributes the mapping reads (1SCONST)."""
        wanted = {number for spec in resolved.values() for ids in spec["periodic"].values() for number in ids}
        table = upload.table(mapping.constant_table)
        if not wanted or not table:
            return {}
        columns = {name: table.column(name) for name in ("OBJID", "ID", "DATE", "VALUE")}
        latest, today = {}, fields.Date.context_today(self)
        for _number, row in self.env["clinic.migration.source"]._rows(table):
            number, _reason = parse.parse_number(row.get(columns["ID"]))
            if number is None or int(number) not in wanted:
                continue
            when, _reason = parse.parse_date(row.get(columns["DATE"]), today)
            key = (_key(row.get(columns["OBJID"])), int(number))
            stamp = when.isoformat() if when else ""
            if key not in latest or stamp >= latest[key][0]:
                latest[key] = (stamp, row.get(columns["VALUE"], "").strip())
        return {key: value for key, (_stamp, value) in latest.items()}

    @api.model
    def _row_values(self, row, spec, periodic):
        """{target: text} of one row; several columns of one target (phones) are joined with «; »."""
        values = {}
        for target, columns in spec["columns"].items():
            texts = [row.get(column) or "" for column in columns]
            values[target] = "; ".join(t for t in texts if t.strip()) if len(texts) > 1 else texts[0]
        objid = _key(values.get("id"))
        for target, numbers in spec["periodic"].items():
            found = [periodic.get((objid, number), "") for number in numbers]
            values[target] = "; ".join(v for v in found if v) if len(found) > 1 else found[0]
        return values

    @api.model
    def _catalog_rows(self, plan, entity, spec, periodic):
        """Yield (ref, values) of a catalogue's elements; its folders (groups) are planned here, at the end."""
        table = spec["table"]
        self._report_deleted(plan, entity, spec, periodic)
        folders = {}
        for _number, row in self.env["clinic.migration.source"]._rows(table):
            values = self._row_values(row, spec, periodic)
            label = (
                values.get("full_name")
                or values.get("name")
                or " ".join(values.get(part, "") for part in ("surname", "first_name", "patronymic"))
            )
            ref = RowRef(table.name, values.get("id", ""), (values.get("code") or "").strip(), " ".join(label.split()))
            if not _key(ref.id):
                plan.counts[f"{entity}.rejected"] += 1
                plan.add_issue(ref, "rejected", plan.texts["no_id"])
                continue
            if (values.get("is_folder") or "").strip() == "1":
                folders[ref.id] = (ref, values)
                continue
            yield ref, values
        self._plan_folders(plan, entity, table, folders)

    @api.model
    def _report_deleted(self, plan, entity, spec, periodic):
        """Rows deleted in the DBF file itself are never imported, but counted and listed in the report."""
        for _number, row in self.env["clinic.migration.source"]._rows(spec["table"], deleted=True):
            values = self._row_values(row, spec, periodic)
            label = values.get("full_name") or values.get("name") or _key(values.get("id"))
            ref = RowRef(spec["table"].name, values.get("id", ""), (values.get("code") or "").strip(), label.strip())
            plan.counts[f"{entity}.deleted"] += 1
            plan.sample(f"{entity}.deleted", ref)
            plan.add_issue(ref, "skipped", plan.texts["deleted"])

    @api.model
    def _link_state(self, links, model, source_id, digest):
        """(action, Odoo id): create, update or unchanged, from the row's link of an earlier import."""
        link = links.get(source_id)
        if not link or link[0] != model or link[1] not in links["__alive__"]:
            return "create", False
        return ("unchanged" if link[2] == digest else "update"), link[1]

    @api.model
    def _links(self, plan, table, model):
        links = self.env["clinic.migration.link"]._read_links(plan.uid, table)
        ids = {link[1] for link in links.values() if link[0] == model}
        links["__alive__"] = set(self.env[model].browse(ids).exists().ids) if ids else set()
        return links

    # ------------------------------------------------------------------ folders

    @api.model
    def _plan_folders(self, plan, entity, table, folders):
        """Groups of a catalogue become categories (patient tags, service categories), parents first."""
        model = "res.partner.category" if entity == "patient" else "product.category"
        links = self._links(plan, table.name, model)

        def depth(source_id, seen=()):
            parent = folders.get(source_id, (None, {}))[1].get("parent", "")
            return 0 if parent not in folders or parent in seen else 1 + depth(parent, (*seen, source_id))

        for source_id in sorted(folders, key=depth):
            ref, values = folders[source_id]
            digest = payload_hash(values)
            action, target = self._link_state(links, model, ref.id, digest)
            plan.counts[f"{entity}.folders"] += 1
            if action != "unchanged":
                plan.folders.append({
                    "entity": entity, "model": model, "action": action, "target": target, "name": ref.label or ref.id,
                    "parent": values.get("parent", ""), "members": [[ref.table, ref.id, _verstamp(values), digest]],
                })  # fmt: skip

    # ------------------------------------------------------------------ services

    @api.model
    def _plan_services(self, plan, spec, periodic):
        table = spec["table"]
        links = self._links(plan, table.name, "product.template")
        codes = {
            row["code"].upper(): row["id"]
            for row in self.env["clinic.nsi.service.code"].with_context(active_test=False).search_read([], ["code"])
        }
        for ref, values in self._catalog_rows(plan, "service", spec, periodic):
            key = _key(ref.id)
            if (values.get("mark") or "").strip().upper() in MARK_VALUES:
                self._refuse(plan, "service", ref, "skipped", plan.texts["marked"])
                plan.refused_services[key] = plan.texts["marked"]
                continue
            item = self._service_item(plan, ref, values, codes)
            if not item:
                continue
            digest = payload_hash(values)
            item["action"], item["target"] = self._link_state(links, "product.template", ref.id, digest)
            item["members"] = [[ref.table, ref.id, _verstamp(values), digest]]
            plan.services_known[key] = ref.id
            counted = ACTION_COUNTS[item["action"]]
            plan.counts[f"service.{counted}"] += 1
            if item["action"] != "unchanged":
                plan.sample(f"service.{counted}", ref)
                plan.services.append(item)
                plan.add_issues(ref, item.pop("issues"))
        for source_id, link in links.items():
            if source_id != "__alive__" and link[1] in links["__alive__"]:
                plan.services_known.setdefault(_key(source_id), source_id)

    @api.model
    def _service_item(self, plan, ref, values, codes):
        texts, issues = plan.texts, []
        name = " ".join((values.get("name") or "").split())
        if not name:
            self._refuse(plan, "service", ref, "rejected", texts["no_service_name"])
            plan.refused_services[_key(ref.id)] = texts["no_service_name"]
            return None
        price, reason = parse.parse_number(values.get("price"))
        if reason:
            issues.append(self._kept(plan, "price", values.get("price"), texts[reason]))
        code = (values.get("code") or "").strip()
        nomenclature = (values.get("nomenclature_code") or "").strip().upper()
        if not nomenclature and NOMENCLATURE_RE.match(code):
            nomenclature = code.upper()
        code_id = codes.get(nomenclature)
        if nomenclature and not code_id:
            issues.append(
                ("flagged", plan.labels["code"], nomenclature, "", texts["code_unknown"] % {"code": nomenclature})
            )
        elif code_id and nomenclature != code.upper():
            issues.append(("normalized", plan.labels["code"], code, nomenclature, texts["code_mapped"]))
        duration, reason = parse.parse_number(values.get("duration"))
        if values.get("duration") and (reason or not duration or not 0 < duration <= MAX_DURATION):
            issues.append(
                (
                    "flagged",
                    plan.labels["duration"],
                    values.get("duration"),
                    DEFAULT_DURATION,
                    texts["duration_invalid"] % {"value": values.get("duration"), "default": DEFAULT_DURATION},
                )
            )
            duration = None
        return {
            "label": name,
            "parent": values.get("parent", ""),
            "issues": issues,
            "values": {
                "name": name,
                "is_medical_service": True,
                "type": "service",
                "purchase_ok": False,
                "list_price": price or 0.0,
                "default_code": code or False,
                "service_code_id": code_id or False,
                "duration_minutes": int(duration or DEFAULT_DURATION),
            },
        }

    # ------------------------------------------------------------------ patients

    @api.model
    def _plan_patients(self, plan, spec, periodic, options):
        table = spec["table"]
        links = self._links(plan, table.name, "res.partner")
        context = {
            "options": options,
            "parser": parse.AddressParser(options.get("type_words")),
            "addresses": {},
            "regions": {r.code: r.id for r in self.env["clinic.nsi.region"].with_context(active_test=False).search([])},
            "full_width": table.lengths.get(spec["columns"].get("full_name", [""])[0], 0),
            "country": self.env.ref("base.ru").id,
        }
        new, changed = [], []
        policy = options.get("marked_policy") or "documents"
        for ref, values in self._catalog_rows(plan, "patient", spec, periodic):
            key = _key(ref.id)
            marked = (values.get("mark") or "").strip().upper() in MARK_VALUES
            if marked and (policy == "skip" or (policy == "documents" and key not in plan.clients_with_documents)):
                reason = plan.texts["marked" if policy == "skip" else "marked_no_documents"]
                self._refuse(plan, "patient", ref, "skipped", reason)
                plan.refused_clients[key] = reason
                continue
            card = self._patient_card(plan, ref, values, context)
            if not card:
                continue
            if marked:
                card["values"]["active"] = False
                reason = plan.texts["marked_archived" if policy == "archive" else "marked_with_documents"]
                card["issues"].append(("skipped", "", "", "", reason))
            action, target = self._link_state(links, "res.partner", ref.id, card["hash"])
            plan.clients[key] = ref.id
            if action == "unchanged":
                plan.counts["patient.unchanged"] += 1
                continue
            card["target"] = target
            (changed if action == "update" else new).append(card)
        for source_id, link in links.items():
            if source_id != "__alive__" and link[1] in links["__alive__"]:
                plan.clients.setdefault(_key(source_id), source_id)
        for card in changed:
            self._add_patient_item(plan, "update", card["target"], [card], "")
        self._plan_new_patients(plan, new)
        self._check_snils(plan)

    @api.model
    def _clients_with_documents(self, resolved, today):
        """{1C ID: days of its documents} of the clients that service documents refer to: their history must not
        be dropped, and a birth date equal to one of those days is a visit date typed in the wrong field."""
        header, journal_spec = resolved["document"], resolved["journal"]
        if "client" not in header["columns"]:
            return {}
        source = self.env["clinic.migration.source"]
        dates = None  # {document ID: date as typed} from the journal, when the journal is a table of its own
        if journal_spec["table"] and journal_spec["table"] is not header["table"]:
            kind, dates = table_number(header["table"].name), {}
            for _number, row in source._rows(journal_spec["table"]):
                values = self._row_values(row, journal_spec, {})
                doc_type = (values.get("doc_type") or "").strip()
                if not doc_type or _same_kind(doc_type, kind):
                    dates[_key(values.get("document"))] = values.get("date")
        days = defaultdict(set)
        for _number, row in source._rows(header["table"]):
            values = self._row_values(row, header, {})
            typed = (
                self._row_values(row, journal_spec, {}).get("date")
                if dates is None
                else dates.get(_key(values.get("id")))
            )
            day = parse.parse_date(typed, today)[0]
            days[_key(values.get("client"))].update([day] if day else [])
        return days

    @api.model
    def _refuse(self, plan, entity, ref, kind, reason):
        plan.counts[f"{entity}.{kind}"] += 1
        plan.sample(f"{entity}.{kind}", ref, reason)
        plan.add_issue(ref, kind, reason)

    @api.model
    def _kept(self, plan, field, value, reason):
        """A report line for a value that could not be normalized and is kept as typed."""
        return ("flagged", plan.labels[field], value, "", plan.texts["kept"] % {"reason": reason})

    @api.model
    def _patient_card(self, plan, ref, values, context):
        """The normalized card of one 1C client, or None when it is rejected."""
        texts, issues, remarks = plan.texts, [], []

        def keep(field, value, reason):
            issues.append(self._kept(plan, field, value, reason))
            remarks.append(texts["remark"] % {"field": plan.labels[field], "value": value, "reason": reason})

        full, note = names.split_note(values.get("full_name") or "")
        notes = [note] if note else []
        parts = []
        for part in ("surname", "first_name", "patronymic"):
            text, note = names.split_note(values.get(part) or "")
            parts.append(text)
            notes += [note] if note else []
        surname, first, patronymic = parse.person_name(full, *parts)
        reason = None if surname or first else texts["no_name"]
        typed_name = " ".join((values.get("full_name") or " ".join(parts)).split())
        has_other = any((values.get(field) or "").strip() for field in ("birth_date", "phone", "snils"))
        junk = reason or names.junk_reason(surname, first, patronymic, has_other)
        if junk:
            reason = reason or texts[f"junk_{junk}"] % {"name": typed_name}
            if notes:
                reason += " " + texts["junk_note"] % {"note": "; ".join(notes)}
            self._refuse(plan, "patient", ref, "rejected", reason)
            plan.refused_clients[_key(ref.id)] = reason
            return None
        shown = names.full_name(surname, first, patronymic)
        # As typed, double spaces included: fixing them is a change the report shows.
        typed = full or " ".join(values.get(part) or "" for part in ("surname", "first_name", "patronymic")).strip()
        if typed != shown:
            issues.append(("normalized", plan.labels["name"], typed, shown, texts["name_tidied"]))
        if full and not values.get("surname") and context["full_width"] and len(full) >= context["full_width"]:
            issues.append(("flagged", plan.labels["name"], full, shown, texts["name_cut"] % {"width": len(full)}))
        birth, reason = parse.parse_date(values.get("birth_date"), plan.today)
        if reason:
            keep("birth_date", values.get("birth_date"), texts[reason])
        for note in notes:
            remarks.append(texts["junk_note"] % {"note": note})
            if names.kinship_in(note):
                issues.append(("review", plan.labels["name"], note, "", texts["relative_note"] % {"note": note}))
        card_values = {
            "surname": surname, "first_name": first, "patronymic": patronymic,
            "birth_date": birth.isoformat() if birth else False,
            "gender": parse.parse_gender(values.get("gender"), patronymic) or False,
            "ref": ref.code or False, "comment": (values.get("note") or "").strip() or False,
        }  # fmt: skip
        for field, parser in (("snils", parse.snils), ("inn", parse.inn), ("email", parse.email)):
            card_values[field], reason = parser(values.get(field))
            card_values[field] = card_values[field] or False
            if reason:
                keep(field, values.get(field), texts[reason])
        phones = self._phone_lines(plan, values.get("phone"), context["options"], issues, keep)
        card_values.update(self._address_values(plan, values.get("address"), context, issues, remarks))
        card_values = {field: value for field, value in card_values.items() if value or field == "active"}
        row = {
            "surname": names.fold(surname), "first_name": names.fold(first), "patronymic": names.fold(patronymic),
            "birth_date": birth, "snils": card_values.get("snils", ""), "phones": {p["number"] for p in phones},
            "seen": plan.clients_with_documents.get(_key(ref.id), set()),
        }  # fmt: skip
        return {
            "ref": ref, "hash": payload_hash(values), "verstamp": _verstamp(values), "values": card_values,
            "phones": phones, "remarks": remarks, "issues": issues, "row": row, "parents": [values.get("parent", "")],
            "completeness": len(card_values) + len(phones),
        }  # fmt: skip

    @api.model
    def _phone_lines(self, plan, cell, options, issues, keep):
        texts = plan.texts
        lines, problems = parse.phones(cell, options.get("default_area_code") or "")
        for line in lines:
            shown = line["number"] + (f" доб. {line['extension']}" if line["extension"] else "")
            if line["raw_input"] != line["number"]:
                issues.append(("normalized", plan.labels["phone"], line["raw_input"], shown, texts["phone_normalized"]))
        for piece, reason, country in problems:
            if reason == "phone_foreign":
                issues.append(("flagged", plan.labels["phone"], piece, "", texts[reason] % {"country": country}))
            else:
                keep("phone", piece, texts[reason])
        return lines

    @api.model
    def _address_values(self, plan, raw, context, issues, remarks):
        """Address parts, matched offline against the loaded KLADR; unmatched ones are kept and not verified."""
        raw = " ".join((raw or "").split())
        if not raw:
            return {}
        parts, leftovers = context["parser"].parse(raw)
        place = parts.get("city") or parts.get("settlement")
        key = tuple(names.fold(v) for v in (parts.get("region"), place, parts.get("street")))
        if key not in context["addresses"]:
            found = self.env["clinic.kladr.object"].match_address(parts.get("region"), place, parts.get("street"))
            context["addresses"][key] = (found.code, found.postcode) if found else None
        match = context["addresses"][key]
        vals = {
            "zip": parts.get("zip"), "city": parts.get("city"), "addr_district": parts.get("district"),
            "addr_settlement": parts.get("settlement"), "addr_street": parts.get("street"),
            "addr_house": parts.get("house"), "addr_building": parts.get("building"), "addr_flat": parts.get("flat"),
            "country_id": context["country"],
        }  # fmt: skip
        if match and not leftovers:
            vals.update(kladr_code=match[0], address_verified=True, zip=vals["zip"] or match[1],
                        clinic_region_id=context["regions"].get(match[0][:2]))  # fmt: skip
            shown = ", ".join(str(v) for k, v in vals.items() if v and k not in ("country_id", "clinic_region_id",
                                                                                 "address_verified"))  # fmt: skip
            issues.append(("normalized", plan.labels["address"], raw, shown,
                           plan.texts["address_matched"] % {"code": match[0]}))  # fmt: skip
        else:
            vals["street"] = False if vals["addr_street"] else raw
            issues.append(("flagged", plan.labels["address"], raw, "", plan.texts["address_unmatched"]))
            remarks.append(plan.texts["address_remark"] % {"value": raw})
        return vals

    @api.model
    def _plan_new_patients(self, plan, cards):
        """Duplicates inside the export become one card; a card that is a patient already in Odoo joins it."""
        rows = [dict(card["row"], id=index) for index, card in enumerate(cards)]
        engine = self.env["clinic.duplicate.engine"]
        groups, grouped = [], set()
        for cluster in dedupe.clusters(rows):
            if cluster["auto"]:
                groups.append((cluster["ids"], engine._labels_of(cluster["reasons"])))
                grouped.update(cluster["ids"])
            else:
                plan.counts["patient.review"] += len(cluster["ids"])
                reasons = engine._labels_of(cluster["reasons"])
                for index in cluster["ids"]:
                    plan.sample("patient.review", cards[index]["ref"], reasons)
                    others = ", ".join(
                        f"{cards[other]['ref'].label} (1C {_key(cards[other]['ref'].id)})"
                        for other in cluster["ids"]
                        if other != index
                    )
                    cards[index]["issues"].append(
                        ("review", "", "", "", plan.texts["review_pair"] % {"others": others, "reasons": reasons})
                    )
        groups += [([index], "") for index in range(len(cards)) if index not in grouped]
        groups.sort(key=lambda group: group[0][0])
        existing = ExistingPatients(self.env.cr)
        for ids, reasons in groups:
            members = [cards[index] for index in ids]
            match = self._match_existing(engine, existing, members, plan.texts)
            if match:
                self._add_patient_item(plan, "attach", match["id"], members, "", match)
            else:
                self._add_patient_item(plan, "create", False, members, reasons)
            for index in ids:
                cards[index] = None  # its item holds what is left of it

    @api.model
    def _match_existing(self, engine, existing, members, texts):
        """The patient in Odoo that is, with merge-safe confidence, the person of these cards."""
        best, doubts = None, []
        for card in members:
            if not existing.may_match(card["row"]):
                continue
            for match in engine.match_row(card["row"]):
                if match["score"] >= dedupe.AUTO_SCORE and (not best or match["score"] > best["score"]):
                    best = match
                elif match["score"] >= dedupe.REVIEW_SCORE:
                    doubts.append((card, match))
        if not best:
            for card, match in doubts:
                reason = texts["review_existing"] % {
                    "card": match["name"],
                    "reasons": ", ".join(match["reason_labels"]),
                }
                card["issues"].append(("review", "", "", "", reason))
        return best

    @api.model
    def _add_patient_item(self, plan, action, target, members, reasons, match=None):
        """One card to write: the most complete of the members, completed by the others."""
        texts = plan.texts
        # A birth date that is only the day of one of the client's documents does not make a card more complete.
        master = max(
            members,
            key=lambda card: (
                card["completeness"] - (dedupe.birth_of(card["row"]) != card["row"]["birth_date"]),
                -members.index(card),
            ),
        )
        values, phones, remarks, parents = dict(master["values"]), list(master["phones"]), [], []
        has_address = any(field in values for field in ADDRESS_FIELDS)
        for card in members:
            for field, value in card["values"].items():
                if not (has_address and field in ADDRESS_FIELDS):
                    values.setdefault(field, value)
            phones += [line for line in card["phones"] if line["number"] not in {p["number"] for p in phones}]
            remarks += [remark for remark in card["remarks"] if remark not in remarks]
            parents += [parent for parent in card["parents"] if parent and parent not in parents]
            plan.add_issues(card["ref"], card["issues"])
            if action == "update":
                plan.add_issue(card["ref"], "updated", texts["updated"])
            elif match:
                reason = texts["matched"] % {"card": match["name"], "reasons": ", ".join(match["reason_labels"])}
                plan.add_issue(card["ref"], "merged", reason, "", card["ref"].label, match["name"])
                plan.sample("patient.matched", card["ref"], match["name"])
            elif card is not master:
                reason = texts["merged_into"] % {"master": master["ref"].label, "id": _key(master["ref"].id),
                                                 "reasons": reasons}  # fmt: skip
                plan.add_issue(card["ref"], "merged", reason, "", card["ref"].label, master["ref"].label)
                plan.sample("patient.merged", card["ref"], master["ref"].label)
        counted = {"update": "updated", "attach": "matched"}.get(action)
        if counted:
            plan.counts[f"patient.{counted}"] += len(members)
        else:
            plan.counts["patient.new"] += 1
            plan.counts["patient.merged"] += len(members) - 1
            plan.sample("patient.new", master["ref"])
        plan.patients.append({
            "action": action, "target": target, "label": master["ref"].label, "values": values, "phones": phones,
            "remarks": remarks, "parents": parents,
            "members": [[c["ref"].table, c["ref"].id, c["verstamp"], c["hash"], c["ref"].label] for c in members],
        })  # fmt: skip

    @api.model
    def _check_snils(self, plan):
        """SNILS is unique: one already on another card, or on two cards of the plan, is kept as a remark only."""
        self.env.cr.execute("SELECT snils, id, name FROM res_partner WHERE snils IS NOT NULL AND snils != ''")
        owners = {snils: (partner_id, name) for snils, partner_id, name in self.env.cr.fetchall()}
        for item in plan.patients:
            snils = item["values"].get("snils")
            if not snils:
                continue
            owner = owners.get(snils)
            if owner and owner[0] != item["target"]:
                item["values"].pop("snils")
                reason = plan.texts["snils_taken"] % {"card": owner[1]}
                item["remarks"].append(plan.texts["remark"] % {"field": plan.labels["snils"], "value": snils,
                                                               "reason": reason})  # fmt: skip
                member = item["members"][0]
                plan.add_issues(RowRef(member[0], member[1], "", member[4]), [self._kept(plan, "snils", snils, reason)])
            else:
                owners[snils] = (item["target"] or f"new:{id(item)}", item["label"])

    # ------------------------------------------------------------------ documents

    @api.model
    def _plan_documents(self, plan, resolved):
        """Documents: header rows joined to their journal entry and their lines by document ID.

        Journal entries and lines wait in memory as tuples of shared strings until their header comes,
        so that hundreds of thousands of documents fit.
        """
        header, journal_spec = resolved["document"], resolved["journal"]
        table = header["table"]
        pool = {}
        journal = None
        if journal_spec["table"] and journal_spec["table"] is not table:
            journal = self._compact_rows(journal_spec, "document", pool, table_number(table.name))
        lines = self._compact_rows(resolved["line"], "document", pool)
        links = self._links(plan, table.name, "clinic.visit")
        self._report_deleted(plan, "document", header, {})
        for _number, row in self.env["clinic.migration.source"]._rows(table):
            values = self._row_values(row, header, {})
            key = _key(values.get("id"))
            if not key:
                continue
            entry = journal.pop(key, [None])[0] if journal is not None else self._row_values(row, journal_spec, {})
            if entry is None:
                ref = RowRef(table.name, values.get("id"), "", key)
                self._refuse(plan, "document", ref, "rejected",
                             plan.texts["not_in_journal"] % {"table": journal_spec["table"].name})  # fmt: skip
                continue
            self._plan_document(plan, table, values, entry, lines.pop(key, []), links)

    @api.model
    def _compact_rows(self, spec, key_target, pool, kind=None):
        """{document ID: [values...]} of a journal or lines table, values as dicts rebuilt on demand.

        With ``kind``, only the journal entries of that document kind (IDDOCDEF, base 36 or decimal).
        """
        targets = tuple(spec["columns"])
        rows = defaultdict(list)
        for _number, row in self.env["clinic.migration.source"]._rows(spec["table"]):
            values = self._row_values(row, spec, {})
            doc_type = (values.get("doc_type") or "").strip()
            if kind and doc_type and not _same_kind(doc_type, kind):
                continue
            rows[_key(values.get(key_target))].append(tuple(pool.setdefault(values[t], values[t]) for t in targets))
        return _Rows(targets, rows)

    @api.model
    def _plan_document(self, plan, table, values, entry, lines, links):
        texts = plan.texts
        when, _reason = parse.parse_date(entry.get("date"), plan.today)
        number = (entry.get("number") or "").strip()
        label = texts["document_label"] % {"number": number or _key(values.get("id")),
                                           "date": when.strftime("%d.%m.%Y") if when else "?"}  # fmt: skip
        ref = RowRef(table.name, values.get("id"), number, label)
        if (entry.get("mark") or "").strip().upper() in MARK_VALUES:
            self._refuse(plan, "document", ref, "skipped", texts["marked"])
            return
        item, reason = self._document_item(plan, values, entry, lines, when)
        if reason:
            self._refuse(plan, "document", ref, "rejected", reason)
            return
        digest = payload_hash([entry, values, lines])
        item["action"], item["target"] = self._link_state(links, "clinic.visit", ref.id, digest)
        counted = ACTION_COUNTS[item["action"]]
        plan.counts[f"document.{counted}"] += 1
        if item["action"] == "unchanged":
            return
        plan.sample(f"document.{counted}", ref)
        plan.add_issues(ref, item.pop("issues"))
        if item["action"] == "update":
            plan.add_issue(ref, "updated", texts["updated"])
        plan.counts["document.lines"] += len(item["lines"])
        plan.counts["document.payments"] += len(item["payments"])
        item.update(name=number or "/", import_ref=f"{table.name}/{_key(ref.id)}",
                    members=[[ref.table, ref.id, _verstamp(entry), digest]])  # fmt: skip
        plan.add_document(item)

    @api.model
    def _document_item(self, plan, values, entry, lines, when):
        """(item, None) for a document that can be imported, else (None, the reason it cannot)."""
        texts = plan.texts
        if not when:
            return None, texts["no_date"] % {"value": entry.get("date") or ""}
        client = _key(values.get("client"))
        if client not in plan.clients:
            if client in plan.refused_clients:
                return None, texts["client_refused"] % {"id": client, "reason": plan.refused_clients[client]}
            return None, texts["client_unknown"] % {"id": client, "table": plan.patient_table}
        if not lines:
            return None, texts["no_lines"]
        item_lines, reason = self._document_lines(plan, lines)
        if reason:
            return None, reason
        issues = []
        total = round(sum(q * p * (1 - d / 100) for _s, q, p, d in item_lines), 2)
        declared, _reason = parse.parse_number(values.get("total"))
        if declared is not None and abs(declared - total) > 0.01:
            issues.append(("flagged", plan.labels["total"], declared, total,
                           texts["total_differs"] % {"total": declared, "lines": total}))  # fmt: skip
        moment = _utc(plan.tz, when, entry.get("time"))
        payments = self._document_payments(plan, values, when, total, issues)
        return {
            "client": plan.clients[client], "date": moment, "lines": item_lines, "payments": payments,
            "issues": issues,
        }, None  # fmt: skip

    @api.model
    def _document_lines(self, plan, lines):
        """[(service 1C ID, quantity, price, discount %)] sorted by line number, or (None, reason)."""
        texts, result = plan.texts, []
        for line in sorted(lines, key=lambda li: parse.parse_number(li.get("line_no"))[0] or 0):
            number = (line.get("line_no") or "").strip() or str(len(result) + 1)
            service = _key(line.get("service"))
            if service not in plan.services_known:
                reason = plan.refused_services.get(service)
                if reason:
                    return None, texts["service_refused"] % {"id": service, "reason": reason}
                return None, texts["service_unknown"] % {"id": service, "table": plan.service_table}
            quantity, _reason = parse.parse_number(line.get("quantity"))
            quantity = 1.0 if quantity is None else quantity
            if quantity <= 0:
                return None, texts["bad_quantity"] % {"line": number, "value": line.get("quantity")}
            price, bad_price = parse.parse_number(line.get("price"))
            amount, _reason = parse.parse_number(line.get("amount"))
            if price is None and amount is not None:
                price = amount / quantity
            if bad_price or price is None or price < 0:
                return None, texts["bad_price"] % {"line": number, "value": line.get("price") or ""}
            discount, bad_discount = parse.parse_number(line.get("discount"))
            if discount is None and amount is not None and price and not bad_discount:
                discount = round((1 - amount / (quantity * price)) * 100, 2)
            discount = discount or 0.0
            if bad_discount or not 0 <= discount <= 100:
                return None, texts["bad_discount"] % {"line": number, "value": line.get("discount") or ""}
            result.append((plan.services_known[service], quantity, price, discount))
        return result, None

    @api.model
    def _document_payments(self, plan, values, when, total, issues):
        """[(date, method, amount)]: what was paid and when; unmapped columns mean paid in full that day."""
        paid, _reason = parse.parse_number(values.get("paid")) if "paid" in values else (total, None)
        if not paid or paid <= 0:
            return []
        day = when
        if values.get("payment_date", "").strip():
            day, reason = parse.parse_date(values["payment_date"], plan.today)
            if reason:
                issues.append(("flagged", plan.labels["payment_date"], values["payment_date"], when.isoformat(),
                               plan.texts["payment_date"] % {"value": values["payment_date"],
                                                             "reason": plan.texts[reason]}))  # fmt: skip
                day = when
        return [(day.isoformat(), parse.payment_method(values.get("payment_method")), round(paid, 2))]


class _Rows(dict):
    """Rows grouped by document ID, kept as tuples; ``pop`` gives them back as dicts."""

    def __init__(self, targets, rows):
        super().__init__(rows)
        self.targets = targets

    def pop(self, key, default=None):
        rows = super().pop(key, None)
        return default if rows is None else [dict(zip(self.targets, row)) for row in rows]


def _verstamp(values):
    number, _reason = parse.parse_number(values.get("version"))
    return int(number or 0)


def _same_kind(kind, number):
    """IDDOCDEF names the document kind in base 36 (DBF bases) or in decimal (SQL exports)."""
    try:
        return int(kind, 36) == number or (kind.isdigit() and int(kind) == number)
    except ValueError:
        return False


def _utc(tz, day, journal_time):
    """The 1C local date and time (1SJOURN.TIME: base-36 ten-thousandths of a second) as naive UTC."""
    try:
        seconds = int((journal_time or "").strip() or "0", 36) // 10000
    except ValueError:
        seconds = 0
    seconds = min(seconds, 24 * 3600 - 1)
    local = datetime.combine(day, time(seconds // 3600, seconds % 3600 // 60, seconds % 60))
    moment = pytz.timezone(tz).localize(local).astimezone(pytz.utc).replace(tzinfo=None)
    return fields.Datetime.to_string(moment)
