"""Output formats: the JSON contract, SARIF 2.1.0 structure, the text formats (concise, full) and their colour."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
from pathlib import Path

import pytest

from mtcheck.reader import read_document
from mtcheck.rules import all_rules

CATEGORIES = {"entity", "style", "boilerplate", "syntax", "language", "integrity", "suppression"}
SEVERITIES = {"error", "warning", "info"}
FINDING_FIELDS = {"rule": str, "category": str, "severity": str, "start": int, "end": int, "line": int,
                  "col": int, "text": str, "message": str, "suggestion": (str, type(None)), "safe_fix": bool}
SENTENCE_FIELDS = {"start": int, "end": int, "text": str, "flagged": bool}


def scan_json(cli, *args) -> tuple[int, dict]:
    result = cli("scan", *args, "--format", "json")
    assert "Traceback" not in result.stderr
    return result.exit_code, json.loads(result.stdout)


def check_json_contract(report: dict) -> None:
    assert report["version"] == 1
    assert isinstance(report["summary"], dict)
    for file_ in report["files"]:
        assert {"path", "encoding", "findings", "sentences"} <= set(file_)
        decoded = read_document(file_["path"]).text
        assert file_["encoding"] == read_document(file_["path"]).encoding
        for f in file_["findings"]:
            for key, kind in FINDING_FIELDS.items():
                assert isinstance(f[key], kind), (key, f)
            assert f["category"] in CATEGORIES and f["severity"] in SEVERITIES
            assert re.fullmatch(r"[EXSBLIM]\d{3}", f["rule"])
            assert re.fullmatch(r"[0-9a-f]{24}:\d+", f["fingerprint"])
            assert 0 <= f["start"] <= f["end"] <= len(decoded)
            assert decoded[f["start"]:f["end"]] == f["text"], f
            line_start = decoded.rfind("\n", 0, f["start"]) + 1
            assert (f["line"], f["col"]) == (decoded.count("\n", 0, f["start"]) + 1, f["start"] - line_start + 1)
            assert f["safe_fix"] is False or f["suggestion"] is not None
        flagged_spans = [(f["start"], f["end"]) for f in file_["findings"] if f["category"] in ("syntax", "language")]
        for s in file_["sentences"]:
            for key, kind in SENTENCE_FIELDS.items():
                assert isinstance(s[key], kind)
            assert decoded[s["start"]:s["end"]] == s["text"]
            holds = any(s["start"] <= a < s["end"] or (a <= s["start"] and b > s["start"]) for a, b in flagged_spans)
            assert s["flagged"] == holds, s


def test_json_contract_on_every_seed(cli, seeds_dir):
    code, report = scan_json(cli, seeds_dir, "--no-neural")
    assert code == 1
    assert len(report["files"]) == 5
    check_json_contract(report)
    summary = report["summary"]
    assert summary["findings"] == sum(len(f["findings"]) for f in report["files"])
    assert summary["sentences"] == sum(len(f["sentences"]) for f in report["files"])
    assert summary["files_scanned"] == 5 and summary["files_skipped"] == 0
    assert report["errors"] == []


@pytest.mark.slow
@pytest.mark.usefixtures("spacy_pipeline")
def test_json_contract_with_the_parse(cli, seeds_dir):
    code, report = scan_json(cli, seeds_dir, "--no-neural", "--parse")
    check_json_contract(report)
    flagged = sum(s["flagged"] for f in report["files"] for s in f["sentences"])
    assert flagged == report["summary"]["flagged_sentences"] > 0
    syntax = [f for file_ in report["files"] for f in file_["findings"] if f["category"] == "syntax"]
    assert {f["rule"] for f in syntax} >= {"X102", "X103", "X104", "X105"}


def test_json_contract_on_non_utf8_input(cli, tmp_path):
    text = "Moscow called a meeting.\n\nThe head of Минобороны spoke in Mоscow.\n"
    (tmp_path / "a.txt").write_bytes(text.encode("koi8_r"))
    (tmp_path / "b.txt").write_bytes(text.encode("utf-16"))
    code, report = scan_json(cli, tmp_path, "--no-neural")
    check_json_contract(report)
    assert [f["encoding"] for f in report["files"]] == ["koi8-r", "utf-16"]


# -- SARIF ----------------------------------------------------------------------------------
# The required properties and closed property sets of the SARIF 2.1.0 schema
# (sarif-schema-2.1.0.json, OASIS) for the objects mtcheck writes.

SARIF_OBJECTS = {
    "log": ({"version", "runs"}, {"$schema", "version", "runs", "inlineExternalProperties", "properties"}),
    "run": ({"tool"}, {"tool", "invocations", "conversion", "language", "versionControlProvenance", "originalUriBaseIds",
                       "artifacts", "logicalLocations", "graphs", "results", "automationDetails", "runAggregates",
                       "baselineGuid", "redactionTokens", "defaultEncoding", "defaultSourceLanguage", "newlineSequences",
                       "columnKind", "externalPropertyFileReferences", "threadFlowLocations", "taxonomies", "addresses",
                       "translations", "policies", "webRequests", "webResponses", "specialLocations", "properties"}),
    "tool": ({"driver"}, {"driver", "extensions", "properties"}),
    "toolComponent": ({"name"}, {"guid", "name", "organization", "product", "productSuite", "shortDescription",
                                 "fullDescription", "fullName", "version", "semanticVersion", "dottedQuadFileVersion",
                                 "releaseDateUtc", "downloadUri", "informationUri", "globalMessageStrings", "notifications",
                                 "rules", "taxa", "locations", "language", "contents", "isComprehensive",
                                 "localizedDataSemanticVersion", "minimumRequiredLocalizedDataSemanticVersion",
                                 "associatedComponent", "translationMetadata", "supportedTaxonomies", "properties"}),
    "reportingDescriptor": ({"id"}, {"id", "deprecatedIds", "guid", "deprecatedGuids", "name", "deprecatedNames",
                                     "shortDescription", "fullDescription", "messageStrings", "defaultConfiguration",
                                     "helpUri", "help", "relationships", "properties"}),
    "multiformatMessageString": ({"text"}, {"text", "markdown", "properties"}),
    "reportingConfiguration": (set(), {"enabled", "level", "rank", "parameters", "properties"}),
    "result": ({"message"}, {"ruleId", "ruleIndex", "rule", "kind", "level", "message", "analysisTarget", "locations",
                             "guid", "correlationGuid", "occurrenceCount", "partialFingerprints", "fingerprints", "stacks",
                             "codeFlows", "graphs", "graphTraversals", "relatedLocations", "suppressions", "baselineState",
                             "rank", "attachments", "hostedViewerUri", "workItemUris", "provenance", "fixes", "taxa",
                             "webRequest", "webResponse", "properties"}),
    "message": (set(), {"text", "markdown", "id", "arguments", "properties"}),
    "location": (set(), {"id", "physicalLocation", "logicalLocations", "message", "annotations", "relationships", "properties"}),
    "physicalLocation": (set(), {"address", "artifactLocation", "region", "contextRegion", "properties"}),
    "artifactLocation": (set(), {"uri", "uriBaseId", "index", "description", "properties"}),
    "region": (set(), {"startLine", "startColumn", "endLine", "endColumn", "charOffset", "charLength", "byteOffset",
                       "byteLength", "snippet", "message", "sourceLanguage", "properties"}),
    "artifactContent": (set(), {"text", "binary", "rendered", "properties"}),
    "fix": ({"artifactChanges"}, {"description", "artifactChanges", "properties"}),
    "artifactChange": ({"artifactLocation", "replacements"}, {"artifactLocation", "replacements", "properties"}),
    "replacement": ({"deletedRegion"}, {"deletedRegion", "insertedContent", "properties"}),
}
LEVELS = {"none", "note", "warning", "error"}


def conforms(obj: dict, kind: str) -> None:
    required, allowed = SARIF_OBJECTS[kind]
    assert isinstance(obj, dict), kind
    assert required <= set(obj), (kind, required - set(obj))
    assert set(obj) <= allowed, (kind, set(obj) - allowed)
    if "properties" in obj:
        assert isinstance(obj["properties"], dict)


def check_region(region: dict) -> None:
    conforms(region, "region")
    assert "startLine" in region or "charOffset" in region
    for key in ("startLine", "startColumn", "endLine", "endColumn"):
        assert isinstance(region[key], int) and region[key] >= 1
    assert region["charOffset"] >= 0 and region["charLength"] >= 0
    if "snippet" in region:
        conforms(region["snippet"], "artifactContent")


def check_sarif(log: dict) -> None:
    conforms(log, "log")
    assert log["version"] == "2.1.0" and log["$schema"].startswith("https://")
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    conforms(run, "run")
    assert run.get("columnKind") in (None, "unicodeCodePoints", "utf16CodeUnits")
    conforms(run["tool"], "tool")
    driver = run["tool"]["driver"]
    conforms(driver, "toolComponent")
    ids = [r["id"] for r in driver["rules"]]
    assert len(ids) == len(set(ids))
    for rule in driver["rules"]:
        conforms(rule, "reportingDescriptor")
        conforms(rule["shortDescription"], "multiformatMessageString")
        if "fullDescription" in rule:
            conforms(rule["fullDescription"], "multiformatMessageString")
        if "defaultConfiguration" in rule:
            conforms(rule["defaultConfiguration"], "reportingConfiguration")
            assert rule["defaultConfiguration"]["level"] in LEVELS
    for result in run["results"]:
        conforms(result, "result")
        conforms(result["message"], "message")
        assert result["message"]["text"]
        assert result["level"] in LEVELS
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["locations"]
        for loc in result["locations"]:
            conforms(loc, "location")
            conforms(loc["physicalLocation"], "physicalLocation")
            conforms(loc["physicalLocation"]["artifactLocation"], "artifactLocation")
            check_region(loc["physicalLocation"]["region"])
        for fix in result.get("fixes", []):
            conforms(fix, "fix")
            assert fix["artifactChanges"]
            for change in fix["artifactChanges"]:
                conforms(change, "artifactChange")
                conforms(change["artifactLocation"], "artifactLocation")
                assert change["replacements"]
                for rep in change["replacements"]:
                    conforms(rep, "replacement")
                    conforms(rep["deletedRegion"], "region")
                    conforms(rep["insertedContent"], "artifactContent")


def test_sarif_structure_on_the_seeds(cli, seeds_dir, monkeypatch):
    monkeypatch.chdir(seeds_dir.parent)
    result = cli("scan", "seeds", "--no-neural", "--format", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    check_sarif(log)
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [r.code for r in all_rules()]
    json_report = json.loads(cli("scan", "seeds", "--no-neural", "--format", "json").stdout)
    findings = [(file_["path"], f) for file_ in json_report["files"] for f in file_["findings"]]
    assert len(run["results"]) == len(findings)
    level = {"error": "error", "warning": "warning", "info": "note"}
    for result_, (path, f) in zip(run["results"], findings):
        region = result_["locations"][0]["physicalLocation"]["region"]
        assert result_["ruleId"] == f["rule"] and result_["level"] == level[f["severity"]]
        assert (region["startLine"], region["startColumn"]) == (f["line"], f["col"])
        assert (region["charOffset"], region["charLength"]) == (f["start"], f["end"] - f["start"])
        assert region["snippet"]["text"] == f["text"]
        assert result_["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == Path(path).as_posix()


def test_sarif_of_a_clean_run_has_an_empty_result_list(cli, tmp_path):
    story = tmp_path / "story.txt"
    story.write_text("The talks ended on Monday.\n")
    log = json.loads(cli("scan", story, "--no-neural", "--format", "sarif").stdout)
    check_sarif(log)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["tool"]["driver"]["rules"]  # rules are described even without results


# -- text -----------------------------------------------------------------------------------

LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]\d{3}) (?P<severity>error|warning|info) "
                  r"\[(?P<category>[a-z]+)\] (?P<message>.+?)"
                  r"(?: \(suggestion: (?P<suggestion>.*?)(?P<unsafe>, unsafe)?\))?$")
SUMMARY = re.compile(r"^(\d+) findings?; (?:(?:\d+ [a-z]+(?:, )?)+; )?(?:(\d+) suppressed \([^)]*\); )?(\d+) files? scanned; "
                     r"(?:\d+ skipped; )?(\d+)/(\d+) sentences flagged\.$")


def test_text_format_lines_and_summary(cli, seeds_dir):
    result = cli("scan", seeds_dir, "--no-neural")
    lines = result.stdout.rstrip("\n").split("\n")
    report = json.loads(cli("scan", seeds_dir, "--no-neural", "--format", "json").stdout)
    findings = [(file_["path"], f) for file_ in report["files"] for f in file_["findings"]]
    assert len(lines) == len(findings) + 1
    for line, (path, f) in zip(lines, findings):
        m = LINE.match(line)
        assert m, line
        assert (m["path"], int(m["line"]), int(m["col"]), m["code"], m["category"]) == (path, f["line"], f["col"], f["rule"], f["category"])
        assert m["severity"] == f["severity"]  # spelled out: a CI log has no colour
        assert m["message"] == f["message"]
        if f["suggestion"] is not None:
            assert m["suggestion"] == (repr(f["suggestion"]) if f["suggestion"] else "delete")
            assert bool(m["unsafe"]) == (not f["safe_fix"])
    m = SUMMARY.match(lines[-1])
    assert m, lines[-1]
    assert int(m[1]) == len(findings) and int(m[3]) == 5 and m[2] is None
    assert "\x1b[" not in result.stdout  # not a terminal: no colour
    # --format text and --format concise are the same format (text: its old name), and the default.
    assert cli("scan", seeds_dir, "--no-neural", "--format", "text").stdout == result.stdout
    assert cli("scan", seeds_dir, "--no-neural", "--format", "concise").stdout == result.stdout


def test_full_format_underlines_each_span_in_its_sentence(cli, seeds_dir):
    concise = cli("scan", seeds_dir, "--no-neural").stdout.rstrip("\n").split("\n")
    full = cli("scan", seeds_dir, "--no-neural", "--format", "full").stdout.rstrip("\n").split("\n")
    report = json.loads(cli("scan", seeds_dir, "--no-neural", "--format", "json").stdout)
    findings = [f for file_ in report["files"] for f in file_["findings"]]
    # Each finding: its concise line, then a gutter, the sentence line and the caret line.
    assert len(full) == 4 * len(findings) + 1 and full[-1] == concise[-1]
    for i, f in enumerate(findings):
        head, gutter, source, carets = full[4 * i:4 * i + 4]
        assert head == concise[i]
        number, _, shown = source.partition(" | ")
        assert gutter.strip() == "|" and number.strip() == str(f["line"])
        pad, marks = re.fullmatch(r"\s*\| ( *)(\^+)", carets).groups()
        underlined = shown[len(pad):len(pad) + len(marks)]
        flat = re.sub(r"[\r\n\t]", " ", f["text"])
        # The carets sit exactly under the matched text (cut short only for a very long span).
        assert underlined == flat[:len(marks)] and (len(marks) == len(flat) or shown.endswith("…"))


def test_full_format_aligns_carets_under_wide_characters(cli, tmp_path):
    story = tmp_path / "wide.txt"
    story.write_text("Talks\n\nThe envoy said 北京 talks and the RAID went ahead.\n", encoding="utf-8")
    out = cli("scan", story, "--no-neural", "--select", "S105", "--format", "full").stdout.split("\n")
    source, carets = out[2], out[3]
    # Two CJK letters take four columns: the carets still start under "RAID".
    start = source.index("RAID")
    assert carets.index("^") == start + 2 and carets.count("^") == 4


def test_colour_is_forced_and_refused_by_flag(cli, seeds_dir):
    assert "\x1b[" in cli("scan", seeds_dir, "--no-neural", "--color").stdout
    assert "\x1b[" not in cli("scan", seeds_dir, "--no-neural", "--no-color").stdout


def test_colour_only_on_a_terminal(python, seeds_dir, tmp_path, subprocess_env):
    """A real terminal gets colour by default; a pipe or an output file does not."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([python, "-m", "mtcheck", "scan", str(seeds_dir / "003_ffa3510338295b69.txt"), "--no-neural"],
                            stdout=slave, stderr=subprocess.PIPE, env=subprocess_env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    assert "\x1b[" in b"".join(chunks).decode()
    out = tmp_path / "report.txt"
    piped = subprocess.run([python, "-m", "mtcheck", "scan", str(seeds_dir / "003_ffa3510338295b69.txt"), "--no-neural", "-o", str(out)],
                           capture_output=True, text=True, timeout=60, env=subprocess_env)
    assert piped.stdout == "" and "\x1b[" not in out.read_text() and "Traceback" not in piped.stderr
    assert out.read_text().rstrip().endswith("sentences flagged.")
