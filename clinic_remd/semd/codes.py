"""Reference books a SEMD codes with: OID -> (model holding it, its official name for codeSystemName)."""

BOOKS = {
    "1.2.643.5.1.13.13.11.1002": ("clinic.nsi.position", "Должности медицинских и фармацевтических работников"),
    "1.2.643.5.1.13.13.11.1005": (
        "clinic.nsi.icd10",
        "Международная статистическая классификация болезней и проблем, связанных со здоровьем (10-й пересмотр)",
    ),
    "1.2.643.5.1.13.13.11.1006": ("clinic.nsi.care.condition", "Степень тяжести состояния пациента"),
    "1.2.643.5.1.13.13.11.1007": (
        "clinic.nsi.care.reason",
        "Вид случая госпитализации или обращения (первичный, повторный)",
    ),
    "1.2.643.5.1.13.13.11.1008": ("clinic.nsi.care.place", "Место оказания медицинской помощи"),
    "1.2.643.5.1.13.13.11.1009": ("clinic.nsi.referral.kind", "Виды медицинских направлений"),
    "1.2.643.5.1.13.13.11.1034": ("clinic.nsi.care.type", "Виды медицинской помощи"),
    "1.2.643.5.1.13.13.11.1035": ("clinic.nsi.policy.type", "Виды полиса обязательного медицинского страхования"),
    "1.2.643.5.1.13.13.11.1040": ("clinic.nsi.gender", "Пол пациента"),
    "1.2.643.5.1.13.13.11.1504": ("clinic.nsi.address.type", "Тип адреса пациента"),
    "1.2.643.5.1.13.13.11.1358": ("clinic.nsi.unit", "Единицы измерения"),
    "1.2.643.5.1.13.13.11.1551": ("clinic.nsi.care.form", "Формы оказания медицинской помощи"),
    "1.2.643.5.1.13.13.99.2.48": ("clinic.nsi.identity.document.type", "Документы, удостоверяющие личность"),
    "1.2.643.5.1.13.13.99.2.166": ("clinic.nsi.semd.field", "Кодируемые поля CDA документов"),
    "1.2.643.5.1.13.13.99.2.197": ("clinic.nsi.semd.section", "Секции электронных медицинских документов"),
    "1.2.643.5.1.13.13.99.2.206": ("clinic.nsi.region", "Субъекты Российской Федерации"),
    "1.2.643.5.1.13.13.99.2.285": (
        "clinic.nsi.confidentiality",
        "Уровень конфиденциальности медицинского документа",
    ),
    "1.2.643.5.1.13.13.99.2.322": ("clinic.nsi.care.setting", "Условия оказания медицинской помощи"),
    "1.2.643.5.1.13.13.99.2.368": (
        "clinic.nsi.signer.role",
        "Роли сотрудников при подписании медицинских документов, в том числе в электронном виде",
    ),
    "1.2.643.5.1.13.13.99.2.723": ("clinic.nsi.card.type", "Типы медицинских карт"),
    "1.2.643.5.1.13.13.99.2.724": ("clinic.nsi.basis.doc.type", "Типы документов оснований"),
    "1.2.643.5.1.13.13.99.2.726": ("clinic.nsi.service.event", "Типы документированных событий"),
    "1.2.643.5.1.13.13.11.1039": ("clinic.nsi.payment.source", "Источники оплаты медицинской помощи"),
    "1.2.643.5.1.13.13.11.1077": ("clinic.nsi.nosology.kind", "Виды нозологических единиц диагноза"),
    "1.2.643.5.1.13.13.11.1080": (
        "clinic.nsi.lab.test",
        "Федеральный справочник лабораторных исследований. Справочник лабораторных тестов",
    ),
    "1.2.643.5.1.13.13.11.1520": ("clinic.nsi.emd.kind", "Электронные медицинские документы"),
    "1.2.643.5.1.13.13.11.1522": ("clinic.nsi.medical.doc.kind", "Виды медицинской документации"),
    "1.2.643.5.1.13.13.99.2.1019": ("clinic.nsi.biomaterial", "Биоматериал для лабораторных исследований"),
    "1.2.643.5.1.13.13.99.2.1079": (
        "clinic.nsi.semd.kind",
        "Виды структурированных электронных медицинских документов",
    ),
    "1.2.643.5.1.13.13.99.2.257": (
        "clinic.nsi.lab.interpretation",
        "Интерпретация результатов лабораторных исследований",
    ),
    "1.2.643.5.1.13.13.99.2.262": ("clinic.nsi.vital.parameter", "Витальные параметры"),
}
MODEL_OIDS = {model: oid for oid, (model, _name) in BOOKS.items()}
# The field of a book's rows a SEMD codes with, when it is not ``code``: the signer roles are coded by their
# row ID in a document (``code`` holds CODE_ROLE, e.g. AUTHOR, which REMD's registration request uses).
CODE_FIELDS = {"1.2.643.5.1.13.13.99.2.368": "nsi_id"}
SIGNER_ROLE_OID = "1.2.643.5.1.13.13.99.2.368"
# clinic_base's gender selection and insurance kinds mapped to their FNSI codes.
GENDER_CODES = {"male": "1", "female": "2"}
# The visit's payment source -> reference book 1039 and the basis document (99.2.724) it requires.
PAYMENT_SOURCES = {"paid": ("4", "3"), "dms": ("3", "2"), "oms": ("1", "1")}
PAYMENT_SOURCE_OID = "1.2.643.5.1.13.13.11.1039"
# Actual residence as the default address type (1504); an edition's own fixed codes are in its description.
ACTUAL_ADDRESS = "3"
# The visit's vitals in the VITALPARAM section: field -> (parameter in 99.2.262, hand-entered at install
# from data/editions/codes_unshipped.json; unit in 1358, shipped).
VITALS_OID = "1.2.643.5.1.13.13.99.2.262"
VITALS = {
    "height_cm": ("51", "3"),  # Длина тела, сантиметр
    "weight_kg": ("50", "9"),  # Масса тела, килограмм
    "bp_systolic": ("1", "50"),  # Систолическое АД, миллиметр ртутного столба
    "bp_diastolic": ("2", "50"),  # Диастолическое АД, миллиметр ртутного столба
    "heart_rate": ("4", "337"),  # Частота сердечных сокращений, количество в минуту
    "temperature": ("6", "515"),  # Температура тела, градус Цельсия
}


def code_field(oid):
    """The field of the book's rows holding the code a SEMD carries."""
    return CODE_FIELDS.get(oid, "code")
