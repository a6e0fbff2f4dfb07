"""The one table from identity document types of the Ministry of Health (book 1.2.643.5.1.13.13.99.2.48) to the
codes of identity documents of the FNS («СПДУЛ», used on the tax certificate KND 1151156 and in its XML).

Keys are the codes of book 99.2.48 (``clinic.nsi.identity.document.type.code``); a type with no FNS equivalent
maps to 91, «иные документы». Patients' cards keep the Ministry's type; only the certificate speaks FNS.
"""

FNS_OTHER_DOCUMENT = "91"

FNS_DOCUMENT_CODES = {
    "1": "21",  # Паспорт гражданина РФ
    "2": "22",  # Паспорт гражданина РФ за пределами РФ (загранпаспорт)
    "5": "14",  # Временное удостоверение личности гражданина РФ
    "6": "03",  # Свидетельство о рождении
    "7": "26",  # Паспорт моряка
    "8": "24",  # Удостоверение личности военнослужащего РФ
    "9": "07",  # Военный билет
    "10": "10",  # Паспорт иностранного гражданина
    "11": "12",  # Вид на жительство в РФ
    "12": "13",  # Удостоверение беженца
    "13": "18",  # Свидетельство о предоставлении временного убежища
    "14": "11",  # Свидетельство о рассмотрении ходатайства о признании беженцем
    "16": "15",  # Разрешение на временное проживание (лица без гражданства)
    "17": "15",  # Разрешение на временное проживание в РФ
    "28": "08",  # Временное удостоверение взамен военного билета
    "29": "27",  # Военный билет офицера запаса
    "32": "23",  # Свидетельство о рождении, выданное иностранным государством
    "42": "22",  # Заграничный паспорт гражданина РФ
    "44": "62",  # Вид на жительство иностранного гражданина
}


def fns_document_code(moh_code):
    """The FNS code of a document type of book 99.2.48 (91 «иные документы» when the FNS has none of its own)."""
    return FNS_DOCUMENT_CODES.get(moh_code or "", FNS_OTHER_DOCUMENT)
