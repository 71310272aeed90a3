"""The CI formats, each checked against what its consumer documents or ships: reviewdog's rdjson
JSON schema (tests/data/rdjson-DiagnosticResult.json, from reviewdog's proto/rdf/jsonschema),
a real JUnit XML parser (junitparser) and the Ant JUnit XSD (tests/data/JUnit.xsd, windyroad's
JUnit-Schema), GitLab's documented code-quality fields and GitHub's workflow-command syntax."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from mtcheck.report.github import escape_data, escape_property

DATA = Path(__file__).resolve().parent / "data"
STORY = ("Talks in Moscow\n\n"
         "«Коммерсант» said that a RAID by coalition aircraft hit the LIH positions.\n\n"
         "The us command said that the talks ended. Control\x1b[1m chars and 北京 too.\n")


@pytest.fixture
def stories(tmp_path, monkeypatch, seeds_dir):
    """The seeds and a story with Cyrillic, wide letters and a control character, scanned from
    their folder (so the reports name them relative to it, as in a CI checkout)."""
    (tmp_path / "seeds").mkdir()
    for seed in seeds_dir.glob("*.txt"):
        (tmp_path / "seeds" / seed.name).write_bytes(seed.read_bytes())
    (tmp_path / "seeds" / "mixed.txt").write_text(STORY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(cli, fmt, *paths):
    result = cli("scan", *(paths or ("seeds",)), "--no-neural", "--format", fmt)
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    return result.stdout


def findings(cli, *paths):
    report = json.loads(run(cli, "json", *paths))
    return [(file_["path"], f) for file_ in report["files"] for f in file_["findings"]]


# -- rdjson (reviewdog) -----------------------------------------------------------------------------
def strict(schema):
    """The schema with additionalProperties false wherever it lists properties: a misspelled
    field name (which reviewdog would silently ignore) fails validation."""
    out = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if "properties" in node:
                node["additionalProperties"] = False
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(out)
    return out


def byte_offset(text: str, line: int, column: int) -> int:
    """The code-point offset of reviewdog's (line, UTF-8 byte column)."""
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    start = starts[line - 1]
    line_bytes = text[start:].encode("utf-8")[:column - 1]
    return start + len(line_bytes.decode("utf-8"))


def test_rdjson_validates_against_reviewdogs_schema(cli, stories):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((DATA / "rdjson-DiagnosticResult.json").read_text())
    report = json.loads(run(cli, "rdjson"))
    jsonschema.Draft4Validator(schema).validate(report)
    jsonschema.Draft4Validator(strict(schema)).validate(report)
    expected = findings(cli)
    assert len(report["diagnostics"]) == len(expected) > 0
    for d, (path, f) in zip(report["diagnostics"], expected):
        assert d["location"]["path"] == path and d["code"]["value"] == f["rule"]
        assert d["severity"] == f["severity"].upper()
        assert d["location"]["range"]["start"]["line"] == f["line"]


def test_rdjson_columns_are_utf8_bytes_and_suggestions_replace_the_span(cli, stories):
    report = json.loads(run(cli, "rdjson", "seeds/mixed.txt"))
    text = STORY
    by_code = {d["code"]["value"]: d for d in report["diagnostics"]}
    raid = by_code["S105"]["location"]["range"]["start"]
    line_text = text.splitlines()[raid["line"] - 1]
    # «Коммерсант» is 11 letters but 22 bytes before "RAID" moves it: the byte column.
    assert raid["column"] == len(line_text[:line_text.index("RAID")].encode("utf-8")) + 1
    assert raid["column"] != line_text.index("RAID") + 1
    for d in report["diagnostics"]:
        rng = d["location"]["range"]
        start = byte_offset(text, rng["start"]["line"], rng["start"]["column"])
        end = byte_offset(text, rng["end"]["line"], rng["end"]["column"])
        assert text[start:end].strip()  # the span names real text
        for s in d.get("suggestions", []):
            a = byte_offset(text, s["range"]["start"]["line"], s["range"]["start"]["column"])
            b = byte_offset(text, s["range"]["end"]["line"], s["range"]["end"]["column"])
            fixed = text[:a] + s["text"] + text[b:]
            if d["code"]["value"] == "S105":
                assert fixed == text.replace("RAID", "raid")
            if d["code"]["value"] == "E101":
                assert fixed == text.replace("LIH", "ISIL")


# -- JUnit ------------------------------------------------------------------------------------------
def test_junit_reads_with_a_real_parser_and_matches_the_findings(cli, stories, tmp_path):
    junitparser = pytest.importorskip("junitparser")
    out = tmp_path / "report.xml"
    out.write_text(run(cli, "junit"), encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(out))
    suites = list(xml)
    expected = findings(cli)
    files = sorted({p for p, _ in expected})
    assert [s.name for s in suites] == sorted(p.as_posix() for p in Path("seeds").glob("*.txt"))
    cases = [(s.name, c) for s in suites for c in s]
    failing = [(name, c) for name, c in cases if c.result]
    assert len(failing) == len(expected) and {n for n, _ in failing} == set(files)
    for (name, case), (path, f) in zip(failing, expected):
        (result,) = case.result
        assert isinstance(result, junitparser.Failure)
        assert name == path and case.name == f"{f['rule']} at {f['line']}:{f['col']}"
        assert result.type == f"{f['rule']} {f['severity']} [{f['category']}]"
        assert result.message.startswith(f["message"])
    for s in suites:
        assert s.tests == len(list(s)) and s.failures == sum(1 for c in s if c.result)


def test_junit_validates_against_the_junit_xsd(cli, stories):
    etree = pytest.importorskip("lxml.etree")
    schema = etree.XMLSchema(etree.parse(str(DATA / "JUnit.xsd")))
    doc = etree.fromstring(run(cli, "junit").encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    assert schema.validate(doc), schema.error_log
    # The control character of mixed.txt is shown escaped: XML 1.0 cannot carry it.
    shown = etree.tostring(doc, encoding="unicode")
    assert "\\x1b[1m" in shown and "\x1b" not in shown


def test_junit_of_a_clean_story_and_an_unreadable_file(cli, tmp_path, monkeypatch):
    junitparser = pytest.importorskip("junitparser")
    monkeypatch.chdir(tmp_path)
    Path("clean.txt").write_text("The talks ended on Monday.\n")
    Path("empty.txt").write_text("")
    result = cli("scan", "clean.txt", "empty.txt", "--no-neural", "--format", "junit")
    assert result.exit_code == 2  # the empty file is an input error
    Path("r.xml").write_text(result.stdout)
    suites = {s.name: list(s) for s in junitparser.JUnitXml.fromfile("r.xml")}
    assert [c.name for c in suites["clean.txt"]] == ["no findings"] and not suites["clean.txt"][0].result
    (err,) = suites["empty.txt"][0].result
    assert isinstance(err, junitparser.Error)


# -- GitLab code quality ----------------------------------------------------------------------------
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def test_gitlab_report_has_gitlabs_required_fields(cli, stories):
    issues = json.loads(run(cli, "gitlab"))
    expected = findings(cli)
    assert isinstance(issues, list) and len(issues) == len(expected)
    for issue, (path, f) in zip(issues, expected):
        assert isinstance(issue["description"], str) and issue["description"]
        assert issue["check_name"] == f["rule"]
        assert isinstance(issue["fingerprint"], str) and issue["fingerprint"]
        assert issue["severity"] in GITLAB_SEVERITIES
        assert issue["location"]["path"] == path and not path.startswith("/")
        assert issue["location"]["lines"]["begin"] == f["line"] >= 1
    # GitLab tells issues apart by fingerprint: unique, and stable when other lines change.
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    mixed = Path("seeds/mixed.txt")
    before = {i["fingerprint"] for i in json.loads(run(cli, "gitlab", mixed))}
    mixed.write_text(STORY.replace("Talks in Moscow\n\n", "Talks in Moscow\n\nA new first paragraph.\n\n"), encoding="utf-8")
    assert {i["fingerprint"] for i in json.loads(run(cli, "gitlab", mixed))} == before


# -- GitHub workflow commands -----------------------------------------------------------------------
COMMAND = re.compile(r"^::(?P<level>error|warning|notice) (?P<props>[^:]*)::(?P<message>.*)$")


def unescape_property(text: str) -> str:
    return text.replace("%2C", ",").replace("%3A", ":").replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def test_github_annotations_follow_the_workflow_command_syntax(cli, stories):
    lines = run(cli, "github").splitlines()
    expected = findings(cli)
    assert len(lines) == len(expected)
    level = {"error": "error", "warning": "warning", "info": "notice"}
    for line, (path, f) in zip(lines, expected):
        m = COMMAND.match(line)
        assert m, line
        props = dict(p.split("=", 1) for p in m["props"].split(","))
        assert list(props) == ["file", "line", "col", "endLine", "endColumn", "title"]
        assert unescape_property(props["file"]) == path
        assert (int(props["line"]), int(props["col"]), int(props["endLine"]), int(props["endColumn"])) == (
            f["line"], f["col"], f["end_line"], f["end_col"])
        assert m["level"] == level[f["severity"]]
        assert unescape_property(props["title"]) == f"{f['rule']} {f['severity']} [{f['category']}]"
        assert m["message"].startswith(f["message"].replace("%", "%25"))
        assert "\x1b" not in line and "\n" not in line


def test_github_escapes_percent_newlines_and_property_separators(cli, tmp_path, monkeypatch):
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a,b: 5%\n") == "a%2Cb%3A 5%25%0A"
    monkeypatch.chdir(tmp_path)
    name = "wire, 12:00 100%.txt"
    Path(name).write_text("Talks\n\nThe RAID on the town was reported on Monday.\n")
    (line,) = cli("scan", name, "--no-neural", "--format", "github").stdout.splitlines()
    props = dict(p.split("=", 1) for p in COMMAND.match(line)["props"].split(","))
    assert props["file"] == "wire%2C 12%3A00 100%25.txt" and unescape_property(props["file"]) == name


@pytest.mark.parametrize("fmt", ["github", "rdjson", "junit", "gitlab"])
def test_ci_formats_of_a_clean_run(cli, tmp_path, fmt):
    story = tmp_path / "clean.txt"
    story.write_text("The talks ended on Monday.\n")
    result = cli("scan", story, "--no-neural", "--format", fmt)
    assert result.exit_code == 0
    if fmt == "github":
        assert result.stdout == ""
    elif fmt == "rdjson":
        assert json.loads(result.stdout)["diagnostics"] == []
    elif fmt == "gitlab":
        assert json.loads(result.stdout) == []
    else:
        assert "<failure" not in result.stdout and "<testsuite " in result.stdout


def test_rdjson_of_a_wire_story_points_into_the_original_file(cli, tmp_path, monkeypatch):
    """A NITF story: the range is in the XML file (its lines, its UTF-8 bytes), and no suggestion
    is offered, since a replacement would need the format's escaping to be pasted there."""
    wire = DATA / "wire" / "003_ffa3510338295b69.nitf.xml"
    if not wire.is_file():
        pytest.skip("no wire fixtures")
    monkeypatch.chdir(tmp_path)
    Path("story.nitf.xml").write_bytes(wire.read_bytes())
    report = json.loads(run(cli, "rdjson", "story.nitf.xml"))
    raw = Path("story.nitf.xml").read_bytes()
    lines = raw.split(b"\n")
    expected = findings(cli, "story.nitf.xml")
    assert len(report["diagnostics"]) == len(expected) > 0
    for d, (_, f) in zip(report["diagnostics"], expected):
        assert d["location"]["path"] == "story.nitf.xml" and "suggestions" not in d
        rng = d["location"]["range"]
        line = lines[rng["start"]["line"] - 1]
        if rng["start"]["line"] == rng["end"]["line"] and "&" not in f["text"]:
            assert line[rng["start"]["column"] - 1:rng["end"]["column"] - 1].decode("utf-8") == f["text"]
