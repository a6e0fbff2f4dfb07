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
XS_NS = "http://www.w3.org/2001/XMLSchema"
CDA_NS = "urn:hl7-org:v3"
_lock = threading.Lock()
_xsd_cache = {}
_sch_cache = {}
# Saxon's native objects must go before the interpreter tears its modules down, or their destructor fails.
atexit.register(_sch_cache.clear)


def compile_schematron(sch_bytes):
    """Return the XSLT (bytes) checking ``sch_bytes``: one ``<failed>`` element per failed assert or report.

    One walk over the elements checks every pattern: each rule is a template, all in one mode with
    priorities in document order; ``xsl:next-match`` hands the element on to the next matching rule, and
    the ``done`` parameter carries the patterns already checked, so that within a pattern an element is
    checked by its first matching rule only (Schematron's rule). Contexts are elements only.
    """
    schema = etree.fromstring(sch_bytes)
    ns = {"s": SCH_NS}
    E = f"{{{XSL_NS}}}"
    xslt = etree.Element(
        E + "stylesheet",
        nsmap={"xsl": XSL_NS, "xs": XS_NS, **{n.get("prefix"): n.get("uri") for n in schema.findall("s:ns", ns)}},
        version="3.0",
        **{"xpath-default-namespace": CDA_NS, "exclude-result-prefixes": "#all"},
    )
    etree.SubElement(xslt, E + "mode", **{"on-no-match": "shallow-skip"})
    root_template = etree.SubElement(xslt, E + "template", match="/")
    etree.SubElement(etree.SubElement(root_template, "report"), E + "apply-templates", select="*")
    rules = [(number, rule) for number, pattern in enumerate(schema.iterfind("s:pattern", ns)) for rule in pattern]
    rules = [(number, rule) for number, rule in rules if rule.tag == f"{{{SCH_NS}}}rule"]
    for order, (number, rule) in enumerate(rules):
        template = etree.SubElement(xslt, E + "template", match=rule.get("context"), priority=str(len(rules) - order))
        etree.SubElement(template, E + "param", name="done", select="()", **{"as": "xs:integer*"})
        choose = etree.SubElement(template, E + "choose")
        skip = etree.SubElement(choose, E + "when", test=f"$done = {number}")
        etree.SubElement(etree.SubElement(skip, E + "next-match"), E + "with-param", name="done", select="$done")
        check_rule = etree.SubElement(choose, E + "otherwise")
        for check in rule:
            if not isinstance(check.tag, str) or check.tag not in (f"{{{SCH_NS}}}assert", f"{{{SCH_NS}}}report"):
                continue
            test = check.get("test")
            if check.tag == f"{{{SCH_NS}}}assert":
                test = f"not({test})"
            condition = etree.SubElement(check_rule, E + "if", test=test)
            failed = etree.SubElement(condition, "failed")
            location = etree.SubElement(failed, E + "attribute", name="location")
            location.set("select", "path(.)")
            failed_text = etree.SubElement(failed, E + "text")
            failed_text.text = " ".join("".join(check.itertext()).split())
        next_match = etree.SubElement(check_rule, E + "next-match")
        etree.SubElement(next_match, E + "with-param", name="done", select=f"($done, {number})")
    # Below every rule: go on to the children, with no pattern done.
    fallback = etree.SubElement(xslt, E + "template", match="*", priority="-1")
    etree.SubElement(fallback, E + "apply-templates", select="*")
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
