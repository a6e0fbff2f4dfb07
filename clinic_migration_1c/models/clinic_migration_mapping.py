import hashlib
import re

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.dd import table_kind, table_number
from .clinic_migration_mapping_line import MULTIPLE_TARGETS, TARGET_SPECS

TABLE_FIELDS = {
    "patient": "patient_table",
    "service": "service_table",
    "document": "document_table",
    "line": "line_table",
    "journal": "journal_table",
}
# How the clinic's catalogues and document are recognised by their 1C name («Справочник Клиенты»).
TABLE_KEYWORDS = {
    "patient_table": (("catalog",), r"клиент|пациент"),
    "service_table": (("catalog",), r"услуг|прейскурант|номенклатур"),
    "document_table": (("document",), r"оказан|услуг|визит|при[её]м|реализац"),
}
REQUIRED = {"patient": ("id",), "service": ("id",), "document": ("id", "client"), "line": ("document", "service")}


class ClinicMigrationMapping(models.Model):
    """One 1C 7.7 database: where its clients, services and documents are, saved for the next export."""

    _name = "clinic.migration.mapping"
    _description = "1C database mapping"
    _order = "write_date desc, id desc"

    name = fields.Char(string="1C database", required=True, help="A name for the 1C base, e.g. «Клиника на Мира».")
    source_db_uid = fields.Char(
        string="Source key",
        required=True,
        copy=False,
        help="Identifies this 1C base in the links of imported records. Keep it for every export of the same base: "
        "a re-run then updates what changed instead of creating it again.",
    )
    patient_table = fields.Char(string="Clients table", help="The catalogue of clients, e.g. SC167.")
    service_table = fields.Char(string="Services table", help="The catalogue of services, e.g. SC120.")
    document_table = fields.Char(string="Documents table", help="Header table of the service document, e.g. DH135.")
    line_table = fields.Char(string="Document lines table", help="Lines of the service document, e.g. DT135.")
    journal_table = fields.Char(
        string="Journal table",
        default="1SJOURN",
        help="The document journal with dates and numbers; empty when the export keeps them in the header table.",
    )
    constant_table = fields.Char(
        string="Periodic values table", default="1SCONST", help="Where 1C keeps periodic attributes."
    )
    line_ids = fields.One2many("clinic.migration.mapping.line", "mapping_id", string="Columns", copy=True)

    _sql_constraints = [("source_db_uid_unique", "UNIQUE(source_db_uid)", "Another mapping has this source key.")]

    # ------------------------------------------------------------------ pre-filling

    @api.model
    def _default_uid(self, upload):
        """A stable key of the 1C base: its data dictionary's tables and titles, else the names of its tables."""
        if upload.dd:
            basis = "|".join(f"{name}:{t['title']}" for name, t in sorted(upload.dd["tables"].items()))
        else:
            basis = "|".join(sorted(upload.tables))
        return "1c77-" + hashlib.sha1(basis.encode()).hexdigest()[:12]

    def _prefill(self, upload):
        """Point the mapping at the upload: keep what still fits, propose the rest from the dictionary and names."""
        self.ensure_one()
        vals = {}
        for field_name, (kinds, pattern) in TABLE_KEYWORDS.items():
            if not upload.table(self[field_name]):
                vals[field_name] = self._guess_table(upload, kinds, pattern, taken=set(vals.values()))
        document = vals.get("document_table", self.document_table)
        if document and not upload.table(self.line_table):
            number = table_number(document)
            vals["line_table"] = f"DT{number}" if number and upload.table(f"DT{number}") else self.line_table
        if self.journal_table and not upload.table(self.journal_table):
            vals["journal_table"] = "1SJOURN" if upload.table("1SJOURN") else False
        self.write(vals)
        self._prefill_lines(upload)

    @api.model
    def _guess_table(self, upload, kinds, pattern, taken):
        for name, table in sorted(upload.tables.items()):
            kind = table_kind(name)
            text = f"{table.title} {name}".lower()
            if name not in taken and (kind in kinds or kind == "other") and re.search(pattern, text):
                return name
        return False

    def _prefill_lines(self, upload):
        existing, claimed = {}, {}
        for line in self.line_ids:
            existing.setdefault(line.target, []).append(line)
            if line.source_column:
                claimed.setdefault(line.entity, set()).add(line.source_column.upper())
        commands, sequence = [], 0
        for entity, target, _label, defaults, keywords in TARGET_SPECS:
            key = f"{entity}.{target}"
            sequence += 1
            table = upload.table(self[TABLE_FIELDS[entity]])
            if not table:
                continue
            kept = [line for line in existing.get(key, []) if self._column_available(upload, table, line.source_column)]
            for line in kept:
                line.write({"sequence": sequence, "source_label": self._label(upload, table, line.source_column)})
            if existing.get(key):
                # Kept, or a column chosen for another export that the person reviews on the mapping screen.
                continue
            taken = claimed.setdefault(entity, set())
            for column in self._propose(upload, table, taken, defaults, keywords, multiple=key in MULTIPLE_TARGETS):
                taken.add(column.upper())
                commands.append((0, 0, {"target": key, "source_column": column, "sequence": sequence,
                                        "source_label": self._label(upload, table, column)}))  # fmt: skip
        if commands:
            self.write({"line_ids": commands})

    def _column_available(self, upload, table, column):
        if not column:
            return False
        return bool(table.column(column)) or bool(re.match(r"^SP\d+$", column.upper()) and self._constants(upload))

    def _constants(self, upload):
        return upload.table(self.constant_table)

    @api.model
    def _label(self, upload, table, column):
        return upload.label(table.name, column) or (column if table.format != "dbf" else "")

    @api.model
    def _propose(self, upload, table, taken, defaults, keywords, multiple):
        """Columns for one target: the standard 1C column, else those whose description fits the keywords."""
        found = [table.column(column) for column in defaults if table.column(column)]
        if found:
            return found[:1]
        if not keywords:
            return []
        matches = [
            column
            for column in table.columns
            if column.upper() not in taken and re.search(keywords, (upload.label(table.name, column) or column).lower())
        ]
        return matches if multiple else matches[:1]

    # ------------------------------------------------------------------ reading

    def _resolve(self, upload):
        """{entity: {"table": Table or None, "columns": {target: [column...]}, "periodic": {target: [id...]}}}.

        Raises a UserError naming what is missing: the clients table, or a column the import cannot do without.
        """
        self.ensure_one()
        constants = self._constants(upload)
        resolved = {}
        for entity, field_name in TABLE_FIELDS.items():
            # Without a journal table the dates and numbers are read from the header table itself.
            name = self[field_name] or (self.document_table if entity == "journal" else False)
            table = upload.table(name)
            if name and not table:
                raise UserError(
                    self.env._(
                        "The mapping «%(mapping)s» reads %(what)s from table %(table)s, which is not in the upload. "
                        "Upload its file or change the table on the mapping screen.",
                        mapping=self.name,
                        what=self._fields[field_name].get_description(self.env)["string"],
                        table=name,
                    )
                )
            columns, periodic = {}, {}
            for line in self.line_ids.filtered(lambda li, e=entity: li.entity == e and li.source_column):
                target = line.target.split(".", 1)[1]
                column = table.column(line.source_column) if table else ""
                if column:
                    columns.setdefault(target, []).append(column)
                elif table and constants and re.match(r"^SP\d+$", line.source_column.strip().upper()):
                    periodic.setdefault(target, []).append(int(line.source_column.strip()[2:]))
                elif table:
                    raise UserError(
                        self.env._(
                            "Column %(column)s mapped to «%(field)s» is not in table %(table)s (%(file)s).",
                            column=line.source_column,
                            field=dict(line._fields["target"]._description_selection(self.env))[line.target],
                            table=table.name,
                            file=table.filename,
                        )
                    )
            resolved[entity] = {"table": table, "columns": columns, "periodic": periodic}
        self._check_required(resolved)
        return resolved

    def _check_required(self, resolved):
        if not resolved["patient"]["table"]:
            raise UserError(self.env._("Choose the table of clients (e.g. SC167) on the mapping screen."))
        patient = resolved["patient"]
        if not ({"full_name", "surname"} & (set(patient["columns"]) | set(patient["periodic"]))):
            raise UserError(
                self.env._("Map the clients' full name (DESCR) or their surname: without a name no card is made.")
            )
        labels = dict(self.env["clinic.migration.mapping.line"]._fields["target"]._description_selection(self.env))
        for entity, targets in REQUIRED.items():
            if not resolved[entity]["table"]:
                continue
            for target in targets:
                if target not in resolved[entity]["columns"]:
                    label = labels[".".join((entity, target))]
                    raise UserError(
                        self.env._(
                            "Table %(table)s needs a column for «%(field)s» on the mapping screen.",
                            table=resolved[entity]["table"].name,
                            field=label,
                        )
                    )
        if resolved["document"]["table"] and not resolved["line"]["table"]:
            raise UserError(
                self.env._(
                    "Documents come from %(table)s: choose the table of their lines too.",
                    table=resolved["document"]["table"].name,
                )
            )
