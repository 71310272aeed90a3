"""``--format junit``: a JUnit XML test report, for CI systems that show test results (GitLab,
Jenkins, Azure, CircleCI).

Each scanned story is a ``testsuite``; each finding a failing ``testcase`` (name: the rule and
position; message: the finding; body: the finding's line and its sentence underlined, as
``--format full`` shows it); a story without findings is one passing test case, and a file that
could not be read one errored test case. The document follows the Apache Ant JUnit schema
(``testsuites`` > ``testsuite`` with its ``properties``, ``system-out`` and ``system-err``), the
form those consumers parse. Text the XML cannot hold (control characters) is shown escaped.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from typing import Sequence

from mtcheck import __version__
from mtcheck.engine import FileResult
from mtcheck.fsutil import printable
from mtcheck.report import repo_path
from mtcheck.report.github import message
from mtcheck.report.text import snippet

# What XML 1.0 cannot carry even as a character reference (C0 controls but tab and line
# breaks, surrogates, U+FFFE/FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def render(results: Sequence[FileResult], signature: dict | None = None, **_) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    # (The Ant schema gives <testsuites> no attributes: the totals are the suites'.)
    root = ET.Element("testsuites")
    for i, r in enumerate(results):
        name = xml_text(repo_path(r.path))
        suite = ET.SubElement(root, "testsuite", name=name, package="mtcheck", id=str(i), timestamp=stamp,
                              hostname="localhost", time="0")
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="mtcheck", value=__version__)
        cases = fails = errs = 0
        if r.document is None:
            case = ET.SubElement(suite, "testcase", name="read", classname=name, time="0")
            err = ET.SubElement(case, "error", type=r.error.kind if r.error else "error",
                                message=xml_text(printable(r.error.message if r.error else "not read")))
            err.text = xml_text(printable(r.error.message if r.error else "not read"))
            cases, errs = 1, 1
        else:
            doc = r.document
            for f in doc.findings:
                line, col = doc.finding_lines(f)[:2]
                case = ET.SubElement(suite, "testcase", name=f"{f.code} at {line}:{col}", classname=name, time="0")
                fail = ET.SubElement(case, "failure", type=f"{f.code} {f.severity} [{f.category}]",
                                     message=xml_text(message(f)))
                fail.text = xml_text(f"{printable(r.path)}:{line}:{col}: {f.code} {f.severity} [{f.category}] {message(f)}\n{snippet(doc, f)}\n")
                cases += 1
                fails += 1
            if not doc.findings:
                ET.SubElement(suite, "testcase", name="no findings", classname=name, time="0")
                cases = 1
        ET.SubElement(suite, "system-out").text = ""
        ET.SubElement(suite, "system-err").text = ""
        suite.set("tests", str(cases))
        suite.set("failures", str(fails))
        suite.set("errors", str(errs))
        suite.set("skipped", "0")
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
