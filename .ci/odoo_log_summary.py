#!/usr/bin/env python3
"""Count the test results of an Odoo 18 ``--test-enable --log-level=test`` log.

Odoo logs, through ``odoo/tests/result.py`` (``OdooTestResult``):

* ``Starting <Class>.<method> ...`` (INFO, logger = the test's module) when a test starts;
* ``FAIL: <description>`` / ``ERROR: <description>`` (ERROR, traceback on the following lines)
  for each failure or error; the description is ``<Class>.<method>``, ``Subtest <Class>.<method>
  (<params>)``, or ``setUpClass (<module>.<Class>)`` for class-level errors (logger
  ``odoo.tests.suite``, no ``Starting`` line);
* ``skipped <description> : <reason>`` (INFO) for each skip;
* at the very end (``odoo/service/server.py``) ``<F> failed, <E> error(s) of <N> tests when
  loading database '<db>'`` (logger ``odoo.tests.result``).

A test is *passed* when it started and neither failed, errored nor was skipped. Everything else
is a failure: failed and errored tests, skipped tests (a skipped tour is a test that did not run),
class-level errors, every other ERROR or CRITICAL log record (a module that does not install, a
data file that does not load, an error logged during a test), a traceback logged outside a test,
a test-count mismatch with Odoo's own summary, and a non-zero exit code of odoo-bin.

Usage: odoo_log_summary.py LOG [--rc N] [--counts FILE] [--failures FILE]

Prints a report on stdout; ``--counts`` gets ``passed=N`` and ``failed=N`` lines, ``--failures``
one line per failure (appended). Exit code: 0 when nothing failed, 1 otherwise.
"""

import argparse
import re
import sys
from dataclasses import dataclass, field

ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")
# '%(asctime)s %(pid)s %(levelname)s %(dbname)s %(name)s: %(message)s %(perf_info)s'
RECORD_RE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (?P<pid>\d+) (?P<level>[A-Z_]+) "
    r"(?P<db>\S+) (?P<logger>\S+?): (?P<msg>.*)$"
)
TEST_LOGGER_RE = re.compile(r"^odoo\.addons\.\w+\.tests(\.|$)")
STARTING_RE = re.compile(r"^Starting (?P<desc>[\w.]+\.\w+) \.\.\.\s*$")
SKIPPED_RE = re.compile(r"^skipped (?P<desc>.+?) : (?P<reason>.*)$")
RESULT_RE = re.compile(r"^(?P<flavour>FAIL|ERROR): (?P<desc>.*)$")
SUBTEST_RE = re.compile(r"^Subtest (?P<desc>[\w.]+\.\w+)(?: .*)?$")
SUMMARY_RE = re.compile(
    r"^(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests when loading database"
)
# Records that only repeat, in summary, failures already counted one by one.
REDUNDANT = [
    ("odoo.modules.loading", re.compile(r"^At least one test failed when loading the modules")),
    ("odoo.modules.loading", re.compile(r"^Module \w+: \d+ failures, \d+ errors of \d+ tests")),
    ("odoo.service.server", re.compile(r": at least one error occurred in a test$")),
    ("odoo.tests.result", SUMMARY_RE),
]
# Records after which no test is running any more (install steps between modules, end of tests).
OUT_OF_TEST_LOGGERS = ("odoo.modules.loading", "odoo.modules.registry", "odoo.service.server", "odoo.tests.stats")
TRACEBACK = "Traceback (most recent call last):"
EXCEPTION_RE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit|Warning)\b: ")
LEVELS_FAILING = ("ERROR", "CRITICAL")
MAX_DETAILED = 40  # failures printed with their traceback tail; the rest by title only


@dataclass
class Record:
    lineno: int
    level: str
    logger: str
    msg: str
    extra: list = field(default_factory=list)

    @property
    def text(self):
        return "\n".join([self.msg, *self.extra])

    def has_traceback(self):
        return any(line.startswith(TRACEBACK) or TRACEBACK in line for line in [self.msg, *self.extra])

    def exception(self):
        """The exception line ("Type: message") ending the record's last traceback, if any."""
        found, in_frames = None, False
        for line in [self.msg, *self.extra]:
            if TRACEBACK in line:
                in_frames = True
            elif in_frames and line.strip() and not line[0].isspace():
                found, in_frames = line.strip(), False
        return found

    def tail(self, lines=12):
        """First line, the exception lines of its traceback(s), then the last lines."""
        body = [line for line in [self.msg, *self.extra] if line.strip()]
        if len(body) <= lines:
            return body
        exceptions = [line for line in body[1 : -(lines - 1)] if EXCEPTION_RE.match(line)][-3:]
        if (cause := self.exception()) and cause not in exceptions and cause not in body[-(lines - 1) :]:
            exceptions.append(cause)
        return [body[0], *exceptions, "    ...", *body[-(lines - 1) :]]


def short_module(logger):
    return logger[len("odoo.addons.") :] if logger.startswith("odoo.addons.") else logger


def read_records(path):
    """Group the log into records; lines that don't start a record continue the previous one."""
    records = []
    orphan = None  # continuation lines before any record (e.g. a traceback printed on stderr)
    with open(path, encoding="utf-8", errors="replace") as log:
        for lineno, raw in enumerate(log, 1):
            line = ANSI_RE.sub("", raw.rstrip("\n"))
            match = RECORD_RE.match(line)
            if match:
                records.append(Record(lineno, match["level"], match["logger"], match["msg"].rstrip()))
            elif records:
                records[-1].extra.append(line)
            elif line.strip():
                if orphan is None:
                    orphan = Record(lineno, "STDERR", "(stderr)", line)
                    records.append(orphan)
                else:
                    orphan.extra.append(line)
    return records


class Summary:
    """Walks the records once; a test is "running" from its Starting line to the next test or
    to the next record of the install machinery (OUT_OF_TEST_LOGGERS)."""

    def __init__(self):
        self.tests = {}  # (logger, "Class.method") -> {"id", "status", "detail"}, in start order
        self.failures = []  # failures not attached to a started test: (title, detail lines)
        self.notes = []
        self.result_records = 0  # FAIL/ERROR records seen
        self.odoo_summary = None  # Odoo's own "<F> failed, <E> error(s) of <N> tests" line
        self.current = None  # key of the running test

    def feed(self, rec):
        if rec.logger in OUT_OF_TEST_LOGGERS:
            self.current = None
        if TEST_LOGGER_RE.match(rec.logger) and (match := STARTING_RE.match(rec.msg)):
            self._starting(rec, match)
        elif rec.level in ("INFO", "RUNBOT") and (match := SKIPPED_RE.match(rec.msg)):
            self._skipped(rec, match)
        elif rec.level in LEVELS_FAILING and (match := RESULT_RE.match(rec.msg)):
            self._result(rec, match)
        elif not self._redundant(rec):
            self._other(rec)

    def _starting(self, rec, match):
        key = (rec.logger, match["desc"])
        if key not in self.tests:
            self.tests[key] = {"id": f"{short_module(rec.logger)}: {match['desc']}", "status": "passed", "detail": []}
        self.current = key

    def _skipped(self, rec, match):
        key = (rec.logger, match["desc"])
        reason = [f"reason: {match['reason']}"]
        if key in self.tests:
            self.tests[key].update(status="skipped", detail=reason)
        else:  # a whole class skipped in setUpClass: no Starting line
            self.failures.append((f"SKIPPED {short_module(rec.logger)}: {match['desc']}", reason))

    def _result(self, rec, match):
        self.result_records += 1
        desc = match["desc"].strip()
        sub = SUBTEST_RE.match(desc)
        test = self.tests.get((rec.logger, sub["desc"] if sub else desc))
        detail = [f"{match['flavour']}: {desc}", *rec.tail()[1:]]
        cause = rec.exception()
        if test is None:  # setUpClass/tearDownClass errors have no Starting line
            title = f"{match['flavour']} {short_module(rec.logger)}: {desc}"
            self.failures.append((f"{title} -- {cause[:200]}" if cause else title, detail[1:]))
        elif test["status"] != "failed":
            test.update(status="failed", detail=detail, cause=cause)
        else:  # several failing subtests
            test["detail"] += detail

    def _redundant(self, rec):
        for logger, pattern in REDUNDANT:
            if rec.logger == logger and pattern.search(rec.msg):
                if summary := SUMMARY_RE.match(rec.msg):
                    self.odoo_summary = {k: int(v) for k, v in summary.groupdict().items()}
                return True
        return False

    def _other(self, rec):
        title = f"line {rec.lineno}: {rec.logger}: {rec.msg[:200]}"
        if cause := rec.exception():
            title += f" -- {cause[:200]}"
        if rec.level in LEVELS_FAILING:
            where = f" while {self.tests[self.current]['id']} ran" if self.current else ""
            self.failures.append((f"{rec.level} logged{where}, {title}", rec.tail()[1:]))
        elif self.current is None and rec.has_traceback():
            self.failures.append((f"TRACEBACK outside a test, in or after {title}", rec.tail()[1:]))

    def result(self, rc=0):
        failures = list(self.failures)
        if self.odoo_summary:
            reported = self.odoo_summary["failed"] + self.odoo_summary["errors"]
            if reported > self.result_records:
                failures.append(
                    (
                        f"Odoo reported {self.odoo_summary['failed']} failed and {self.odoo_summary['errors']} "
                        f"error(s), but only {self.result_records} FAIL/ERROR record(s) are in the log",
                        [],
                    )
                )
            if self.odoo_summary["run"] != len(self.tests):
                self.notes.append(
                    f"Odoo counted {self.odoo_summary['run']} tests, the log has {len(self.tests)} 'Starting' lines"
                )
        by_status = {"passed": [], "failed": [], "skipped": []}
        for test in self.tests.values():
            by_status[test["status"]].append(test)
        items = [
            (f"FAILED {t['id']}" + (f" -- {t['cause'][:200]}" if t.get("cause") else ""), t["detail"])
            for t in by_status["failed"]
        ]
        items += [(f"SKIPPED {t['id']}", t["detail"]) for t in by_status["skipped"]]
        items += failures
        if rc == 124:
            items.append(("odoo-bin timed out (stopped by timeout)", []))
        elif rc == 137:
            items.append(("odoo-bin was killed (SIGKILL: it ignored timeout's SIGTERM, or ran out of memory)", []))
        elif rc and not items:
            items.append((f"odoo-bin exited with code {rc} but the log shows no failure", []))
        return {
            "started": len(self.tests),
            "passed": len(by_status["passed"]),
            "failed": len(by_status["failed"]),
            "skipped": len(by_status["skipped"]),
            "other": len(items) - len(by_status["failed"]) - len(by_status["skipped"]),
            "items": items,
            "notes": self.notes,
            "odoo_summary": self.odoo_summary,
        }


def summarize(records, rc=0):
    summary = Summary()
    for rec in records:
        summary.feed(rec)
    return summary.result(rc)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("log")
    parser.add_argument("--rc", type=int, default=0, help="exit code of odoo-bin (124, 137: timeout)")
    parser.add_argument("--counts", help="write passed=N and failed=N to this file")
    parser.add_argument("--failures", help="append one line per failure to this file")
    args = parser.parse_args(argv)

    try:
        records = read_records(args.log)
    except OSError as exc:
        records = []
        summary = summarize(records, args.rc)
        summary["items"].append((f"cannot read the Odoo log: {exc}", []))
    else:
        summary = summarize(records, args.rc)

    failed_total = len(summary["items"])
    summary["other"] = failed_total - summary["failed"] - summary["skipped"]
    # files first: the report below may be cut short (closed pipe)
    if args.counts:
        with open(args.counts, "w", encoding="utf-8") as out:
            out.write(f"passed={summary['passed']}\nfailed={failed_total}\n")
    if args.failures:
        with open(args.failures, "a", encoding="utf-8") as out:
            for title, _detail in summary["items"]:
                out.write(f"odoo: {title}\n")

    print(
        f"Odoo tests: {summary['started']} started, {summary['passed']} passed, {summary['failed']} failed, "
        f"{summary['skipped']} skipped; {summary['other']} other failure(s) (error logs, class-level errors, "
        "tracebacks, exit code)"
    )
    if summary["odoo_summary"]:
        s = summary["odoo_summary"]
        print(f"Odoo's own count: {s['failed']} failed, {s['errors']} error(s) of {s['run']} tests")
    for note in summary["notes"]:
        print(f"note: {note}")
    for number, (title, detail) in enumerate(summary["items"]):
        print(f"  - {title}")
        for line in detail if number < MAX_DETAILED else ():
            print(f"        {line}")
    return 1 if failed_total else 0


if __name__ == "__main__":
    sys.exit(main())
