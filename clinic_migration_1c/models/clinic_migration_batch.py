import io
import logging
from collections import defaultdict

import psycopg2

from odoo import fields, models
from odoo.fields import Command
from odoo.models import MAGIC_COLUMNS
from odoo.tools import SQL

from .clinic_migration_planner import ADDRESS_FIELDS

_logger = logging.getLogger(__name__)

BATCH_KINDS = [
    ("folders", "Groups"),
    ("services", "Services"),
    ("patients", "Patients"),
    ("duplicates", "Duplicates"),
    ("documents", "Documents"),
    ("finish", "Finish"),
]
BATCH_STATES = [("pending", "Pending"), ("done", "Done"), ("failed", "Failed"), ("cancelled", "Cancelled")]
# No mail tracking or followers on what the import writes: history, not activity.
QUIET = {"tracking_disable": True, "mail_create_nolog": True, "mail_create_nosubscribe": True, "mail_notrack": True}


class ClinicMigrationBatch(models.Model):
    """One unit of the import's work, written in its own transaction: a failure costs one batch, not the import."""

    _name = "clinic.migration.batch"
    _description = "Import batch"
    _order = "run_id, sequence, id"

    run_id = fields.Many2one(
        "clinic.migration.run", string="Import from 1C", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(string="Order", required=True, help="Batches run in this order.")
    kind = fields.Selection(BATCH_KINDS, string="Kind", required=True)
    state = fields.Selection(BATCH_STATES, string="Status", required=True, default="pending", index=True)
    item_count = fields.Integer(string="Rows", help="Cards, services or documents the batch writes.")
    failed_count = fields.Integer(string="Failed rows", help="Rows that could not be written; see the report.")
    # Not prefetched: reading the status of the batches must not decode every batch's rows.
    payload = fields.Json(
        string="Prepared values", prefetch=False, help="What the batch writes; emptied once it is done."
    )
    date_done = fields.Datetime(string="Done on", readonly=True)
    error = fields.Text(string="Error", readonly=True)

    # ------------------------------------------------------------------ running

    def _execute(self):
        """Write the batch; an item that fails is written alone, so that it alone is reported as failed."""
        self.ensure_one()
        handler = getattr(self.sudo().with_context(**QUIET), f"_execute_{self.kind}")
        payload = self.payload or {}  # read once: every read of a Json field is a deep copy
        items, tables = payload.get("items", []), payload.get("tables", {})
        failures = []
        try:
            with self.env.cr.savepoint():
                handler(items, tables)
        except psycopg2.OperationalError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure is reported, row by row
            _logger.info("1C import batch %s failed as a whole (%s), writing its rows one by one", self.id, exc)
            if len(items) < 2:
                failures.append((items[0] if items else {}, exc))
            else:
                failures = self._execute_one_by_one(handler, items, tables)
        self._report_failures(failures)
        self.write({
            "state": "failed" if failures and len(failures) >= len(items) else "done",
            "failed_count": len(failures),
            "payload": False,
            "date_done": fields.Datetime.now(),
            "error": "\n".join(str(exc) for _item, exc in failures[:20]) or False,
        })  # fmt: skip

    def _execute_one_by_one(self, handler, items, tables):
        failures = []
        for item in items:
            try:
                with self.env.cr.savepoint():
                    handler([item], tables)
            except psycopg2.OperationalError:
                raise
            except Exception as exc:  # noqa: BLE001 - reported in the import report
                failures.append((item, exc))
        return failures

    def _report_failures(self, failures):
        issues = []
        for item, exc in failures:
            member = (item.get("members") or [["", "", 0, "", ""]])[0]
            label = item.get("label") or item.get("name") or ""
            issues.append((member[0], member[1], "", label, "failed", "", "", "", str(exc)[:1000]))
        self.env["clinic.migration.issue"]._bulk_create(self.run_id.id, issues)

    # ------------------------------------------------------------------ helpers

    def _link_map(self, table, source_ids, model):
        """{raw 1C ID: Odoo id} for rows of ``table`` linked to ``model``."""
        if not source_ids:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT source_id, res_id FROM clinic_migration_link "
            "WHERE source_db_uid = %s AND source_table = %s AND model = %s AND source_id = ANY(%s)",
            [self.run_id.source_db_uid, table, model, list(set(source_ids))],
        )
        return dict(self.env.cr.fetchall())

    def _write_links(self, model, pairs):
        """Links of the members of each (item, record) pair to the record."""
        uid = self.run_id.source_db_uid
        rows = [
            (uid, member[0], member[1], model, record_id, member[2], member[3])
            for item, record_id in pairs
            for member in item["members"]
        ]
        self.env["clinic.migration.link"]._upsert(rows, self.id)

    def _create_or_write(self, model, items, vals_list):
        """Create the records of new items in one call, write the others; returns [(item, id)]."""
        Model = self.env[model]
        new = [(item, vals) for item, vals in zip(items, vals_list) if item["action"] == "create"]
        records = Model.create([vals for _item, vals in new]) if new else Model
        pairs = list(zip((item for item, _vals in new), records.ids))
        for item, vals in zip(items, vals_list):
            if item["action"] != "create":
                Model.browse(item["target"]).write(vals)
                pairs.append((item, item["target"]))
        return pairs

    # ------------------------------------------------------------------ kinds

    def _execute_folders(self, items, tables):
        """Groups of 1C catalogues: patient tags and service categories, parents first."""
        created = {}
        for item in items:
            table = item["members"][0][0]
            parent = created.get((table, item["parent"])) or self._link_map(table, [item["parent"]], item["model"]).get(
                item["parent"]
            )
            vals = {"name": item["name"], "parent_id": parent or False}
            ((_item, record_id),) = self._create_or_write(item["model"], [item], [vals])
            created[(table, item["members"][0][1])] = record_id
            self._write_links(item["model"], [(item, record_id)])

    def _execute_services(self, items, tables):
        table = tables.get("service")
        categories = self._link_map(table, [item["parent"] for item in items if item["parent"]], "product.category")
        vals_list = [
            dict(item["values"], **({"categ_id": categories[item["parent"]]} if item["parent"] in categories else {}))
            for item in items
        ]
        self._write_links("product.template", self._create_or_write("product.template", items, vals_list))

    def _execute_patients(self, items, tables):
        table = tables.get("patient")
        tags = self._link_map(table, [p for item in items for p in item["parents"]], "res.partner.category")
        Partner = self.env["res.partner"]
        creates = [item for item in items if item["action"] == "create"]
        partners = Partner.create([self._partner_vals(item, tags) for item in creates]) if creates else Partner
        pairs = list(zip(creates, partners.ids))
        for item in items:
            if item["action"] != "create":
                self._complete_partner(Partner.browse(item["target"]), item, tags)
                pairs.append((item, item["target"]))
        self._write_links("res.partner", pairs)
        self._log_merges(pairs)

    def _phone_commands(self, phones, start=0):
        return [
            Command.create({
                "sequence": (start + index + 1) * 10, "number": line["number"], "extension": line["extension"],
                "kind": line["kind"], "raw_input": line["raw_input"], "note": line["note"] or False,
            })
            for index, line in enumerate(phones)
        ]  # fmt: skip

    def _partner_vals(self, item, tags):
        """Values of a new patient card, prepared so that the card's own create has nothing left to fix."""
        vals = dict(item["values"], is_patient=True)
        phones = item["phones"]
        mobile = next((line["number"] for line in phones if line["kind"] == "mobile"), False)
        vals.update(
            clinic_phone_ids=self._phone_commands(phones),
            mobile=mobile,
            phone=next((line["number"] for line in phones if line["kind"] != "mobile"), mobile),
            migration_remarks="\n".join(item["remarks"]) or False,
            category_id=[Command.set([tags[p] for p in item["parents"] if p in tags])],
        )
        return vals

    def _complete_partner(self, partner, item, tags):
        """An existing card: a newer export overwrites what 1C changed; a match only fills what the card lacks."""
        if item["action"] == "attach":
            vals = {field: value for field, value in item["values"].items() if field != "active" and not partner[field]}
            if any(partner[field] for field in ADDRESS_FIELDS):
                vals = {field: value for field, value in vals.items() if field not in ADDRESS_FIELDS}
        else:
            vals = dict(item["values"])
        known = set(partner.clinic_phone_ids.mapped("number"))
        phones = [line for line in item["phones"] if line["number"] not in known]
        if phones:
            vals["clinic_phone_ids"] = self._phone_commands(phones, len(partner.clinic_phone_ids))
        remarks = [remark for remark in item["remarks"] if remark not in (partner.migration_remarks or "")]
        if remarks:
            vals["migration_remarks"] = "\n".join(filter(None, [partner.migration_remarks, *remarks]))
        new_tags = [tags[p] for p in item["parents"] if p in tags]
        if new_tags:
            vals["category_id"] = [Command.link(tag) for tag in new_tags]
        if vals:
            partner.write(vals)

    def _log_merges(self, pairs):
        """The clinic's merge log lists every card the import made out of several 1C rows or joined to a patient."""
        logs = [
            {
                "user_id": self.run_id.user_id.id or self.env.uid,
                "dst_partner_id": partner_id,
                "merged_ids": ", ".join(f"1C {member[0]}/{member[1].strip()}" for member in item["members"]),
                "merged_names": "\n".join(f"{member[4]} (1C {member[1].strip()})" for member in item["members"]),
            }
            for item, partner_id in pairs
            if item["action"] == "attach" or len(item["members"]) > 1
        ]
        if logs:
            self.env["clinic.merge.log"].create(logs)

    def _execute_duplicates(self, items, tables):
        """Exact-confidence duplicates that involve imported cards are merged; the others go to the review screen."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT DISTINCT l.res_id FROM clinic_migration_link l JOIN clinic_migration_batch b ON b.id = l.batch_id "
            "WHERE b.run_id = %s AND l.model = 'res.partner'",
            [self.run_id.id],
        )
        partner_ids = [row[0] for row in self.env.cr.fetchall()]
        if not partner_ids:
            return
        Log = self.env["clinic.merge.log"]
        last = Log.search([], order="id desc", limit=1).id or 0
        self.env["clinic.duplicate.cluster"].merge_auto(partner_ids=partner_ids)
        issues = [
            ("", "", "", log.merged_names.replace("\n", "; "), "merged", "", log.merged_names.replace("\n", "; "),
             log.dst_partner_id.display_name, log.reasons or "")
            for log in Log.search([("id", ">", last), ("cluster_id", "!=", False)])
        ]  # fmt: skip
        imported = set(self.env["res.partner"].browse(partner_ids).exists().ids)
        for cluster in self.env["clinic.duplicate.cluster"].search([("state", "=", "open")]):
            if imported & set(cluster.partner_ids.ids):
                shown = "; ".join(cluster.partner_ids.mapped("display_name"))
                issues.append(("", "", "", shown, "review", "", "", "", cluster.reasons or ""))
        self.env["clinic.migration.issue"]._bulk_create(self.run_id.id, issues)

    def _bulk_create(self, model, vals_list):
        """Insert records of plain stored values with COPY, then let the ORM do what follows an insert.

        Meant for the history the import writes by the hundred thousand: the model's ``create()`` overrides
        (sequence numbers, chatter, side effects of live records) are not run, but its defaults, stored
        computed fields, dependent fields of other records and Python constraints are, as in the ORM's own
        ``_create``.
        """
        if not vals_list:
            return self.env[model]
        Model = self.env[model]
        given = sorted(set().union(*vals_list))
        stored = [f for name, f in Model._fields.items() if f.store and f.column_type and name not in MAGIC_COLUMNS]
        defaults = Model.default_get([f.name for f in stored if f.name not in given and not f.compute])
        columns = given + sorted(set(defaults) - set(given))
        missing = [f.name for f in stored if f.required and f.name not in columns and not f.compute]
        if missing:
            raise ValueError(f"{model}: no value for the required fields {missing}")
        cr = self.env.cr
        cr.execute(SQL("SELECT nextval(%s) FROM generate_series(1, %s)", f"{Model._table}_id_seq", len(vals_list)))
        ids = [row[0] for row in cr.fetchall()]
        stamp = fields.Datetime.to_string(fields.Datetime.now())
        buffer = io.StringIO()
        for record_id, vals in zip(ids, vals_list):
            values = [
                _copy_value(Model._fields[name], vals[name] if name in vals else defaults[name]) for name in columns
            ]
            buffer.write("\t".join([str(record_id), *values, str(self.env.uid), str(self.env.uid), stamp, stamp]))
            buffer.write("\n")
        buffer.seek(0)
        names = ", ".join(f'"{name}"' for name in ["id", *columns, "create_uid", "write_uid", "create_date",
                                                    "write_date"])  # fmt: skip
        cr._obj.copy_expert(f'COPY "{Model._table}" ({names}) FROM STDIN', buffer)
        records = Model.browse(ids)
        self._cache_new_records(records, vals_list)
        computed = [Model._fields[name] for name in columns if Model._fields[name].compute]
        with self.env.protecting(computed, records):
            records.modified(columns, create=True)
            for field in stored:
                if field.compute and field.name not in columns:
                    self.env.add_to_compute(field, records)
        # Monetary values are rounded in their currency when written: read it for all records at once, or the
        # flush reads it record by record.
        for field in stored:
            if field.type == "monetary":
                records.mapped(field.get_currency_field(records))
        return records

    def _cache_new_records(self, records, vals_list):
        """What the ORM's ``_create`` tells its cache: new records have no lines yet, and the records they point
        to (a visit of its lines) now have them."""
        cache = self.env.cache
        relational = [f for f in records._fields.values() if f.type in ("one2many", "many2many")]
        for record in records:
            for field in relational:
                cache.set(record, field, ())
        inverses = defaultdict(list)
        for record_id, vals in zip(records.ids, vals_list):
            for name, value in vals.items():
                field = records._fields[name]
                if field.type == "many2one" and value and self.pool.field_inverses[field]:
                    inverses[(field, value)].append(record_id)
        for (field, value), record_ids in inverses.items():
            field._update_inverses(records.browse(record_ids), value)

    def _execute_documents(self, items, tables):
        """Historical visits with their services and payments, read-only, on the de-duplicated patients."""
        run = self.run_id
        patients = self._link_map(tables["patient"], [item["client"] for item in items], "res.partner")
        alive = set(self.env["res.partner"].browse(set(patients.values())).exists().ids)
        patients = {client: partner for client, partner in patients.items() if partner in alive}
        services = self._link_map(tables["service"], [line[0] for item in items for line in item["lines"]],
                                  "product.template")  # fmt: skip
        templates = self.env["product.template"].with_context(active_test=False).browse(set(services.values()))
        variants = {template.id: template.product_variant_id.id for template in templates}
        names = {template.id: template.name for template in templates}
        missing = [item for item in items if item["client"] not in patients]
        if missing:
            raise ValueError(
                self.env._("Client %(id)s of document %(doc)s has no card in Odoo.", id=missing[0]["client"].strip(),
                           doc=missing[0]["name"])
            )  # fmt: skip
        Visit = self.env["clinic.visit"]
        headers = [
            {"name": item["name"], "patient_id": patients[item["client"]], "date": item["date"], "state": "done",
             "is_imported": True, "import_ref": item["import_ref"], "company_id": run.company_id.id}
            for item in items
        ]  # fmt: skip
        new = [index for index, item in enumerate(items) if item["action"] == "create"]
        visits = self._bulk_create("clinic.visit", [headers[index] for index in new])
        pairs = list(zip((items[index] for index in new), visits.ids))
        for item, vals in zip(items, headers):
            if item["action"] == "update":
                visit = Visit.browse(item["target"])
                (visit.line_ids | visit.payment_ids).unlink()
                visit.write(vals)
                pairs.append((item, visit.id))
        lines, payments = [], []
        for item, visit_id in pairs:
            patient = patients[item["client"]]
            lines += [
                {"visit_id": visit_id, "sequence": (index + 1) * 10, "product_id": variants[services[service]],
                 "name": names[services[service]], "quantity": quantity, "price_unit": price, "discount": discount}
                for index, (service, quantity, price, discount) in enumerate(item["lines"])
            ]  # fmt: skip
            payments += [
                {"visit_id": visit_id, "date": day, "method": method, "amount": amount, "payer_id": patient}
                for day, method, amount in item["payments"]
            ]
        created = [visits, self._bulk_create("clinic.visit.line", lines),
                   self._bulk_create("clinic.visit.payment", payments)]  # fmt: skip
        self.env.flush_all()
        for records in created:
            records._validate_fields(records._fields)
        self._write_links("clinic.visit", pairs)

    def _execute_finish(self, items, tables):
        self.run_id.write({"state": "done", "date_end": fields.Datetime.now(), "progress": 100.0})


def _copy_value(field, value):
    """A plain value of ``field`` in PostgreSQL's COPY text format (False is NULL but for booleans)."""
    if field.type == "boolean":
        return "t" if value else "f"
    if value is None or value is False:
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
