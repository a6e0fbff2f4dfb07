"""CDA R2 builder of a SEMD from a payload (plain data collected from a visit) and an edition description.

The edition (``data/editions/<kind>_<edition>.json``) says which templateId, document code and
sections with which coded entries the document carries; this module knows only CDA and the Russian
header extensions, so a new edition is a new description, not new code. Every coded element is a
dict with ``code``, ``codeSystem``, ``codeSystemName``, ``codeSystemVersion`` and ``displayName``.

Editions also differ in the shape of the header and sections their XSD allows; the edition's ``layout``
says which of these it takes (see ``LAYOUT``).
"""

from lxml import etree

CDA = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {
    None: CDA,
    "xsi": XSI,
    "identity": "urn:hl7-ru:identity",
    "address": "urn:hl7-ru:address",
    "medService": "urn:hl7-ru:medService",
    "fias": "urn:hl7-ru:fias",
}
SNILS_ROOT = "1.2.643.100.3"
LICENCE_ROOT = "1.2.643.5.1.13.2.1.1.1504.101"
MINZDRAV_OID = "1.2.643.5.1.13"
CODE_ATTRS = ("code", "codeSystem", "codeSystemVersion", "codeSystemName", "displayName")
# What an edition's layout says, and what it is when the edition does not say (the consultation's Ред.4):
LAYOUT = {
    # xsi:type on the elements of the Russian extensions (identity:, address:, medService:, fias:): the older
    # schematrons require it, the newer XSDs declare those elements with their own types and refuse it.
    "extension_xsi_types": True,
    # the service performer's organization (representedOrganization) after the person
    "performer_organization": True,
    # a narrative <text> in every section before its coded entries
    "section_text": True,
    # classCode="ORG" on the patient's providerOrganization (CDA's default anyway)
    "provider_class_code": True,
    # VITALPARAM: one entry whose organizer holds every measured parameter; False: one entry (and organizer)
    # per parameter, for the editions that allow an organizer only one or two components
    "vitals_in_one_organizer": True,
    # medService:DocType in the encounter: the laboratory protocol's schematron allows it only for a case of kind 3
    "encounter_doc_type": True,
    # the service event's time as a period (low, high); False: one point in time (the laboratory protocol's XSD)
    "service_period": True,
    # the service performer's SNILS as a second id (the laboratory protocol allows the performer one id only)
    "performer_snils": True,
}


def _qname(tag):
    prefix, _sep, local = tag.rpartition(":")
    return f"{{{NSMAP[prefix or None]}}}{local}"


class _Doc:
    """Small helpers over lxml that keep the builder readable."""

    def __init__(self, layout):
        self.root = etree.Element(_qname("ClinicalDocument"), nsmap=NSMAP)
        self.layout = layout

    def add(self, parent, tag, text=None, xsi_type=None, **attrs):
        element = etree.SubElement(parent, _qname(tag))
        if xsi_type and (self.layout["extension_xsi_types"] or ":" not in tag):
            element.set(f"{{{XSI}}}type", xsi_type)
        for name, value in attrs.items():
            if value not in (None, False, ""):
                element.set(name, str(value))
        if text not in (None, False):
            element.text = str(text)
        return element

    def coded(self, parent, tag, code, xsi_type=None):
        """A coded element: every attribute of ``code`` present, as the schematrons require, and its
        ``translation`` into another book when the code carries one."""
        element = self.add(parent, tag, xsi_type=xsi_type)
        for name in CODE_ATTRS:
            element.set(name, str(code[name]))
        if code.get("translation"):
            self.coded(element, "translation", code["translation"])
        return element

    def st(self, parent, tag, value):
        """An identity:* string; nullFlavor NI when the value is unknown."""
        if value:
            return self.add(parent, tag, value, xsi_type="ST")
        return self.add(parent, tag, xsi_type="ST", nullFlavor="NI")


def build(edition, payload):
    """Return the document's XML bytes (UTF-8, with declaration)."""
    doc = _Doc({**LAYOUT, **edition.get("layout", {})})
    root = doc.root
    ids = payload["ids"]
    doc.add(root, "realmCode", code="RU")
    doc.add(root, "typeId", root="2.16.840.1.113883.1.3", extension="POCD_MT000040")
    doc.add(root, "templateId", root=edition["template_id"])
    doc.add(root, "id", root=f"{ids['base']}.51", extension=payload["document"]["number"])
    doc.coded(root, "code", edition["document_code"])
    doc.add(root, "title", edition["title"])
    doc.add(root, "effectiveTime", value=payload["document"]["time"])
    doc.coded(root, "confidentialityCode", payload["codes"]["confidentiality"])
    doc.add(root, "languageCode", code="ru-RU")
    doc.add(root, "setId", root=f"{ids['base']}.50", extension=payload["document"]["set_id"])
    doc.add(root, "versionNumber", value=payload["document"]["version"])
    _record_target(doc, payload)
    _author(doc, payload)
    _custodian(doc, payload)
    recipient = doc.add(root, "informationRecipient")
    organization = doc.add(doc.add(recipient, "intendedRecipient"), "receivedOrganization")
    doc.add(organization, "id", root=MINZDRAV_OID)
    doc.add(organization, "name", "Министерство здравоохранения Российской Федерации")
    _legal_authenticator(doc, payload)
    _payer(doc, payload)
    _service_event(doc, payload)
    _encounter(doc, edition, payload)
    body = doc.add(doc.add(root, "component"), "structuredBody")
    for section in edition["sections"]:
        _section(doc, body, section, payload)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _name(doc, parent, person):
    name = doc.add(parent, "name")
    doc.add(name, "family", person["family"])
    doc.add(name, "given", person["given"])
    if person.get("patronymic"):
        doc.add(name, "identity:Patronymic", person["patronymic"], xsi_type="ST")


def _addr(doc, parent, address, with_type=True):
    addr = doc.add(parent, "addr")
    if with_type:
        doc.coded(addr, "address:Type", address["type"], xsi_type="CD")
    doc.add(addr, "streetAddressLine", address["line"])
    doc.coded(addr, "address:stateCode", address["region"], xsi_type="CD")
    doc.add(addr, "postalCode", address["postal_code"]) if address.get("postal_code") else doc.add(
        addr, "postalCode", nullFlavor="NI"
    )
    if address.get("aoguid") and address.get("houseguid"):
        fias = doc.add(addr, "fias:Address")
        doc.add(fias, "fias:AOGUID", address["aoguid"])
        doc.add(fias, "fias:HOUSEGUID", address["houseguid"])
    else:
        doc.add(addr, "fias:Address", nullFlavor="NI")
    return addr


def _organization(doc, parent, tag, org, with_props=False, with_phone=True, class_code="ORG"):
    element = doc.add(parent, tag, classCode=class_code)
    doc.add(element, "id", root=org["oid"])
    if with_props:
        if org.get("licence"):
            doc.add(
                element,
                "id",
                root=LICENCE_ROOT,
                extension=org["licence"],
                assigningAuthorityName=org["licence_issuer"],
            )
        props = doc.add(element, "identity:Props")
        doc.add(props, "identity:Ogrn", org["ogrn"], xsi_type="ST")
    doc.add(element, "name", org["name"])
    if with_phone and org.get("phone"):
        doc.add(element, "telecom", value=f"tel:{org['phone']}")
    _addr(doc, element, org["address"], with_type=False)
    return element


def _record_target(doc, payload):
    patient = payload["patient"]
    role = doc.add(doc.add(doc.root, "recordTarget"), "patientRole")
    doc.add(role, "id", root=f"{payload['ids']['base']}.10", extension=patient["id"])
    doc.add(role, "id", root=SNILS_ROOT, extension=patient["snils"])
    identity_doc = patient.get("identity_doc")
    if identity_doc:
        element = doc.add(role, "identity:IdentityDoc")
        doc.coded(element, "identity:IdentityCardType", identity_doc["type"], xsi_type="CD")
        doc.st(element, "identity:Series", identity_doc.get("series"))
        doc.st(element, "identity:Number", identity_doc["number"])
        doc.st(element, "identity:IssueOrgName", identity_doc.get("issuer"))
        doc.st(element, "identity:IssueOrgCode", identity_doc.get("issuer_code"))
        doc.add(element, "identity:IssueDate", value=identity_doc["date"], xsi_type="TS")
    else:
        doc.add(role, "identity:IdentityDoc", nullFlavor="NI")
    policy = patient.get("policy")
    if policy:
        element = doc.add(role, "identity:InsurancePolicy")
        doc.coded(element, "identity:InsurancePolicyType", policy["type"], xsi_type="CD")
        doc.st(element, "identity:Series", policy.get("series"))
        doc.st(element, "identity:Number", policy["number"])
    else:
        doc.add(role, "identity:InsurancePolicy", nullFlavor="NI")
    for address in patient["addresses"]:
        _addr(doc, role, address)
    if patient.get("phone"):
        doc.add(role, "telecom", value=f"tel:{patient['phone']}")
    person = doc.add(role, "patient")
    _name(doc, person, patient)
    doc.coded(person, "administrativeGenderCode", patient["gender"])
    doc.add(person, "birthTime", value=patient["birth_date"])
    class_code = "ORG" if doc.layout["provider_class_code"] else None
    _organization(doc, role, "providerOrganization", payload["org"], with_props=True, class_code=class_code)


def _assigned(doc, parent, payload, person, with_org=True, with_snils=True):
    entity = doc.add(parent, "assignedEntity")
    doc.add(entity, "id", root=f"{payload['ids']['base']}.70", extension=person["id"])
    if with_snils:
        doc.add(entity, "id", root=SNILS_ROOT, extension=person["snils"])
    doc.coded(entity, "code", person["position"])
    if person.get("phone"):
        doc.add(entity, "telecom", value=f"tel:{person['phone']}")
    _name(doc, doc.add(entity, "assignedPerson"), person)
    if with_org:
        _organization(doc, entity, "representedOrganization", payload["org"])
    return entity


def _author(doc, payload):
    author = doc.add(doc.root, "author")
    doc.add(author, "time", nullFlavor="NI")
    entity = doc.add(author, "assignedAuthor")
    person = payload["author"]
    doc.add(entity, "id", root=f"{payload['ids']['base']}.70", extension=person["id"])
    doc.add(entity, "id", root=SNILS_ROOT, extension=person["snils"])
    doc.coded(entity, "code", person["position"])
    if person.get("phone"):
        doc.add(entity, "telecom", value=f"tel:{person['phone']}")
    _name(doc, doc.add(entity, "assignedPerson"), person)
    _organization(doc, entity, "representedOrganization", payload["org"])


def _custodian(doc, payload):
    assigned = doc.add(doc.add(doc.root, "custodian"), "assignedCustodian")
    _organization(doc, assigned, "representedCustodianOrganization", payload["org"])


def _legal_authenticator(doc, payload):
    legal = doc.add(doc.root, "legalAuthenticator")
    # The signature is the detached CMS over these bytes, so the document cannot carry its time.
    doc.add(legal, "time", nullFlavor="NI")
    doc.add(legal, "signatureCode", nullFlavor="NI")
    _assigned(doc, legal, payload, payload["author"])


def _payer(doc, payload):
    participant = doc.add(doc.root, "participant", typeCode="IND")
    entity = doc.add(participant, "associatedEntity", classCode="GUAR")
    payment = payload["payment"]
    doc.coded(entity, "code", payment["source"])
    basis = payment.get("basis")
    if not basis:
        doc.add(entity, "identity:DocInfo", nullFlavor="NAV")
        return
    info = doc.add(entity, "identity:DocInfo")
    doc.coded(info, "identity:IdentityDocType", basis["type"], xsi_type="CD")
    if basis.get("policy_type"):
        doc.coded(info, "identity:InsurancePolicyType", basis["policy_type"], xsi_type="CD")
    else:
        doc.add(info, "identity:InsurancePolicyType", xsi_type="CD", nullFlavor="NA")
    doc.st(info, "identity:Series", basis.get("series"))
    doc.st(info, "identity:Number", basis["number"])
    doc.st(info, "identity:INN", basis.get("inn"))
    period = doc.add(info, "identity:effectiveTime")
    doc.add(period, "identity:low", value=basis["date_from"], xsi_type="TS")
    doc.add(period, "identity:high", value=basis["date_to"], xsi_type="TS")


def _service_event(doc, payload):
    service = payload["service"]
    event = doc.add(doc.add(doc.root, "documentationOf"), "serviceEvent")
    doc.coded(event, "code", service["code"])
    if doc.layout["service_period"]:
        period = doc.add(event, "effectiveTime")
        doc.add(period, "low", value=service["start"])
        doc.add(period, "high", value=service["end"])
    else:
        doc.add(event, "effectiveTime", value=service["end"])
    doc.coded(event, "medService:serviceForm", service["form"], xsi_type="CD")
    doc.coded(event, "medService:serviceType", service["type"], xsi_type="CD")
    doc.coded(event, "medService:serviceCond", service["condition"], xsi_type="CD")
    performer = doc.add(event, "performer", typeCode="PPRF")
    if service.get("performer_function"):
        doc.coded(performer, "functionCode", service["performer_function"])
    _assigned(
        doc,
        performer,
        payload,
        payload["author"],
        with_org=doc.layout["performer_organization"],
        with_snils=doc.layout["performer_snils"],
    )


def _encounter(doc, edition, payload):
    encounter = payload["encounter"]
    element = doc.add(doc.add(doc.root, "componentOf"), "encompassingEncounter")
    doc.add(element, "id", root=f"{payload['ids']['base']}.15", extension=encounter["id"])
    doc.add(element, "id", root=f"{payload['ids']['base']}.17", extension=encounter["card_number"])
    doc.coded(element, "code", encounter["card_type"])
    if doc.layout["encounter_doc_type"]:
        doc.coded(element, "medService:DocType", edition.get("doc_type") or edition["document_code"], xsi_type="CD")
    period = doc.add(element, "effectiveTime")
    doc.add(period, "low", value=encounter["start"])
    doc.add(period, "high", value=encounter["end"])


def _entry_value(entry, values):
    """An entry's value: the edition's own (a fixed code) or the payload's value of its source."""
    return entry["value"] if "value" in entry else values.get(entry["source"])


def _section(doc, parent, section, payload):
    if section.get("vitals"):
        _vitals_section(doc, parent, section, payload)
        return
    if section.get("lab"):
        LAB_SECTIONS[section["lab"]](doc, parent, section, payload)
        return
    values = payload["values"]
    entries = [entry for entry in section.get("entries", ()) if _entry_value(entry, values)]
    if section.get("optional") and not entries:
        return
    element, text = _section_element(doc, parent, section, payload)
    if text is not None:
        for entry in entries:
            value = _entry_value(entry, values)
            doc.add(text, "paragraph", value["displayName"] if isinstance(value, dict) else value)
    for entry in entries:
        observation = doc.add(doc.add(element, "entry"), "observation", classCode="OBS", moodCode="EVN")
        # An entry is coded in the book of entry codes (99.2.166) unless the edition gives its code itself.
        entry_code = entry["code"] if isinstance(entry["code"], dict) else payload["codes"]["entries"][entry["code"]]
        doc.coded(observation, "code", entry_code)
        value = _entry_value(entry, values)
        if entry["type"] == "CD" and isinstance(value, str):
            # A coded field given in the doctor's words: «other» than any code of its book, with the text.
            coded = doc.add(observation, "value", xsi_type="CD", nullFlavor="OTH")
            doc.add(coded, "originalText", value)
        elif entry["type"] == "CD":
            doc.coded(observation, "value", value, xsi_type="CD")
        else:
            doc.add(observation, "value", value, xsi_type="ST")
    for child in section.get("sections", ()):
        _section(doc, element, child, payload)


def _section_element(doc, parent, section, payload):
    """The section with its code and title; returns it and its (empty) narrative block, or None where the
    edition's sections carry no narrative."""
    element = doc.add(doc.add(parent, "component"), "section")
    code = payload["codes"]["sections"][section["code"]]
    doc.coded(element, "code", code)
    doc.add(element, "title", code["displayName"])
    return element, doc.add(element, "text") if doc.layout["section_text"] else None


def _vitals_section(doc, parent, section, payload):
    """VITALPARAM: the measured parameters in organizers (one for all of them, or one each: see ``LAYOUT``),
    each a physical quantity in UCUM with its unit coded in the reference book of units as a translation."""
    vitals = payload.get("vitals") or {}
    items = list((vitals.get("items") or {}).values())
    if not items:
        return  # a section the edition requires is then missing: the schematron says so
    element, text = _section_element(doc, parent, section, payload)
    for item in items if text is not None else ():
        doc.add(text, "paragraph", f"{item['code']['displayName']}: {item['value']} {item['label']}")
    groups = [items] if doc.layout["vitals_in_one_organizer"] else [[item] for item in items]
    for group in groups:
        organizer = doc.add(doc.add(element, "entry"), "organizer", classCode="CLUSTER", moodCode="EVN")
        doc.add(organizer, "statusCode", code="completed")
        doc.add(organizer, "effectiveTime", value=vitals["time"])
        for item in group:
            component = doc.add(organizer, "component", typeCode="COMP")
            observation = doc.add(component, "observation", classCode="OBS", moodCode="EVN")
            doc.coded(observation, "code", item["code"])
            value = doc.add(observation, "value", xsi_type="PQ", value=item["value"], unit=item["unit"])
            translation = doc.coded(value, "translation", item["unit_code"])
            translation.set("value", item["value"])


# ---------------------------------------------------------------------- laboratory results
# An edition's section with ``"lab": "specimens" | "analysers" | "results"`` is filled from the payload's ``lab``:
# ``specimens`` [{id, code, time}], ``analysers`` [{id, name}] and ``results`` [{code, time, value, range,
# interpretation, specimen, analyser, performer}] (``value``: {type PQ, value, unit, unit_code} or {type ST, text};
# ``range``: {low, high} in the unit of a PQ value; ``specimen``, ``analyser`` and ``performer`` are ids of the others).


def _pq(doc, parent, tag, quantity, value, xsi_type=None, **attrs):
    """A physical quantity in UCUM with its unit coded in the book of units as a translation."""
    element = doc.add(parent, tag, xsi_type=xsi_type, value=value, unit=quantity["unit"], **attrs)
    translation = doc.coded(element, "translation", quantity["unit_code"])
    translation.set("value", value)
    return element


def _specimens_section(doc, parent, section, payload):
    """The biomaterials taken: one organizer per sample, its collection a procedure with the specimen's id."""
    specimens = payload["lab"]["specimens"]
    element, text = _section_element(doc, parent, section, payload)
    for specimen in specimens if text is not None else ():
        doc.add(text, "paragraph", f"{specimen['code']['displayName']}: {specimen['id']}")
    for specimen in specimens:
        organizer = doc.add(doc.add(element, "entry"), "organizer", classCode="CLUSTER", moodCode="EVN")
        doc.add(organizer, "statusCode", code="completed")
        doc.add(organizer, "effectiveTime", value=specimen["time"])
        procedure = doc.add(doc.add(organizer, "component"), "procedure", classCode="PROC", moodCode="EVN")
        doc.add(procedure, "code", nullFlavor="NI")
        doc.add(procedure, "statusCode", code="completed")
        doc.add(procedure, "effectiveTime", value=specimen["time"])
        role = doc.add(doc.add(procedure, "specimen"), "specimenRole")
        doc.add(role, "id", root=f"{payload['ids']['base']}.66", extension=specimen["id"])
        entity = doc.add(role, "specimenPlayingEntity", classCode="ENT", determinerCode="INSTANCE")
        doc.coded(entity, "code", specimen["code"])
        doc.add(entity, "quantity", nullFlavor="NI")


def _device(doc, parent, payload, analyser):
    """A participating analyser by its id in the clinic's list of equipment, or an unknown one."""
    role_parent = doc.add(parent, "participant", typeCode="DEV")
    if not analyser:
        return doc.add(role_parent, "participantRole", classCode="ROL", nullFlavor="UNK"), None
    role = doc.add(role_parent, "participantRole", classCode="ROL")
    doc.add(role, "id", root=f"{payload['ids']['base']}.67", extension=analyser["id"])
    return role, analyser


def _analysers_section(doc, parent, section, payload):
    """The equipment the results come from; an unknown device when no result names one."""
    analysers = payload["lab"]["analysers"]
    element, text = _section_element(doc, parent, section, payload)
    if text is not None:
        text.text = "; ".join(analyser["name"] for analyser in analysers) or "—"
    organizer = doc.add(doc.add(element, "entry"), "organizer", classCode="CLUSTER", moodCode="EVN")
    doc.add(organizer, "statusCode", code="completed")
    for analyser in analysers or [None]:
        role, known = _device(doc, organizer, payload, analyser)
        if known:
            doc.add(doc.add(role, "playingDevice"), "manufacturerModelName", known["name"])


def _result_text(result):
    value = result["value"]
    parts = [result["code"]["displayName"] + ":"]
    parts.append(f"{value['value']} {value['label']}" if value["type"] == "PQ" else value["text"])
    if result.get("range"):
        parts.append(f"({result['range']['low']}–{result['range']['high']})")
    if result.get("interpretation"):
        parts.append(result["interpretation"]["displayName"])
    return " ".join(parts)


def _lab_results_section(doc, parent, section, payload):
    """The results: one completed study holding one group (the edition's ``battery``: a code, or text for tests
    ordered one by one), each test an observation with its value, reference range, interpretation, specimen,
    performer and device."""
    lab = payload["lab"]
    ids = payload["ids"]["base"]
    analysers = {analyser["id"]: analyser for analyser in lab["analysers"]}
    element, text = _section_element(doc, parent, section, payload)
    for result in lab["results"] if text is not None else ():
        doc.add(text, "paragraph", _result_text(result))
    study = doc.add(doc.add(element, "entry"), "organizer", classCode="CLUSTER", moodCode="EVN")
    doc.add(study, "statusCode", code="completed")
    battery = doc.add(doc.add(study, "component"), "organizer", classCode="BATTERY", moodCode="EVN")
    if isinstance(section["battery"], dict):
        doc.coded(battery, "code", section["battery"])
    else:
        doc.add(doc.add(battery, "code", nullFlavor="OTH"), "originalText", section["battery"])
    doc.add(battery, "statusCode", code="completed")
    for result in lab["results"]:
        observation = doc.add(doc.add(battery, "component"), "observation", classCode="OBS", moodCode="EVN")
        doc.coded(observation, "code", result["code"])
        doc.add(observation, "statusCode", code="completed")
        doc.add(observation, "effectiveTime", value=result["time"])
        value = result["value"]
        if value["type"] == "PQ":
            _pq(doc, observation, "value", value, value["value"], xsi_type="PQ")
        else:
            doc.add(observation, "value", value["text"], xsi_type="ST")
        if result.get("interpretation"):
            doc.coded(observation, "interpretationCode", result["interpretation"])
        else:
            doc.add(observation, "interpretationCode", nullFlavor="NA")
        role = doc.add(doc.add(observation, "specimen"), "specimenRole")
        doc.add(role, "id", root=f"{ids}.66", extension=result["specimen"])
        entity = doc.add(doc.add(observation, "performer"), "assignedEntity")
        doc.add(entity, "id", root=f"{ids}.70", extension=result["performer"])
        _device(doc, observation, payload, analysers.get(result.get("analyser")))
        if result.get("range"):
            observation_range = doc.add(doc.add(observation, "referenceRange"), "observationRange")
            low, high = result["range"]["low"], result["range"]["high"]
            doc.add(observation_range, "text", f"{low}–{high} {value['label']}")
            range_value = doc.add(observation_range, "value", xsi_type="IVL_PQ")
            _pq(doc, range_value, "low", value, result["range"]["low"])
            _pq(doc, range_value, "high", value, result["range"]["high"])


LAB_SECTIONS = {
    "specimens": _specimens_section,
    "analysers": _analysers_section,
    "results": _lab_results_section,
}
