"""``mtcheck lsp`` driven by a real LSP client (pygls' ``LanguageClient``) over stdio: the
server runs as ``python -m mtcheck lsp``, a subprocess, exactly as an editor starts it.

Positions in the assertions are computed here, independently of the server: ``client_offset``
counts code units of the negotiated encoding by encoding the line, so a server that counted
code points (or bytes) would place its ranges and fixes wrongly past a non-BMP character."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import pytest

types = pytest.importorskip("lsprotocol.types")
client_module = pytest.importorskip("pygls.lsp.client")

pytestmark = pytest.mark.timeout(180)

ROOT = Path(__file__).resolve().parents[1]
LIH = "Militants of the Islamic State (LIH, a banned terrorist organization) attacked the city on Sunday."
STORY = f"Strikes near Deir ez-Zor\n\n{LIH}\n\nThe coalition called it a RAID on the positions.\n"
TIMEOUT = 30  # seconds for one answer; a rules-only check takes milliseconds, a cold start about a second


# -- an independent model of LSP positions ---------------------------------------------------------
_CODEC = {"utf-16": ("utf-16-le", 2), "utf-8": ("utf-8", 1), "utf-32": ("utf-32-le", 4)}


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end without the line break) of each line, over LSP's line breaks."""
    out, start = [], 0
    for m in re.finditer(r"\r\n|\r|\n", text):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(text)))
    return out


def client_offset(text: str, pos, encoding: str = "utf-16") -> int:
    codec, width = _CODEC[encoding]
    start, end = _lines(text)[pos.line]
    line = text[start:end]
    for i in range(len(line) + 1):
        if len(line[:i].encode(codec, "surrogatepass")) // width == pos.character:
            return start + i
    raise AssertionError(f"position {pos} falls inside a character of {line!r} ({encoding})")


def client_position(text: str, offset: int, encoding: str = "utf-16"):
    codec, width = _CODEC[encoding]
    for n, (start, end) in enumerate(_lines(text)):
        if start <= offset <= end:
            return types.Position(line=n, character=len(text[start:offset].encode(codec, "surrogatepass")) // width)
    raise AssertionError(offset)


def span(text: str, rng, encoding: str = "utf-16") -> str:
    return text[client_offset(text, rng.start, encoding):client_offset(text, rng.end, encoding)]


def apply(text: str, edits, encoding: str = "utf-16") -> str:
    """Apply LSP TextEdits (all against ``text``) as an editor does: last first."""
    spans = sorted(((client_offset(text, e.range.start, encoding), client_offset(text, e.range.end, encoding), e.new_text)
                    for e in edits), reverse=True)
    for a, b, new in spans:
        text = text[:a] + new + text[b:]
    return text


def edits_of(action, uri: str) -> list:
    edit = action.edit
    if edit.document_changes:
        return [e for change in edit.document_changes if change.text_document.uri == uri for e in change.edits]
    return list(edit.changes[uri])


# -- the session -----------------------------------------------------------------------------------
class Session:
    """One server process and one client: ``async with Session(...) as s``. Exiting shuts the
    server down as an editor does (shutdown, exit) and records its exit code and stderr."""

    def __init__(self, *args: str, env: dict, encodings: list[str] | None = None, init_options=None,
                 document_changes: bool = False):
        self.args, self.env = args, env
        self.encodings, self.init_options, self.document_changes = encodings, init_options, document_changes
        self.client = client_module.LanguageClient("mtcheck-tests", "1")
        self.queues: dict[str, asyncio.Queue] = {}
        self.versions: dict[str, int] = {}
        self.texts: dict[str, str] = {}
        self.returncode: int | None = None
        self.stderr = ""

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params):
            self._queue(params.uri).put_nowait(params)

    def _queue(self, uri: str) -> asyncio.Queue:
        return self.queues.setdefault(uri, asyncio.Queue())

    async def __aenter__(self) -> "Session":
        await self.client.start_io(sys.executable, "-m", "mtcheck", "lsp", *self.args, env=self.env, cwd=str(ROOT))
        caps = types.ClientCapabilities(
            general=types.GeneralClientCapabilities(position_encodings=self.encodings) if self.encodings else None,
            workspace=types.WorkspaceClientCapabilities(
                workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=self.document_changes)),
        )
        result = await asyncio.wait_for(self.client.initialize_async(types.InitializeParams(
            capabilities=caps, process_id=None, initialization_options=self.init_options)), TIMEOUT)
        self.capabilities = result.capabilities
        self.client.initialized(types.InitializedParams())
        return self

    async def __aexit__(self, *exc) -> None:
        server = self.client._server
        try:
            if exc[0] is None:
                await asyncio.wait_for(self.client.shutdown_async(None), TIMEOUT)
                self.client.exit(None)
                self.returncode = await asyncio.wait_for(server.wait(), TIMEOUT)
                self.stderr = (await server.stderr.read()).decode("utf-8", "replace")
        finally:
            if server.returncode is None:
                server.kill()
                await server.wait()
            await self.client.stop()

    @property
    def encoding(self) -> str:
        return self.capabilities.position_encoding or "utf-16"

    async def diagnostics(self, uri: str) -> list:
        """The next diagnostics published for ``uri``; they must be for its current version."""
        params = await asyncio.wait_for(self._queue(uri).get(), TIMEOUT)
        if uri in self.versions and params.version is not None:
            assert params.version == self.versions[uri], f"diagnostics for version {params.version}, not {self.versions[uri]}"
        return list(params.diagnostics)

    async def open(self, uri: str, text: str, language_id: str = "plaintext") -> list:
        self.versions[uri], self.texts[uri] = 1, text
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language_id, version=1, text=text)))
        return await self.diagnostics(uri)

    async def replace_all(self, uri: str, text: str) -> list:
        """A change of the whole text (what a client sends when it does not do incremental sync)."""
        self.versions[uri] += 1
        self.texts[uri] = text
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
        return await self.diagnostics(uri)

    async def edit(self, uri: str, edits) -> list:
        """TextEdits sent as incremental changes, as an editor applying a code action does."""
        text = self.texts[uri]
        changes = []
        # Last first, so each range still means what it meant in the original text.
        for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
            changes.append(types.TextDocumentContentChangePartial(range=e.range, text=e.new_text))
            text = apply(text, [e], self.encoding)
        self.versions[uri] += 1
        self.texts[uri] = text
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            content_changes=changes))
        return await self.diagnostics(uri)

    async def actions(self, uri: str, rng, only=None) -> list:
        result = await asyncio.wait_for(self.client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=rng,
            context=types.CodeActionContext(diagnostics=[], only=only))), TIMEOUT)
        return list(result or [])


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def env(subprocess_env, tmp_path):
    return {**subprocess_env, "NO_COLOR": "1"}


def by_code(diagnostics) -> dict:
    return {d.code: d for d in diagnostics}


def assert_clean_exit(session: Session) -> None:
    assert session.returncode == 0, session.stderr
    assert "Traceback" not in session.stderr, session.stderr


# -- tests ---------------------------------------------------------------------------------------------
def test_diagnostics_follow_the_edits_and_the_quick_fixes_clear_them(tmp_path, env):
    uri = (tmp_path / "strikes.txt").as_uri()

    async def scenario():
        async with Session(env=env) as s:
            assert s.encoding == "utf-16"
            found = by_code(await s.open(uri, STORY))
            assert set(found) == {"E101", "S105"}
            e101, s105 = found["E101"], found["S105"]
            assert (e101.severity, s105.severity) == (types.DiagnosticSeverity.Error, types.DiagnosticSeverity.Warning)
            assert e101.source == s105.source == "mtcheck"
            assert span(STORY, e101.range) == "LIH" and e101.range.start == types.Position(line=2, character=32)
            assert span(STORY, s105.range) == "RAID"
            assert '"ISIL"' in e101.message and "(suggestion: 'ISIL')" in e101.message

            actions = await s.actions(uri, e101.range)
            titles = [a.title for a in actions]
            assert "Fix E101: replace 'LIH' with 'ISIL'" in titles and "Disable E101 for this line" in titles
            # The cursor inside "LIH" offers no action for the RAID finding on another line.
            assert not any("S105" in t for t in titles)
            fix = next(a for a in actions if a.title.startswith("Fix E101"))
            assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
            assert [d.code for d in fix.diagnostics] == ["E101"]
            left = by_code(await s.edit(uri, edits_of(fix, uri)))
            assert s.texts[uri] == STORY.replace("(LIH,", "(ISIL,")
            assert set(left) == {"S105"}
            assert span(s.texts[uri], left["S105"].range) == "RAID"

            # Typing the error back in (one incremental change) brings the diagnostic back.
            at = client_position(s.texts[uri], s.texts[uri].index("ISIL"))
            end = types.Position(line=at.line, character=at.character + 4)
            back = by_code(await s.edit(uri, [types.TextEdit(range=types.Range(start=at, end=end), new_text="LIH")]))
            assert set(back) == {"E101", "S105"}

            # "Apply every safe fix" (source.fixAll) fixes both at once.
            everything = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=99, character=0))
            fix_all = await s.actions(uri, everything, only=["source.fixAll"])
            assert [a.kind for a in fix_all] == ["source.fixAll.mtcheck"]
            assert await s.edit(uri, edits_of(fix_all[0], uri)) == []
            assert "ISIL" in s.texts[uri] and "a raid on" in s.texts[uri]
        return s

    assert_clean_exit(run(scenario()))


@pytest.mark.parametrize("offered,expected", [(None, "utf-16"), (["utf-8"], "utf-8"), (["utf-32", "utf-16"], "utf-32")])
def test_positions_count_code_units_of_the_negotiated_encoding(tmp_path, env, offered, expected):
    # Before "LIH" on its line: an emoji and an ideograph outside the BMP (two UTF-16 units and
    # four UTF-8 bytes each), and Cyrillic (two UTF-8 bytes each).
    line = "😀 Заголовок 𠀋 " + LIH
    story = f"Strikes\n\n{line}\n"
    uri = (tmp_path / "wide.txt").as_uri()

    async def scenario():
        async with Session(env=env, encodings=offered, document_changes=True) as s:
            assert s.encoding == expected
            e101 = by_code(await s.open(uri, story))["E101"]
            assert span(story, e101.range, expected) == "LIH"
            assert e101.range.start.character == len(line[:line.index("LIH")].encode(_CODEC[expected][0])) // _CODEC[expected][1]

            # The client's range (in its units) is mapped back to the finding.
            fix = next(a for a in await s.actions(uri, e101.range) if a.title.startswith("Fix E101"))
            assert fix.edit.document_changes[0].text_document.version == 1  # versioned: a stale fix is refused
            assert "E101" not in {d.code for d in await s.edit(uri, edits_of(fix, uri))}
            assert s.texts[uri] == story.replace("(LIH,", "(ISIL,")

            # An incremental change at the end of the wide line is applied where the client meant it.
            end = client_position(s.texts[uri], s.texts[uri].index(" on Sunday."), expected)
            after = by_code(await s.edit(uri, [types.TextEdit(range=types.Range(start=end, end=end), new_text=" in a RAID")]))
            assert s.texts[uri].endswith("city in a RAID on Sunday.\n")
            assert span(s.texts[uri], after["S105"].range, expected) == "RAID"
        return s

    assert_clean_exit(run(scenario()))


def test_disable_for_this_line_inserts_a_suppression_comment_that_mtcheck_honours(tmp_path, env):
    # A CRLF story, the finding's line indented: the comment keeps both.
    story = f"Strikes\r\n\r\n  {LIH} It was a RAID.\r\n"
    uri = (tmp_path / "strikes.md").as_uri()

    async def scenario():
        async with Session(env=env) as s:
            found = by_code(await s.open(uri, story, language_id="markdown"))
            assert {"E101", "S105"} <= set(found)
            disable = next(a for a in await s.actions(uri, found["E101"].range) if a.title == "Disable E101 for this line")
            assert [e.new_text for e in edits_of(disable, uri)] == ["  <!-- mtcheck-disable-next-line E101 -->\r\n"]
            left = by_code(await s.edit(uri, edits_of(disable, uri)))
            assert s.texts[uri] == f"Strikes\r\n\r\n  <!-- mtcheck-disable-next-line E101 -->\r\n  {LIH} It was a RAID.\r\n"
            assert "E101" not in left and "S105" in left  # mtcheck.suppress reads the comment

            # A second code joins the comment above rather than stacking another one.
            disable = next(a for a in await s.actions(uri, left["S105"].range) if a.title == "Disable S105 for this line")
            assert [e.new_text for e in edits_of(disable, uri)] == [" S105"]
            left = await s.edit(uri, edits_of(disable, uri))
            assert "<!-- mtcheck-disable-next-line E101 S105 -->\r\n" in s.texts[uri]
            assert left == []
        return s

    assert_clean_exit(run(scenario()))


def test_only_stories_are_checked(tmp_path, env):
    async def scenario():
        async with Session(env=env) as s:
            # A Python file is no story, even with a transliterated acronym in it.
            assert await s.open((tmp_path / "notes.py").as_uri(), LIH, language_id="python") == []
            # An unsaved buffer is checked by its language.
            found = await s.open("untitled:Untitled-1", STORY, language_id="markdown")
            assert {"E101", "S105"} <= {d.code for d in found}
            assert await s.open("untitled:Untitled-2", STORY, language_id="json") == []
            # Wire formats are `mtcheck scan`'s (their findings map back through a source map),
            # even though the include patterns take them.
            ninjs = '{"uri": "urn:x", "headline": "LIH attack", "body_text": "' + LIH + '"}'
            assert await s.open((tmp_path / "story.json").as_uri(), ninjs, language_id="json") == []
            page = f"<!doctype html><html><body><p>{LIH}</p></body></html>"
            assert await s.open((tmp_path / "page.html").as_uri(), page, language_id="html") == []
            # A web page saved as .txt: one note saying why it is not checked.
            [note] = await s.open((tmp_path / "page.txt").as_uri(), page)
            assert note.severity == types.DiagnosticSeverity.Information and "html document" in note.message
            # A story is checked whatever language the editor guessed for it.
            assert {d.code for d in await s.open((tmp_path / "a.md").as_uri(), STORY, language_id="plaintext")} >= {"E101"}
        return s

    assert_clean_exit(run(scenario()))


def test_bad_documents_get_one_notice_and_the_server_carries_on(tmp_path, env):
    async def scenario():
        async with Session(env=env) as s:
            cases = {
                "binary.txt": ("\x00\x01\x02\x03garbage\x00" * 400, "not text"),
                "surrogate.txt": ("Strikes\n\nThe city \ud800 was hit.\n", "unpaired surrogate"),
                "huge.txt": ("Strikes near the city. " * (1024 * 1024), "over the 20 MiB limit"),
            }
            for name, (text, words) in cases.items():
                diagnostics = await s.open((tmp_path / name).as_uri(), text)
                assert len(diagnostics) == 1, (name, diagnostics)
                assert words in diagnostics[0].message and "not checked" in diagnostics[0].message, diagnostics[0].message
                assert diagnostics[0].range.start == types.Position(line=0, character=0)
            assert await s.open((tmp_path / "empty.txt").as_uri(), "") == []
            # Code actions on an unchecked document: none, and no error.
            nowhere = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=1))
            assert await s.actions((tmp_path / "binary.txt").as_uri(), nowhere) == []
            # Still serving.
            assert {"E101", "S105"} <= {d.code for d in await s.open((tmp_path / "after.txt").as_uri(), STORY)}
        return s

    assert_clean_exit(run(scenario()))


def test_the_configuration_is_found_above_each_story_and_reread_when_it_changes(tmp_path, env):
    quiet = tmp_path / "desk-a"
    plain = tmp_path / "desk-b"
    (quiet / "politics").mkdir(parents=True)
    plain.mkdir()
    config = quiet / "mtcheck.toml"
    config.write_text('ignore = ["E101"]\n', encoding="utf-8")
    uri_quiet = (quiet / "politics" / "strikes.txt").as_uri()
    uri_plain = (plain / "strikes.txt").as_uri()

    async def scenario():
        async with Session(env=env) as s:
            assert {d.code for d in await s.open(uri_quiet, STORY)} == {"S105"}
            assert {d.code for d in await s.open(uri_plain, STORY)} == {"E101", "S105"}

            config.write_text('ignore = ["E101"\n', encoding="utf-8")  # broken
            broken = await s.replace_all(uri_quiet, STORY + "\n")
            assert len(broken) == 1 and broken[0].severity == types.DiagnosticSeverity.Error
            assert broken[0].message.startswith("configuration error: ") and "mtcheck.toml" in broken[0].message

            config.write_text('ignore = ["S105"]\nselect = ["entity", "style"]\n', encoding="utf-8")
            assert {d.code for d in await s.replace_all(uri_quiet, STORY)} == {"E101"}
        return s

    assert_clean_exit(run(scenario()))


def test_an_explicit_config_applies_to_every_story(tmp_path, env):
    config = tmp_path / "strict.toml"
    config.write_text('[severity]\nS105 = "error"\n', encoding="utf-8")

    async def scenario():
        # --stdio: what vscode-languageclient appends for its stdio transport.
        async with Session("--stdio", "--config", str(config), env=env) as s:
            found = by_code(await s.open((tmp_path / "elsewhere" / "s.txt").as_uri(), STORY))
            assert found["S105"].severity == types.DiagnosticSeverity.Error
        return s

    assert_clean_exit(run(scenario()))


def test_unsafe_fixes_are_offered_only_when_the_config_allows_them(tmp_path, env):
    story = "Fighting in Syria\n\nSyrian army units advanced near El ISBA in the province of Aleppo, the military said.\n"
    careful, bold = tmp_path / "careful", tmp_path / "bold"
    careful.mkdir()
    bold.mkdir()
    (bold / "mtcheck.toml").write_text("unsafe-fixes = true\n", encoding="utf-8")

    async def scenario():
        async with Session(env=env) as s:
            offered = {}
            for folder in (careful, bold):
                uri = (folder / "syria.txt").as_uri()
                e107 = by_code(await s.open(uri, story))["E107"]
                assert e107.data["safe_fix"] is False
                offered[folder.name] = [a for a in await s.actions(uri, e107.range) if a.title.startswith("Fix E107")]
            assert offered["careful"] == []
            [fix] = offered["bold"]
            assert not fix.is_preferred
            assert apply(story, edits_of(fix, (bold / "syria.txt").as_uri())) == story.replace("El ISBA", "al-Isba")
        return s

    assert_clean_exit(run(scenario()))


def test_a_rule_the_config_makes_unfixable_is_reported_without_a_quick_fix(tmp_path, env):
    story = "Strike in Syria\n\nThe militants attacked the town, the defense Ministry said.\n"
    plain, off = tmp_path / "plain", tmp_path / "off"
    plain.mkdir()
    off.mkdir()
    (off / "mtcheck.toml").write_text('unfixable = ["S101"]\n', encoding="utf-8")

    async def scenario():
        async with Session(env=env) as s:
            offered = {}
            for folder in (plain, off):
                uri = (folder / "s.txt").as_uri()
                s101 = by_code(await s.open(uri, story))["S101"]  # reported either way
                offered[folder.name] = [a.title for a in await s.actions(uri, s101.range)]
            assert any(t.startswith("Fix S101") for t in offered["plain"]), offered
            assert not any(t.startswith("Fix S101") for t in offered["off"]), offered
            assert "Disable S101 for this line" in offered["off"]
        return s

    assert_clean_exit(run(scenario()))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8", "utf-32"])
def test_offsets_and_positions_convert_both_ways_over_every_line_break(encoding):
    from mtcheck.lsp import Positions

    text = "Title 😀\r\n\r\nОдин 𠀋 two\rthree\nfour 🇷🇺 end"
    positions = Positions(text, encoding)
    for offset in range(len(text) + 1):
        if offset and text[offset - 1] == "\r" and text[offset:offset + 1] == "\n":
            continue  # between the two characters of a CRLF: no position of its own
        pos = positions.position(offset)
        assert pos == client_position(text, offset, encoding)
        assert positions.offset(pos) == offset
    # A character inside a surrogate pair (UTF-16) or a multi-byte sequence (UTF-8) is the character.
    emoji = text.index("😀")
    inside = types.Position(line=0, character=positions.position(emoji).character + 1)
    assert positions.offset(inside) == (emoji + 1 if encoding == "utf-32" else emoji)
    # Past the end of a line: its end; past the last line: the end of the text.
    assert positions.offset(types.Position(line=0, character=999)) == text.index("\r")
    assert positions.offset(types.Position(line=99, character=0)) == len(text)


def test_checking_as_the_server_does_imports_no_model_library(python, subprocess_env):
    """Rules-only means no torch, transformers, CTranslate2 or spaCy in the server process: an
    edit never waits for a model library to load."""
    import subprocess

    code = (
        "import sys\n"
        "from mtcheck.cli.common import config_sections\n"
        "from mtcheck.document import Document\n"
        "from mtcheck.lsp import MtcheckServer\n"
        "story = Document.from_text(sys.argv[1], path='/nowhere/story.txt')\n"
        "MtcheckServer(config_sections()).pipeline('/nowhere/story.txt').run([story])\n"
        "assert {f.code for f in story.findings} >= {'E101', 'S105'}, story.findings\n"
        "print(sorted(m for m in ('torch', 'transformers', 'ctranslate2', 'spacy') if m in sys.modules))\n"
    )
    proc = subprocess.run([python, "-c", code, STORY], capture_output=True, text=True, env=subprocess_env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_a_bad_config_flag_exits_2_with_one_line(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("select = [\n", encoding="utf-8")
    result = cli("lsp", "--config", bad)
    assert result.exit_code == 2
    assert result.stderr.startswith("mtcheck: error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_exit_without_shutdown_is_exit_code_1(tmp_path, env):
    async def scenario():
        s = Session(env=env)
        await s.__aenter__()
        s.client.exit(None)
        code = await asyncio.wait_for(s.client._server.wait(), TIMEOUT)
        await s.client.stop()
        return code

    assert run(scenario()) == 1


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_neural_findings_are_added_on_save(tmp_path):
    """With neuralOnSave, a save runs the neural pipeline (quality score, parse) in the
    background: its sentence-quality and parse findings (X...) join the rule findings. The
    server uses the usual cache folder: the prepared fluency model is there after the first
    neural run on this machine (preparing it in a fresh folder takes a minute or more)."""
    import os

    env = {**os.environ, "NO_COLOR": "1"}
    seed = ROOT / "seeds" / "002_4226bccabad467d5.txt"
    text = seed.read_text(encoding="utf-8")
    uri = (tmp_path / seed.name).as_uri()

    async def scenario():
        async with Session(env=env, init_options={"neuralOnSave": True}) as s:
            rules_only = {d.code for d in await s.open(uri, text)}
            assert rules_only and not any(c.startswith("X") for c in rules_only)
            s.client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
            params = await asyncio.wait_for(s._queue(uri).get(), 170)  # the first neural run loads the models
            neural = {d.code for d in params.diagnostics}
            assert rules_only <= neural
            assert any(c.startswith("X") for c in neural - rules_only), neural
        return s

    assert_clean_exit(run(scenario()))
