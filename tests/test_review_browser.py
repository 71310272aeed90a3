"""The review desk end to end in headless Chromium (Debian's, driven by Playwright): a real
``mtcheck review`` process or an in-process server, the queue, one card per sentence, decisions
by keyboard, undo and redo, editing a sentence without a proposal, export in each story's own
encoding, stale decisions, the rule stats, scan progress, and wire text that tries to be HTML."""

from __future__ import annotations

import json
import threading

import pytest
from review_support import ROOT, SEED_003, ReviewProcess, copy_seeds, launch_chromium, rules_only_scanner

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "artifacts"
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def browser():
    pw, browser = launch_chromium()
    yield browser
    browser.close()
    pw.stop()


def new_page(browser, width=1280, height=800):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return context, page


@pytest.fixture()
def page(browser):
    context, page = new_page(browser)
    yield page
    context.close()


class Served:
    """A ReviewServer on a thread over a session of our own (to hold its scan back, or to
    put a recorded rewrite in its scan cache)."""

    def __init__(self, session, **kw):
        from mtcheck.review.server import ReviewServer

        self.session = session
        self.srv = ReviewServer(("127.0.0.1", 0), session, **kw)
        threading.Thread(target=self.srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = self.srv.url

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def open_session(folder, db, scanner=None):
    from mtcheck.review.session import ReviewSession, discover_files, options_key
    from mtcheck.review.store import Store

    scanner = scanner or rules_only_scanner()
    root, files = discover_files(folder, ("*.txt",), ())
    return ReviewSession(root, files, Store(db), "ed", scanner=scanner, options_key=options_key(scanner))


def current_card(page):
    return page.locator("#cards .card.current")


def select_card(page, predicate_js: str) -> str:
    """Move the selection with j/k until the current card satisfies ``predicate_js``; its id."""
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


def open_story(page, url: str, path: str) -> None:
    page.goto(url + "#/doc/" + path)
    # A hash change keeps the page: wait for this story's cards, not the last story's still on screen.
    page.wait_for_function("p => document.getElementById('crumb').textContent === p", arg=path)
    page.wait_for_selector("#cards .card.current")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


def test_review_loop_end_to_end(tmp_path, page):
    folder = copy_seeds(tmp_path / "stories")
    out = tmp_path / "chosen-export"
    original = (folder / SEED_003).read_text(encoding="utf-8")
    proc = ReviewProcess(folder, "--no-neural", "--reviewer", "e2e-editor", "--export-dir", str(out))
    try:
        page.goto(proc.url)
        rows = page.locator("#queue tbody tr")
        rows.first.wait_for()
        assert rows.count() == 5
        # Worst first: stories the policy rejects or sends to review come before the rest.
        from mtcheck.review.session import _NEEDS_RANK

        needs = page.locator("#queue tbody tr td:first-child").all_inner_texts()
        ranks = [_NEEDS_RANK[n.strip()] for n in needs]
        assert ranks == sorted(ranks) and needs[0].strip() in ("rejected", "review")
        row = page.locator(f'#queue tbody tr[data-path="{SEED_003}"]')
        # The headline, the file, counts by severity and by family, and progress.
        assert "Moscow called for a meeting of the UN security Council" in row.locator(".headline").inner_text()
        assert row.locator(".path").inner_text() == SEED_003
        assert row.locator(".sev-chip.sev-error").inner_text().startswith("error ")
        assert "entity" in row.inner_text() and "style" in row.inner_text()
        assert "0 of 10 decided" in row.inner_text()
        assert no_horizontal_scroll(page)
        # Filter by rule family: only stories with syntax findings are left; then all again.
        page.select_option("#family", "syntax")
        page.wait_for_function("() => document.querySelectorAll('#queue tbody tr').length === 2")
        shown = [r.get_attribute("data-path")[:4] for r in page.locator("#queue tbody tr").all()]
        assert sorted(shown) == ["000_", "003_"]  # X102/X113 in 000, X113 in 003 (rules only: no parse)
        page.select_option("#family", "")
        page.wait_for_function("() => document.querySelectorAll('#queue tbody tr').length === 5")
        worst_first = page.locator("#queue tbody tr").first.get_attribute("data-path")
        page.select_option("#sort", "name")
        page.wait_for_function("() => document.querySelector('#queue tbody tr').dataset.path.startsWith('000_')")
        page.select_option("#sort", "worst")
        # The queue is drawn again; keys pressed before that would move the focus in the old rows.
        page.wait_for_function("p => document.querySelector('#queue tbody tr').dataset.path === p", arg=worst_first)

        # Open seed 003 from the queue with the keyboard.
        page.locator("#queue tbody tr").first.focus()
        while page.evaluate("document.activeElement.getAttribute('data-path')") != SEED_003:
            page.keyboard.press("j")
        page.keyboard.press("Enter")
        page.wait_for_selector("#doc-text .doc")
        assert page.url.endswith("#/doc/" + SEED_003)
        assert no_horizontal_scroll(page)

        # The LIH entity finding is highlighted, with its message on hover and on focus.
        lih = page.locator("#doc-text mark.cat-entity", has_text="LIH").first
        assert lih.is_visible() and "ISIL" in lih.get_attribute("data-msg")
        lih.focus()
        tooltip = page.evaluate("getComputedStyle(document.activeElement, '::after').content")
        assert "LIH" in tooltip and "ISIL" in tooltip

        # One card per sentence: the sentence with three findings has one card, in plain words.
        cards = page.locator("#cards .card[data-id]")
        assert cards.count() == 10
        busy = page.locator("#cards .card", has_text="Russia will convene an emergency meeting").first
        assert busy.locator(".why li").count() >= 3  # three rules, four findings
        assert busy.locator(".proposal .words").inner_text().startswith("fix score ")
        assert ": " in busy.locator(".proposal .words").inner_text()
        assert busy.locator(".proposal .keeps").inner_text() == "keeps all names, numbers and negations"
        assert busy.locator(".proposal .d-inline ins", has_text="ISIL").count() == 1
        assert not busy.locator(".internals table").first.is_visible()  # internals behind a toggle
        busy.locator(".internals summary").click()
        assert busy.locator(".internals table").first.is_visible()
        assert "source" in busy.locator(".internals").inner_text()
        # An alternative is one click away: only one of the three fixes.
        busy.locator(".alternatives summary").click()
        assert busy.locator(".alternatives li[data-opt]").count() >= 3

        # Accept the LIH sentence by keyboard, reject the next card, edit the RAID one.
        lih_id = select_card(page, "c => c.textContent.includes('pandering')")
        page.keyboard.press("a")
        wait_state(page, lih_id, "accept")
        rejected_id = current_card(page).get_attribute("data-id")  # the selection moved on
        assert rejected_id != lih_id
        page.keyboard.press("r")
        wait_state(page, rejected_id, "reject")
        edited_id = select_card(page, "c => c.textContent.includes('during the RAID')")
        page.keyboard.press("e")
        box = page.locator("#cards textarea.edit-box")
        assert box.evaluate("b => b === document.activeElement")
        assert "during the raid" in box.input_value()  # the editor starts from the proposal
        box.fill("first try")
        page.keyboard.press("Enter")
        wait_state(page, edited_id, "edit")
        page.keyboard.press("u")  # undo the edit...
        wait_state(page, edited_id, "pending")
        page.keyboard.press("y")  # ...redo it...
        wait_state(page, edited_id, "edit")
        page.keyboard.press("u")  # ...undo again, and write it anew
        wait_state(page, edited_id, "pending")
        select_card(page, f"c => c.dataset.id === '{edited_id}'")
        page.keyboard.press("e")
        box = page.locator("#cards textarea.edit-box")
        box.fill(box.input_value().replace("during the raid", "during an air strike"))
        page.keyboard.press("Enter")
        wait_state(page, edited_id, "edit")

        # The shortcut overlay and the diff layout toggle.
        page.keyboard.press("?")
        assert page.locator("#help").is_visible() and "accept" in page.locator("#help").inner_text()
        page.keyboard.press("Escape")
        assert not page.locator("#help").is_visible()
        page.keyboard.press("t")
        assert page.locator(f'#cards .card[data-id="{lih_id}"] .proposal .d-sbs').is_visible()
        page.keyboard.press("t")

        # Reload: every decision is still there (it lives in SQLite, not in the page).
        page.reload()
        page.wait_for_selector("#doc-text .doc")
        wait_state(page, lih_id, "accept")
        wait_state(page, rejected_id, "reject")
        wait_state(page, edited_id, "edit")
        assert "an air strike" in page.locator(f"#cards .card[data-id=\"{edited_id}\"] .proposal ins").all_inner_texts()
        assert page.locator("#doc-text .st-accept", has_text="LIH").count() >= 1

        # The artifact: the story with a finding's message showing.
        select_card(page, f"c => c.dataset.id === '{lih_id}'")
        page.locator("#doc-text mark.cat-entity", has_text="LIH").first.hover()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "review-document.png"))

        # Next story with n, then export with the button: to the folder given, shown in the page.
        page.keyboard.press("n")
        page.wait_for_function(f"() => !location.hash.endsWith({json.dumps(SEED_003)})")
        page.click("#export")
        page.wait_for_function("() => document.getElementById('toast').textContent.startsWith('Exported')", timeout=15_000)
        assert "Exported 5 stories" in page.locator("#toast").inner_text()
        assert str(out) in page.locator("#toast").inner_text()
        page.keyboard.press("q")
        page.wait_for_selector("#queue tbody tr")
        page.wait_for_function("() => document.getElementById('export-info').textContent.includes('Last export')")
        assert str(out) in page.locator("#export-info").inner_text()
        assert not page.errors, page.errors
    finally:
        assert proc.stop() == 0

    assert not (folder / ".mtcheck" / "export").exists()
    assert (folder / SEED_003).read_text(encoding="utf-8") == original  # the original is untouched
    cleaned = (out / SEED_003).read_text(encoding="utf-8")
    assert "pandering ISIL" in cleaned and "pandering LIH" not in cleaned
    assert "during an air strike, coalition" in cleaned
    record = json.loads((out / "decisions.json").read_text(encoding="utf-8"))
    by_card = {}
    for d in record["decisions"]:
        by_card.setdefault(d["suggestion"], []).append((d["action"], d["status"]))
        assert d["reviewer"] == "e2e-editor" and d["at"]
    assert by_card[lih_id] == [("accept", "applied")]
    assert by_card[rejected_id] == [("reject", "rejected")]
    assert by_card[edited_id] == [("edit", "undone"), ("edit", "applied")]


def test_a_sentence_without_a_proposal_is_edited_in_its_card(tmp_path, page):
    folder = tmp_path / "stories"
    folder.mkdir()
    (folder / "ru.txt").write_text(
        "Strike near Deir ez-Zor\n\nThe coalition said 62 soldiers of the LIH were not hurt.\n\n"
        "Официальный представитель сказал, что удар нанесли по ошибке.\n", encoding="utf-8")
    proc = ReviewProcess(folder, "--no-neural")
    try:
        open_story(page, proc.url, "ru.txt")
        card = page.locator("#cards .card.noproposal")
        assert card.count() == 1
        assert card.locator("mark.dmg").inner_text().startswith("Официальный")
        assert "No proposal" in card.inner_text() and "L101" in card.inner_text()
        box = card.locator("textarea.edit-box")  # the editor is there at once, with the sentence
        assert box.input_value() == "Официальный представитель сказал, что удар нанесли по ошибке."
        card_id = select_card(page, "c => c.classList.contains('noproposal')")
        page.keyboard.press("a")  # nothing to accept: a goes to the editor, damaged span selected
        assert box.evaluate("b => b === document.activeElement")
        assert box.evaluate("b => b.value.slice(b.selectionStart, b.selectionEnd)").startswith("Официальный")
        box.fill("An official said the strike was a mistake.")
        page.wait_for_function("() => document.querySelector('.noproposal .live .words')?.textContent.startsWith('fix score')")
        live = card.locator(".live")
        assert live.locator(".keeps").inner_text() == "keeps all names, numbers and negations"
        score = float(live.get_attribute("data-score"))
        assert 0 <= score <= 1 and f"fix score {score:.2f}: " in live.inner_text()
        page.keyboard.press("Enter")
        wait_state(page, card_id, "edit")
        assert "An official said the strike was a mistake." in page.locator(f'#cards .card[data-id="{card_id}"] .proposal').inner_text()

        # A number and a negation lost while typing are pointed out before saving.
        other = select_card(page, "c => c.textContent.includes('62 soldiers')")
        page.keyboard.press("e")
        box = page.locator(f'#cards .card[data-id="{other}"] textarea.edit-box')
        box.fill("The coalition said 26 soldiers of ISIL were hurt.")
        page.wait_for_function(f"() => document.querySelector('#cards .card[data-id=\"{other}\"] .live .keeps.warn')")
        warning = page.locator(f'#cards .card[data-id="{other}"] .live .keeps').inner_text()
        assert warning.startswith("warning: ") and "62" in warning and "negation" in warning
        page.keyboard.press("Escape")
        assert not page.errors, page.errors
    finally:
        proc.stop()


def test_undo_one_decision_of_accept_all_then_the_batch(tmp_path, page):
    folder = copy_seeds(tmp_path / "stories")
    proc = ReviewProcess(folder, "--no-neural")
    try:
        open_story(page, proc.url, SEED_003)
        safe = page.locator("#cards .card .badge.safe").count()
        assert safe >= 3
        page.keyboard.press("Shift+A")
        page.wait_for_function(f"() => document.querySelectorAll('#cards .card.st-accept').length === {safe}")
        assert "one by one" in page.locator("#toast").inner_text()
        page.keyboard.press("u")  # one decision of the batch
        page.wait_for_function(f"() => document.querySelectorAll('#cards .card.st-accept').length === {safe - 1}")
        # Any one card's decision, by its own Undo button.
        page.locator("#cards .card.st-accept button.undo-one").first.click()
        page.wait_for_function(f"() => document.querySelectorAll('#cards .card.st-accept').length === {safe - 2}")
        page.keyboard.press("Shift+U")  # the rest of the batch, one step
        page.wait_for_function("() => document.querySelectorAll('#cards .card.st-accept').length === 0")
        page.keyboard.press("y")  # and back, as one step
        page.wait_for_function(f"() => document.querySelectorAll('#cards .card.st-accept').length === {safe - 2}")
        assert not page.errors, page.errors
    finally:
        proc.stop()


def test_export_to_the_configured_folder_in_each_storys_encoding(tmp_path, page):
    folder = tmp_path / "stories"
    folder.mkdir()
    story = "Strike in Syria\r\n\r\nThe LIH militants attacked the town, the defense Ministry said.\r\n"
    (folder / "wide.txt").write_bytes(b"\xff\xfe" + story.encode("utf-16-le"))
    (folder / "cyr.txt").write_bytes((story + "Источник: ТАСС.\r\n").encode("cp1251"))
    (tmp_path / "mtcheck.toml").write_text('[review]\nexport-dir = "desk-out"\n', encoding="utf-8")
    proc = ReviewProcess(folder, "--no-neural", "--config", str(tmp_path / "mtcheck.toml"))
    try:
        for name in ("wide.txt", "cyr.txt"):
            open_story(page, proc.url, name)
            card = select_card(page, "c => c.textContent.includes('LIH')")
            page.keyboard.press("a")
            wait_state(page, card, "accept")
        page.click("#export")
        page.wait_for_function("() => document.getElementById('toast').textContent.startsWith('Exported')", timeout=15_000)
        assert str(tmp_path / "desk-out") in page.locator("#toast").inner_text()
    finally:
        proc.stop()
    fixed = "The ISIL militants attacked the town, the Defense Ministry said.\r\n"
    wide = (tmp_path / "desk-out" / "wide.txt").read_bytes()
    assert wide.startswith(b"\xff\xfe") and wide[2:].decode("utf-16-le") == story.replace(story.splitlines(True)[2], fixed)
    cyr = (tmp_path / "desk-out" / "cyr.txt").read_bytes().decode("cp1251")
    assert fixed in cyr and cyr.endswith("Источник: ТАСС.\r\n") and cyr.count("\r\n") == cyr.count("\n")


def test_a_stale_decision_can_be_dismissed(tmp_path, page):
    folder = copy_seeds(tmp_path / "stories")
    proc = ReviewProcess(folder, "--no-neural")
    try:
        open_story(page, proc.url, SEED_003)
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
        stale.locator("button.dismiss").click()
        page.wait_for_selector("#doc-banner[hidden]", state="attached")
        assert page.locator("#cards .card.st-stale").count() == 0
        page.reload()
        page.wait_for_selector("#cards .card.current")
        assert page.locator("#cards .card.st-stale").count() == 0  # dismissed for good
        assert not page.errors, page.errors
    finally:
        proc.stop()


def test_the_stats_view_after_a_sequence_of_decisions(tmp_path, page):
    folder = copy_seeds(tmp_path / "stories")
    proc = ReviewProcess(folder, "--no-neural")
    try:
        open_story(page, proc.url, SEED_003)
        calque = "c => c.querySelectorAll('.why li').length === 1 && c.querySelector('.why code').textContent === 'S101'"
        for _ in range(3):  # reject three calqued-capitals fixes...
            card = select_card(page, f"c => c.classList.contains('st-pending') && ({calque})(c)")
            page.keyboard.press("r")
            wait_state(page, card, "reject")
        card = select_card(page, "c => c.textContent.includes('pandering')")  # ...accept an acronym fix
        page.keyboard.press("a")
        wait_state(page, card, "accept")
        page.keyboard.press("s")
        page.wait_for_selector('#stats tbody tr[data-code="S101"]')
        row = page.locator('#stats tbody tr[data-code="S101"]')
        assert row.locator("td").all_inner_texts()[:6] == ["S101", "3", "0", "0", "3", "0%"]
        assert page.locator('#stats tbody tr[data-code="E101"] td.rate').inner_text() == "100%"
        advice = page.locator('#stats-advice .advice[data-code="S101"]')
        assert "rejected 100% of its 3 proposals" in advice.inner_text()
        assert 'severity = { S101 = "info" }' in advice.locator("pre").inner_text()
        assert 'unfixable = ["S101"]' in advice.locator("pre").inner_text()  # reported, its fix off
        assert page.locator('#stats-advice .advice[data-code="E101"]').count() == 0
        assert not page.errors, page.errors
    finally:
        proc.stop()


def wait_scanning_rows(page, count):
    """Wait until the queue shows `count` rows still being scanned (fails after the timeout)."""
    page.wait_for_function(
        f"() => document.querySelectorAll('#queue tbody tr.scanning').length === {count}"
        " && document.querySelectorAll('#queue tbody tr').length === 5", timeout=15_000)


def test_progress_is_shown_while_a_slow_scan_runs(tmp_path, page):
    """The scan is the real rules-only scanner, held back between stories so that the page
    can be looked at in the middle of it."""
    folder = copy_seeds(tmp_path / "stories")
    scanner = rules_only_scanner()
    release = threading.Semaphore(0)

    class HeldBack:
        def __getattr__(self, name):
            return getattr(scanner, name)

        def scan(self, paths, **kw):
            for result in scanner.scan(paths, **kw):
                release.acquire(timeout=60)
                yield result

    session = open_session(folder, tmp_path / "r.sqlite", scanner=HeldBack())
    served = Served(session)
    session.start()
    try:
        page.goto(served.url)
        page.wait_for_selector("#scan-progress:not([hidden])")
        assert "Scanning: 0 of 5 stories ready" in page.locator("#scan-progress").inner_text()
        # The progress line is drawn before the queue's rows: wait for the rows, not just the line.
        wait_scanning_rows(page, 5)
        # A story not scanned yet says so, and opens by itself once its scan is in.
        first = next(iter(session.entries))
        page.goto(served.url + "#/doc/" + first)
        page.wait_for_function("() => document.getElementById('doc-text').textContent.includes('still being scanned')")
        release.release()
        page.wait_for_selector("#cards .card.current", timeout=15_000)
        page.goto(served.url + "#/")
        page.wait_for_function("() => document.getElementById('scan-progress').textContent.includes('1 of 5')")
        wait_scanning_rows(page, 4)
        release.release()
        page.wait_for_function("() => document.getElementById('scan-progress').textContent.includes('2 of 5')")
        for _ in range(3):
            release.release()
        page.wait_for_selector("#scan-progress", state="hidden", timeout=15_000)
        wait_scanning_rows(page, 0)
        assert not page.errors, page.errors
    finally:
        for _ in range(5):
            release.release()
        served.close()


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
        assert page.locator("#queue tbody i, #queue tbody u").count() == 0
        page.locator('#queue tbody tr[data-path="story.txt"]').click()
        page.wait_for_selector("#doc-text .doc")
        doc = page.locator("#doc-text .doc")
        assert doc.inner_text() == evil.rstrip("\n") or doc.inner_text().rstrip("\n") == evil.rstrip("\n")
        assert page.get_by_text("<script>window.__pwned = 1; alert(1)</script>", exact=False).count() >= 1
        assert "&amp;" in doc.inner_text() and "<b>lied</b>" in doc.inner_text()
        for tag in ("script", "img", "b"):
            assert page.locator(f"#doc-text {tag}, #cards {tag}").count() == 0
        assert page.locator("#cards .card").count() >= 1  # LIH and the ministry still get cards
        assert "<img src=x" in page.locator("#cards").inner_text()  # the card's text is text too
        page.locator("#doc-text mark.f").first.hover()
        page.goto(proc.url + "#/doc/" + name.replace("<", "%3C").replace(">", "%3E"))
        page.wait_for_function("() => document.getElementById('doc-title').textContent.includes('onmouseover')")
        assert page.locator("#doc-title").inner_text() == name
        assert page.locator("#doc-text u, #cards u, #doc-headline u").count() == 0
        assert "<u>today</u>" in page.locator("#doc-headline").inner_text()
        assert page.evaluate("window.__pwned") is None
        assert dialogs == []
        assert not page.errors, page.errors
    finally:
        proc.stop()


def test_a_fix_accepted_in_wire_stories_is_exported_in_their_format(tmp_path, page):
    """A ninjs story and a NewsML-G2 item: the desk shows the text their readers extract (wire
    text that is HTML once unescaped shown as text); a fix accepted in each is exported into
    the file in its format, which reads back with the fix and is otherwise byte for byte the
    original."""
    import shutil
    from urllib.parse import quote

    from mtcheck.reader import read_document

    wire = ROOT / "tests" / "data" / "wire"
    folder = tmp_path / "stories"
    folder.mkdir()
    shutil.copy(wire / "002_4226bccabad467d5.ninjs3.json", folder / "story.json")
    newsml = (wire / "002_4226bccabad467d5.newsml.xml").read_text(encoding="utf-8")
    first_p = newsml.index("<p>", newsml.index("saidthat") - 200)
    newsml = newsml[:first_p] + '<p>Officials posted &lt;img src=x onerror="window.__pwned = 1"&gt; on Monday.</p>' + newsml[first_p:]
    (folder / "item.xml").write_text(newsml, encoding="utf-8")
    originals = {name: (folder / name).read_text(encoding="utf-8") for name in ("story.json", "item.xml")}
    out = tmp_path / "desk-out"
    proc = ReviewProcess(folder, "--no-neural", "--export-dir", str(out))
    accepted = {}
    try:
        page.goto(proc.url)
        page.locator('#queue tbody tr[data-path="story.json"]').wait_for()
        assert "Russia and USA are very close" in page.locator('#queue tbody tr[data-path="story.json"]').inner_text()
        for name in ("story.json", "item.xml"):
            open_story(page, proc.url, name)
            card = select_card(page, "c => c.textContent.includes('saidthat')")
            page.keyboard.press("a")
            wait_state(page, card, "accept")
            _, view = proc.call("GET", "/api/doc?path=" + quote(name))
            decided = next(c for c in view["suggestions"] if c["id"] == card)
            assert view["format"] == ("ninjs" if name == "story.json" else "newsml")
            assert page.locator("#doc-title").inner_text().endswith("exported back as " + view["format"])
            assert no_horizontal_scroll(page)
            accepted[name] = (decided["original"], decided["proposed"])
            assert "said that" in decided["proposed"]
        # The unescaped wire text is shown as text, never made into an element.
        assert page.get_by_text('<img src=x onerror="window.__pwned = 1">', exact=False).count() >= 1
        assert page.locator("#doc-text img, #cards img").count() == 0
        page.click("#export")
        page.wait_for_function("() => document.getElementById('toast').textContent.startsWith('Exported')", timeout=15_000)
        assert page.evaluate("window.__pwned") is None and not page.errors, page.errors
    finally:
        proc.stop()
    for name, (sentence, fixed) in accepted.items():
        exported = (out / name).read_text(encoding="utf-8")
        assert originals[name].count(sentence) >= 1
        assert exported == originals[name].replace(sentence, fixed)  # the markup otherwise as it was
        text = read_document(str(out / name)).text
        assert fixed in text and sentence not in text
        assert (folder / name).read_text(encoding="utf-8") == originals[name]
    assert json.loads((out / "story.json").read_text(encoding="utf-8"))["bodies"][1]["contentType"] == "text/html"
    assert '&lt;img src=x onerror="window.__pwned = 1"&gt;' in (out / "item.xml").read_text(encoding="utf-8")


def test_a_recorded_rewrite_is_the_cards_proposal_with_its_candidates(tmp_path, page):
    """A rewrite as the rewrite stage records it (``Sentence.rewrite``), put into the review
    database's scan cache: its sentence has one card whose proposal is the rewrite, in words,
    with what made it and its components behind the details toggle, and a candidate one click
    away as the start of an edit."""
    from mtcheck import codec
    from mtcheck.review.session import read_story

    folder = copy_seeds(tmp_path / "stories")
    scanner = rules_only_scanner()
    result = next(iter(scanner.scan([str(folder / SEED_003)])))
    sentence = next(s for s in result.document.sentences if "Moscow expressed" in s.text)
    sentence.rewrite = {
        "text": "Moscow expressed deep concern about the incident and demanded a full and detailed explanation from the United States.",
        "source": "backtranslation", "fix_score": 0.83, "accepted": True, "transforms": ["back-translation via Russian"],
        "components": {"fluency_gain": 0.41, "cosine": 0.91, "chrf": 0.62, "entity_kept": 1.0, "length_dev": 0.1},
        "candidates": [
            {"text": "Moscow voiced deep concern over the incident and demanded a full explanation from the United States.",
             "source": "backtranslation", "fix_score": 0.71, "components": {}},
        ],
    }
    from mtcheck.review.session import options_key

    session = open_session(folder, tmp_path / "r.sqlite", scanner=scanner)
    sha, _, _ = read_story(folder / SEED_003)
    session.store.put_scan(sha, options_key(scanner), SEED_003, codec.annotations(result.document))
    session.load()
    served = Served(session)
    try:
        open_story(page, served.url, SEED_003)
        card = page.locator("#cards .card", has_text="Moscow expressed").first
        assert page.locator("#cards .card", has_text="Moscow expressed").count() == 1
        proposal = card.locator(".proposal")
        assert proposal.locator(".plain").inner_text().startswith("proposed: rewrite")
        assert "made by back-translation via Russian" in proposal.locator(".plain").inner_text()
        assert proposal.locator(".words").inner_text().startswith("fix score 0.83: ")
        assert "from the United States" in " ".join(proposal.locator(".d-inline ins").all_inner_texts())
        assert "chrf" not in card.inner_text()  # internals are behind the toggle...
        card.locator(".internals summary").click()
        internals = card.locator(".internals").inner_text()
        assert "chrf" in internals and "back-translation via Russian" in internals  # ...and there
        page.keyboard.press("t")
        assert proposal.locator(".d-sbs .d-old").is_visible() and not proposal.locator(".d-inline").is_visible()
        page.keyboard.press("t")
        card.locator(".alternatives summary").click()
        candidate = card.locator(".alternatives li", has_text="Moscow voiced deep concern")
        candidate.locator("button.use").click()
        box = card.locator("textarea.edit-box")
        assert "Moscow voiced deep concern" in box.input_value()
        page.keyboard.press("Enter")
        card_id = card.get_attribute("data-id")
        wait_state(page, card_id, "edit")
        state = next(s for s in session.view(SEED_003)["suggestions"] if s["id"] == card_id)
        assert "Moscow voiced deep concern" in state["text"]
        assert not page.errors, page.errors
    finally:
        served.close()


def test_screenshots_for_the_docs_at_1280x800(tmp_path, browser):
    """The queue and a story page as the README shows them, at 1280x800: neither needs
    horizontal scrolling. They go to artifacts/; with MTCHECK_UPDATE_DOCS=1 to docs/, which
    is how the committed ones are made."""
    import os

    shots = DOCS if os.environ.get("MTCHECK_UPDATE_DOCS") == "1" else ARTIFACTS
    folder = copy_seeds(tmp_path / "stories")
    proc = ReviewProcess(folder, "--no-neural", "--reviewer", "J. Editor", "--export-dir", str(tmp_path / "desk-out"))
    context, page = new_page(browser, 1280, 800)
    try:
        page.goto(proc.url)
        page.locator("#queue tbody tr").first.wait_for()
        assert no_horizontal_scroll(page)
        shots.mkdir(exist_ok=True)
        page.screenshot(path=str(shots / "review-queue.png"))
        open_story(page, proc.url, SEED_003)
        page.keyboard.press("a")  # one sentence decided, to show how that looks
        page.wait_for_selector("#cards .card.st-accept")
        select_card(page, "c => c.textContent.includes('Russia will convene')")
        card = current_card(page)
        card.locator(".alternatives summary").click()
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_function("() => document.getElementById('toast').className === 'toast'", timeout=10_000)
        assert no_horizontal_scroll(page)
        page.screenshot(path=str(shots / "review-story.png"))
        assert not page.errors, page.errors
    finally:
        context.close()
        proc.stop()
