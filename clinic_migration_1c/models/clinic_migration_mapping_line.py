from odoo import api, fields, models

ENTITIES = [
    ("patient", "Patients"),
    ("service", "Services"),
    ("document", "Service documents"),
    ("line", "Document lines"),
    ("journal", "Document journal"),
]

# What the import reads: (entity, target, label, 1C columns tried first, keywords looked for in the data
# dictionary's description or in the column name of a CSV/XML export). Order matters: a column feeds the
# first target that claims it, so the narrower keywords come first.
TARGET_SPECS = (
    ("patient", "id", "1C ID", ("ID",), ""),
    ("patient", "parent", "Group (folder) of the card", ("PARENTID",), ""),
    ("patient", "is_folder", "Is a group (1) or a card (2)", ("ISFOLDER",), ""),
    ("patient", "mark", "Marked for deletion", ("ISMARK",), ""),
    ("patient", "version", "Version stamp", ("VERSTAMP",), ""),
    ("patient", "code", "Card number in 1C", ("CODE",), r"номер.*карт"),
    ("patient", "full_name", "Full name in one string", ("DESCR",), r"фио|полн.*им"),
    ("patient", "surname", "Surname", (), r"фамил"),
    ("patient", "first_name", "First name", (), r"^имя"),
    ("patient", "patronymic", "Patronymic", (), r"отчеств"),
    ("patient", "birth_date", "Birth date", (), r"рожд"),
    ("patient", "gender", "Gender", (), r"^пол\b|^пол$"),
    ("patient", "snils", "SNILS", (), r"снилс"),
    ("patient", "inn", "INN", (), r"^инн"),
    ("patient", "email", "E-mail", (), r"почт|mail"),
    ("patient", "phone", "Phones (several columns allowed)", (), r"тел|моб|сот"),
    ("patient", "address", "Address", (), r"адрес"),
    ("patient", "note", "Note", (), r"примеч|коммент"),
    ("service", "id", "1C ID", ("ID",), ""),
    ("service", "parent", "Group (folder) of the service", ("PARENTID",), ""),
    ("service", "is_folder", "Is a group (1) or a service (2)", ("ISFOLDER",), ""),
    ("service", "mark", "Marked for deletion", ("ISMARK",), ""),
    ("service", "version", "Version stamp", ("VERSTAMP",), ""),
    ("service", "nomenclature_code", "Nomenclature code (804n)", (), r"номенкл|код.*(мз|минздр|804)|артикул"),
    ("service", "code", "Service code in 1C", ("CODE",), ""),
    ("service", "name", "Service name", ("DESCR",), r"наимен"),
    ("service", "price", "Price", (), r"цена|стоим"),
    ("service", "duration", "Duration, minutes", (), r"длит|продолж|минут"),
    ("document", "id", "Document ID", ("IDDOC",), ""),
    ("document", "client", "Client (reference)", (), r"клиент|пациент|контраг"),
    ("document", "payment_date", "Payment date", (), r"дата.*опл"),
    ("document", "payment_method", "Payment method", (), r"вид.*опл|форма.*опл|способ.*опл|тип.*опл"),
    ("document", "paid", "Amount paid", (), r"оплач|сумма.*опл"),
    ("document", "total", "Document total", (), r"сумм|итог"),
    ("line", "document", "Document ID", ("IDDOC",), ""),
    ("line", "line_no", "Line number", ("LINENO", "LINENO_"), ""),
    ("line", "service", "Service (reference)", (), r"услуг|номенкл"),
    ("line", "quantity", "Quantity", (), r"колич|кол-во|^кол"),
    ("line", "price", "Price", (), r"цена"),
    ("line", "discount", "Discount, %", (), r"скид"),
    ("line", "amount", "Amount", (), r"сумм"),
    ("journal", "document", "Document ID", ("IDDOC",), ""),
    ("journal", "doc_type", "Document kind", ("IDDOCDEF",), ""),
    ("journal", "date", "Date", ("DATE",), r"^дата"),
    ("journal", "time", "Time", ("TIME",), ""),
    ("journal", "number", "Number", ("DOCNO",), r"номер"),
    ("journal", "mark", "Marked for deletion", ("ISMARK",), ""),
    ("journal", "version", "Version stamp", ("VERSTAMP",), ""),
)
TARGETS = [(f"{entity}.{target}", label) for entity, target, label, _columns, _keywords in TARGET_SPECS]
MULTIPLE_TARGETS = frozenset({"patient.phone"})


class ClinicMigrationMappingLine(models.Model):
    """Which 1C column feeds which field of the import."""

    _name = "clinic.migration.mapping.line"
    _description = "1C column mapping"
    _order = "mapping_id, sequence, id"

    mapping_id = fields.Many2one(
        "clinic.migration.mapping", string="1C database", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(string="Sequence", default=10, help="Order of the lines on the mapping screen.")
    target = fields.Selection(TARGETS, string="Odoo field", required=True, help="What the column becomes.")
    entity = fields.Selection(
        ENTITIES, string="Data", compute="_compute_entity", store=True, help="Which 1C table the column is read from."
    )
    source_column = fields.Char(
        string="1C column",
        help="Column of the 1C table (SPnnn, DESCR...) or of the CSV/XML export; empty to leave the field out. "
        "A periodic attribute (SPnnn absent from the table) is read from 1SCONST, latest value.",
    )
    source_label = fields.Char(
        string="1C description", help="The attribute's name in the 1C data dictionary (1Cv7.DD), cut to 20 letters."
    )

    @api.depends("target")
    def _compute_entity(self):
        for line in self:
            line.entity = line.target.split(".", 1)[0] if line.target else False
