"""XSD and Schematron validation of a SEMD, compiled once per edition and kept for the process.

The official schematrons are ISO Schematron with XSLT 2.0 queries over the CDA default namespace,
written with unprefixed element names. They use only ``ns``, ``pattern``, ``rule``, ``assert`` and
``report``: they are compiled here into one XSLT 3.0 stylesheet (``xpath-default-namespace`` set to
the CDA namespace), run by Saxon (``saxonche``), which lxml cannot do (XSLT 1.0 only).
"""

import atexit
import threading

from lxml import etree

SCH_NS = "http://purl.oclc.org/dsdl/schematron"
XSL_NS = "http://www.w3.org/1999/XSL/Transform"
CDA_NS = "urn:hl7-org:v3"
_lock = threading.Lock()
_xsd_cache = {}
_sch_cache = {}
# Saxon's native objects must go before the interpreter tears its modules down, or their destructor fails.
atexit.register(_sch_cache.clear)


def _absolute(context):
    """Rule contexts are match patterns; as select expressions from the root they need a leading //."""
    parts = []
    depth = 0
    current = ""
    for char in context:  # split on | outside predicates
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        if char == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return " | ".join(part.strip() if part.strip().startswith("/") else "//" + part.strip() for part in parts)


def compile_schematron(sch_bytes):
    """Return the XSLT (bytes) checking ``sch_bytes``: one ``<failed>`` element per failed assert or report."""
    schema = etree.fromstring(sch_bytes)
    ns = {"s": SCH_NS}
    E = f"{{{XSL_NS}}}"
    xslt = etree.Element(
        E + "stylesheet",
        nsmap={"xsl": XSL_NS, **{n.get("prefix"): n.get("uri") for n in schema.findall("s:ns", ns)}},
        version="3.0",
        **{"xpath-default-namespace": CDA_NS, "exclude-result-prefixes": "#all"},
    )
    root_template = etree.SubElement(xslt, E + "template", match="/")
    report = etree.SubElement(root_template, "report")
    for pattern in schema.iterfind("s:pattern", ns):
        earlier = []
        for rule in pattern.iterfind("s:rule", ns):
            select = _absolute(rule.get("context"))
            # In a pattern a node is checked by its first matching rule only.
            if earlier:
                select = f"({select}) except ({' | '.join(earlier)})"
            earlier.append(_absolute(rule.get("context")))
            loop = etree.SubElement(report, E + "for-each", select=select)
            for check in rule:
                if not isinstance(check.tag, str) or check.tag not in (f"{{{SCH_NS}}}assert", f"{{{SCH_NS}}}report"):
                    continue
                test = check.get("test")
                if check.tag == f"{{{SCH_NS}}}assert":
                    test = f"not({test})"
                condition = etree.SubElement(loop, E + "if", test=test)
                failed = etree.SubElement(condition, "failed")
                location = etree.SubElement(failed, E + "attribute", name="location")
                location.set("select", "path(.)")
                failed_text = etree.SubElement(failed, E + "text")
                failed_text.text = " ".join("".join(check.itertext()).split())
    return etree.tostring(xslt, xml_declaration=True, encoding="UTF-8")


class _Schematron:
    """A compiled schematron: Saxon's processor and executable are reused for every document."""

    def __init__(self, sch_path):
        from saxonche import PySaxonProcessor  # noqa: PLC0415 - heavy native import, only when validating

        with open(sch_path, "rb") as sch_file:
            xslt_bytes = compile_schematron(sch_file.read())
        self.processor = PySaxonProcessor(license=False)
        compiler = self.processor.new_xslt30_processor()
        self.executable = compiler.compile_stylesheet(stylesheet_text=xslt_bytes.decode("utf-8"))

    def check(self, xml_bytes):
        node = self.processor.parse_xml(xml_text=xml_bytes.decode("utf-8"))
        result = self.executable.transform_to_string(xdm_node=node)
        report = etree.fromstring(result.encode("utf-8"))
        return [(failed.get("location") or "", failed.text or "") for failed in report]


def schematron_errors(sch_path, xml_bytes):
    """Failed schematron checks of ``xml_bytes`` as ``(location, message)`` pairs."""
    with _lock:
        compiled = _sch_cache.get(sch_path)
        if compiled is None:
            compiled = _sch_cache[sch_path] = _Schematron(sch_path)
        return compiled.check(xml_bytes)


def xsd_errors(xsd_path, xml_bytes):
    """XSD errors of ``xml_bytes`` as ``(location, message)`` pairs."""
    with _lock:
        schema = _xsd_cache.get(xsd_path)
        if schema is None:
            schema = _xsd_cache[xsd_path] = etree.XMLSchema(etree.parse(xsd_path))
    document = etree.fromstring(xml_bytes)
    if schema.validate(document):
        return []
    return [(error.path or "", error.message) for error in schema.error_log]
