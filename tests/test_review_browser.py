"""The review app end to end in headless Chromium (Debian's, driven by Playwright): a real
``mtcheck review`` process, the queue, a seed story, decisions by keyboard, reload, export,
and wire text that tries to be HTML."""

from __future__ import annotations

import json

import pytest
from review_support import ROOT, SEED_003, ReviewProcess, copy_seeds, launch_chromium

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="module")
def browser():
    pw, browser = launch_chromium()
    yield browser
    browser.close()
    pw.stop()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def current_card(page):
    return page.locator("#cards .card.current")


def select_card(page, predicate_js: str) -> str:
    """Move the selection with j until the current card satisfies ``predicate_js``; its id."""
    for _ in range(60):  # back to the first card...
        if page.evaluate("document.querySelector('#cards .card[data-id]')?.classList.contains('current')"):
            break
        page.keyboard.press("k")
    for _ in range(60):
        if page.evaluate(f"(() => {{ const c = document.querySelector('#cards .card.current'); return !!c && ({predicate_js})(c); }})()"):
            return current_card(page).get_attribute("data-id")
        page.keyboard.press("j")
    raise AssertionError("no card matched " + predicate_js)


def wait_state(page, card_id: str, state: str) -> None:
    page.wait_for_selector(f'#cards .card[data-id="{card_id}"].st-{state}', timeout=10_000)


def test_review_loop_end_to_end(tmp_path, page):
    folder = copy_seeds(tmp_path / "stories")
    original = (folder / SEED_003).read_text(encoding="utf-8")
    proc = ReviewProcess(folder, "--no-neural", "--reviewer", "e2e-editor")
    try:
        page.goto(proc.url)
        rows = page.locator("#queue tbody tr")
        rows.first.wait_for()
        assert rows.count() == 5
        # Ordered by need: stories the policy rejects or sends to review come before the rest
        # (with page furniture going to review by default, every seed may need review).
        from mtcheck.review.session import _NEEDS_RANK

        needs = page.locator("#queue tbody tr td:first-child").all_inner_texts()
        ranks = [_NEEDS_RANK[n.strip()] for n in needs]
        assert ranks == sorted(ranks) and needs[0].strip() in ("rejected", "review")
        row = page.locator(f'#queue tbody tr[data-path="{SEED_003}"]')
        assert "entity" in row.inner_text() and "style" in row.inner_text()

        # Open seed 003 from the queue with the keyboard.
        while page.evaluate("document.activeElement.getAttribute('data-path')") != SEED_003:
            page.keyboard.press("j")
        page.keyboard.press("Enter")
        page.wait_for_selector("#doc-text .doc")
        assert page.url.endswith("#/doc/" + SEED_003)

        # The LIH entity finding is highlighted, with its message on hover and on focus.
        lih = page.locator("#doc-text mark.cat-entity", has_text="LIH").first
        assert lih.is_visible()
        assert "ISIL" in lih.get_attribute("data-msg")
        lih.focus()
        tooltip = page.evaluate("getComputedStyle(document.activeElement, '::after').content")
        assert "LIH" in tooltip and "ISIL" in tooltip
        # ...and its suggestion, as a word diff.
        lih_card = page.locator("#cards .card", has=page.locator("del", has_text="LIH")).first
        assert lih_card.locator(".d-inline ins").first.inner_text() == "ISIL"

        # Accept the LIH fix by keyboard, reject the next suggestion, edit the one after.
        lih_id = select_card(page, "c => c.querySelector('.d-inline del')?.textContent === 'LIH'")
        page.keyboard.press("a")
        wait_state(page, lih_id, "accept")
        rejected_id = current_card(page).get_attribute("data-id")  # the selection moved on
        assert rejected_id != lih_id
        page.keyboard.press("r")
        wait_state(page, rejected_id, "reject")
        edited_id = select_card(page, "c => c.querySelector('.d-inline del')?.textContent === 'RAID'")
        page.keyboard.press("e")
        box = page.locator("#cards textarea.edit-box")
        assert box.evaluate("b => b === document.activeElement")
        box.fill("first try")
        page.keyboard.press("Enter")
        wait_state(page, edited_id, "edit")
        page.keyboard.press("u")  # undo the edit...
        wait_state(page, edited_id, "pending")
        select_card(page, f"c => c.dataset.id === '{edited_id}'")
        page.keyboard.press("e")  # ...and write it again
        page.locator("#cards textarea.edit-box").fill("an air strike")
        page.keyboard.press("Enter")
        wait_state(page, edited_id, "edit")

        # The shortcut overlay and the diff layout toggle.
        page.keyboard.press("?")
        assert page.locator("#help").is_visible() and "accept" in page.locator("#help").inner_text()
        page.keyboard.press("Escape")
        assert not page.locator("#help").is_visible()
        page.keyboard.press("t")
        assert page.locator(f'#cards .card[data-id="{lih_id}"] .d-sbs').is_visible()
        page.keyboard.press("t")

        # Reload: every decision is still there (it lives in SQLite, not in the page).
        page.reload()
        page.wait_for_selector("#doc-text .doc")
        wait_state(page, lih_id, "accept")
        wait_state(page, rejected_id, "reject")
        wait_state(page, edited_id, "edit")
        assert "an air strike" in page.locator(f'#cards .card[data-id="{edited_id}"] ins').all_inner_texts()
        assert page.locator("#doc-text mark.st-accept", has_text="LIH").count() >= 1

        # The artifact: the document view with a finding's message showing.
        select_card(page, f"c => c.dataset.id === '{lih_id}'")
        page.locator("#doc-text mark.cat-entity", has_text="LIH").first.hover()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "review-document.png"))

        # Next story with n, then export with the button.
        page.keyboard.press("n")
        page.wait_for_function(f"() => !location.hash.endsWith({json.dumps(SEED_003)})")
        page.click("#export")
        page.wait_for_selector("#toast.show", timeout=15_000)
        assert "Exported 5 stories" in page.locator("#toast").inner_text()
        assert not page.errors, page.errors
    finally:
        assert proc.stop() == 0

    exports = sorted((folder / ".mtcheck" / "export").iterdir())
    assert len(exports) == 1
    out = exports[0]
    assert (folder / SEED_003).read_text(encoding="utf-8") == original  # the original is untouched
    cleaned = (out / SEED_003).read_text(encoding="utf-8")
    assert cleaned.count("LIH") == original.count("LIH") - 1
    assert "an air strike by coalition aircraft" in cleaned
    patch = (out / (SEED_003 + ".diff")).read_text(encoding="utf-8")
    minus = [l for l in patch.splitlines() if l.startswith("-") and not l.startswith("---")]
    plus = [l for l in patch.splitlines() if l.startswith("+") and not l.startswith("+++")]
    assert any("(LIH," in l for l in minus) and any("(ISIL," in l for l in plus)
    assert any("an air strike" in l for l in plus)
    record = json.loads((out / "decisions.json").read_text(encoding="utf-8"))
    by_suggestion = {}
    for d in record["decisions"]:
        by_suggestion.setdefault(d["suggestion"], []).append((d["action"], d["status"]))
        assert d["reviewer"] == "e2e-editor" and d["at"]
    assert by_suggestion[lih_id] == [("accept", "applied")]
    assert by_suggestion[rejected_id] == [("reject", "rejected")]
    assert by_suggestion[edited_id] == [("edit", "undone"), ("edit", "applied")]


def test_wire_text_is_shown_as_text_never_run(tmp_path, page):
    folder = tmp_path / "stories"
    folder.mkdir()
    evil = ('Moscow said <script>window.__pwned = 1; alert(1)</script> about LIH\n\n'
            'Militants of LIH &amp; allies said <img src=x onerror="window.__pwned = 2"> that the '
            'defense Ministry <b>lied</b> & more.\n')
    (folder / "story.txt").write_text(evil, encoding="utf-8")
    name = "<i onmouseover=alert(3)>x.txt"
    (folder / name).write_text("Officials of the UN security Council met <u>today</u>.\n", encoding="utf-8")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    proc = ReviewProcess(folder, "--no-neural")
    try:
        page.goto(proc.url)
        page.locator("#queue tbody tr").first.wait_for()
        assert name in page.locator("#queue tbody").inner_text()
        assert page.locator("#queue tbody i").count() == 0
        page.locator('#queue tbody tr[data-path="story.txt"]').click()
        page.wait_for_selector("#doc-text .doc")
        doc = page.locator("#doc-text .doc")
        assert doc.inner_text() == evil.rstrip("\n") or doc.inner_text().rstrip("\n") == evil.rstrip("\n")
        assert page.get_by_text("<script>window.__pwned = 1; alert(1)</script>", exact=False).count() >= 1
        assert "&amp;" in doc.inner_text() and "<b>lied</b>" in doc.inner_text()
        for tag in ("script", "img", "b"):
            assert page.locator(f"#doc-text {tag}, #cards {tag}").count() == 0
        assert page.locator("#cards .card").count() >= 1  # LIH and the ministry still get suggestions
        page.locator("#doc-text mark.f").first.hover()
        page.goto(proc.url + "#/doc/" + name.replace("<", "%3C").replace(">", "%3E"))
        page.wait_for_function("() => document.getElementById('doc-title').textContent.includes('onmouseover')")
        assert page.locator("#doc-title").inner_text() == name
        assert page.locator("#doc-text u").count() == 0
        assert page.evaluate("window.__pwned") is None
        assert dialogs == []
        assert not page.errors, page.errors
    finally:
        proc.stop()


def test_rewrite_cards_show_score_components_and_candidates(tmp_path, page):
    """A rewrite suggestion as the rewrite stage records it (``Sentence.rewrite``),
    put into the review database's scan cache: the card shows the word diff in both layouts,
    the fix score and its components, the other candidates, and a candidate can be taken as
    the starting point of an edit."""
    import threading

    from review_support import rules_only_scanner

    from mtcheck import codec
    from mtcheck.review.server import ReviewServer
    from mtcheck.review.session import ReviewSession, discover_files, options_key, read_story
    from mtcheck.review.store import Store

    folder = copy_seeds(tmp_path / "stories")
    scanner = rules_only_scanner()
    result = next(iter(scanner.scan([str(folder / SEED_003)])))
    sentence = next(s for s in result.document.sentences if "Moscow expressed" in s.text)
    sentence.rewrite = {
        "text": "Moscow expressed deep concern about the incident and demanded a full and detailed explanation from the United States.",
        "source": "backtranslation", "fix_score": 0.83, "accepted": True,
        "components": {"fluency_gain": 0.41, "similarity": 0.91, "chrf": 0.62, "entities": 1.0, "length_ratio": 1.0},
        "candidates": [
            {"text": "Moscow voiced deep concern over the incident and demanded a full explanation from the United States.",
             "source": "backtranslation", "fix_score": 0.71, "components": {}},
        ],
    }
    db = tmp_path / "r.sqlite"
    store = Store(db)
    sha, _, _ = read_story(folder / SEED_003)
    store.put_scan(sha, options_key(scanner), SEED_003, codec.annotations(result.document))
    root, files = discover_files(folder, ("*.txt",), ())
    session = ReviewSession(root, files, store, "ed", scanner=scanner, options_key=options_key(scanner))
    session.load()
    server = ReviewServer(("127.0.0.1", 0), session)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page.goto(server.url + "#/doc/" + SEED_003)
        card = page.locator("#cards .card.kind-rewrite")
        card.wait_for()
        assert card.locator(".score").first.inner_text() == "fix score 0.83"
        assert card.locator(".components").inner_text().count("\n") >= 4 and "similarity" in card.locator(".components").inner_text()
        assert card.locator(".d-inline del").count() >= 1 and card.locator(".d-inline ins").count() >= 1
        assert "from the United States" in " ".join(card.locator(".d-inline ins").all_inner_texts())
        page.keyboard.press("t")
        assert card.locator(".d-sbs .d-old").is_visible() and not card.locator(".d-inline").is_visible()
        assert "demanded that the United States full" in card.locator(".d-sbs .d-old").inner_text()
        page.keyboard.press("t")
        card.locator("details.candidates summary").click()
        card.locator("li[data-cand='0'] button.use").click()
        box = page.locator("#cards textarea.edit-box")
        assert box.input_value().startswith("Moscow voiced deep concern")
        page.keyboard.press("Enter")
        rewrite_id = card.get_attribute("data-id")
        wait_state(page, rewrite_id, "edit")
        state = next(s for s in session.view(SEED_003)["suggestions"] if s["id"] == rewrite_id)
        assert state["text"].startswith("Moscow voiced deep concern")
        assert not page.errors, page.errors
    finally:
        server.shutdown()
        server.server_close()


def test_a_story_changed_on_disk_shows_its_decisions_as_stale(tmp_path, page):
    folder = copy_seeds(tmp_path / "stories")
    proc = ReviewProcess(folder, "--no-neural")
    try:
        page.goto(proc.url + "#/doc/" + SEED_003)
        page.wait_for_selector("#cards .card.current")
        first = current_card(page).get_attribute("data-id")
        page.keyboard.press("a")
        wait_state(page, first, "accept")
        story = folder / SEED_003
        story.write_text(story.read_text(encoding="utf-8").replace("62 soldiers", "sixty-two soldiers"), encoding="utf-8")
        page.keyboard.press("a")  # refused (409): the page reloads the new version
        page.wait_for_selector("#doc-banner:not([hidden])")
        assert "changed on disk" in page.locator("#doc-banner").inner_text()
        stale = page.locator("#cards .card.st-stale")
        assert stale.count() == 1 and "not applied" in stale.inner_text()
        assert page.locator("#cards .card.st-accept").count() == 0
        assert "sixty-two soldiers" in page.locator("#doc-text .doc").inner_text()
    finally:
        proc.stop()
