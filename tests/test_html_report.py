"""``mtcheck scan --format html``: one self-contained page that shows every finding, escapes
every piece of story text, and loads nothing from anywhere."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from review_support import SEEDS, copy_seeds, launch_chromium, rules_only_scanner

from mtcheck.cli import cli
from mtcheck.report.html import render

EVIL = ('Moscow said <script>window.__pwned = 1</script> about LIH &amp; the defense Ministry\n\n'
        'Militants of LIH said <img src=x onerror="window.__pwned = 2"> that <b>nothing</b> happened.\n')


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = copy_seeds(tmp_path_factory.mktemp("html") / "stories")
    (folder / "evil.txt").write_text(EVIL, encoding="utf-8")
    out = folder.parent / "report.html"
    result = CliRunner().invoke(cli, ["scan", "--no-neural", "--format", "html", "-o", str(out), "--fail-on", "never", str(folder)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    results = list(rules_only_scanner().scan([str(folder)]))
    return out, results


def test_report_is_self_contained_and_escaped(report):
    out, results = report
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    # Nothing external: no src/href attributes at all, and a CSP that allows nothing else.
    assert not re.search(r"\b(src|href)\s*=", page.replace('src=x onerror', ''))
    assert "default-src 'none'" in page
    assert page.count("<script>") == 1  # the page's own toggle script only
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    assert "&amp;amp;" in page and "&lt;b&gt;nothing&lt;/b&gt;" in page
    assert "<img" not in page and "<b>" not in page
    findings = sum(len(r.findings) for r in results)
    assert findings > 30
    assert page.count('<tr class="cat-') == findings  # one table row per finding


def test_report_without_findings_is_valid(tmp_path):
    story = tmp_path / "clean.txt"
    story.write_text("The minister said on Monday that talks would resume.\n", encoding="utf-8")
    results = list(rules_only_scanner().scan([str(story)]))
    page = render(results, signature={"mtcheck": "test"})
    assert "0 findings" in page and "No suggestions." in page


@pytest.mark.browser
def test_report_opens_offline_and_shows_every_finding(report):
    out, results = report
    pw, browser = launch_chromium()
    try:
        context = browser.new_context(offline=True, viewport={"width": 1300, "height": 900})
        page = context.new_page()
        url = out.resolve().as_uri()
        requests, blocked, dialogs, errors = [], [], [], []

        def only_the_file(route):
            if route.request.url == url:
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", only_the_file)
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url)
        page.wait_for_selector("section.file")
        assert blocked == [] and set(requests) == {url}
        assert dialogs == [] and errors == [] and page.evaluate("window.__pwned") is None

        by_path = {r.path: r for r in results if r.document is not None}
        sections = page.locator("section.file")
        assert sections.count() == len(by_path)
        total = 0
        for i in range(sections.count()):
            section = sections.nth(i)
            path = section.locator("h2").inner_text()
            findings = by_path[path].findings
            total += len(findings)
            if not findings:
                continue
            section.locator("details.findings-list summary").click()
            rows = section.locator("table.findings tbody tr")
            assert rows.count() == len(findings)
            assert rows.locator("code").all_inner_texts() == [f.code for f in findings]
            # Every finding is marked in the text, with its message there for hover/focus.
            marked = set()
            for m in section.locator(".doc mark.f").all():
                marked.update(m.get_attribute("data-f").split())
            assert marked == {f"f{j}" for j in range(len(findings))}
        assert total == sum(len(r.findings) for r in results)

        evil = page.locator("section.file", has=page.locator("h2", has_text="evil.txt"))
        assert "<script>window.__pwned = 1</script>" in evil.locator(".doc").inner_text()
        mark = evil.locator(".doc mark.cat-entity", has_text="LIH").first
        mark.focus()
        assert "ISIL" in page.evaluate("getComputedStyle(document.activeElement, '::after').content")

        # The inline script runs under the page's CSP: the diff layout toggles.
        page.click("#toggle-view")
        assert page.evaluate("document.body.classList.contains('view-sbs')")
        assert evil.locator(".d-sbs").first.is_visible()
        context.close()
    finally:
        browser.close()
        pw.stop()


def test_report_shows_rewrites_with_score_and_refused_ones_as_no_fix():
    results = list(rules_only_scanner().scan([str(SEEDS / "003_ffa3510338295b69.txt")]))
    doc = results[0].document
    accepted, refused = [s for s in doc.sentences if s.kind == "body"][:2]
    # As the rewrite stage records them (mtcheck.rewrite.annotate_rewrites).
    accepted.rewrite = {
        "text": accepted.text.replace("LIH", "ISIL").replace("RAID", "raid"), "source": "both", "fix_score": 0.77,
        "accepted": True, "components": {"similarity": 0.93}, "candidates": []}
    refused.rewrite = {"text": "Something else entirely.", "source": "backtranslation", "fix_score": 0.12,
                                 "accepted": False, "components": {}, "candidates": []}
    page = render(results)
    assert page.count('class="card kind-rewrite') == 1
    assert "fix score 0.77" in page and "similarity" in page
    assert "no confident fix (best fix score 0.12)" in page
    assert "Something else entirely." not in page  # a refused rewrite is never offered
