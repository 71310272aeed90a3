"""A language server (LSP, over stdio) for editors: mtcheck's findings as diagnostics while a
story is written, quick fixes for the safe rule fixes, and a "disable for this line" action.

Built on pygls. Each story is checked rules-only as it is opened and changed (no model weights,
no torch: a few milliseconds a story), with one ``Pipeline`` per configuration file, built once
and reused for every edit. With ``neural_on_save`` (the ``--neural-on-save`` flag, or the
``neuralOnSave`` initialization option) a save also runs the neural pipeline (the sentence
quality score and the parse-based syntax rules) in a worker thread, and its findings replace the
rules-only ones until the next edit.

Offsets: mtcheck's findings carry code-point offsets into the document's text; LSP positions
are a line and a character counted in the encoding agreed at ``initialize`` (UTF-16 code units
unless the client offers another), so a character outside the Basic Multilingual Plane (an emoji,
a rare CJK ideograph) counts twice there. ``Positions`` converts both ways, over exactly the line
breaks LSP counts (``\\n``, ``\\r\\n``, ``\\r``).

This module is in the apps layer: the CLI passes the config sections in (``mtcheck.cli.lsp``),
so nothing here imports the CLI.
"""

from __future__ import annotations

import asyncio
import bisect
import fnmatch
import logging
import os
import re
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from mtcheck import __version__
from mtcheck.config import Config, ConfigError, Section, find_config, load_config
from mtcheck.document import Document
from mtcheck.findings import Finding, Severity
from mtcheck.reader import MAX_BYTES, InputError, decode
from mtcheck.readers import PLAIN, sniff

SOURCE = "mtcheck"
# The suppression comment the "disable for this line" action inserts (mtcheck.suppress reads it).
DISABLE_NEXT_LINE = "<!-- mtcheck-disable-next-line {code} -->"
# What the server checks: files with these suffixes that the include/exclude patterns take, and
# unsaved buffers in these languages. Wire formats (ninjs, NewsML, NITF, feeds, HTML) are left to
# `mtcheck scan`: their findings map back to the file through a reader's source map.
STORY_SUFFIXES = (".txt", ".md", ".markdown")
LANGUAGE_IDS = ("plaintext", "markdown")
FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.mtcheck"

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NEXT_LINE_COMMENT = re.compile(r"[ \t]*<!--[ \t]*mtcheck-disable-next-line(?P<codes>(?:[\s,]+[\w.-]+)*?)[ \t]*-->[ \t]*")
_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}

log = logging.getLogger(__name__)


# -- positions ------------------------------------------------------------------------------------
def _utf16_units(s: str) -> int:
    return len(s) + sum(1 for c in s if ord(c) > 0xFFFF)


def _utf8_units(s: str) -> int:
    return len(s.encode("utf-8", "surrogatepass"))


_UNITS = {
    types.PositionEncodingKind.Utf16: _utf16_units,
    types.PositionEncodingKind.Utf8: _utf8_units,
    types.PositionEncodingKind.Utf32: len,
}


class Positions:
    """Code-point offsets of one text <-> LSP positions in ``encoding``."""

    def __init__(self, text: str, encoding: str | types.PositionEncodingKind = types.PositionEncodingKind.Utf16):
        self.text = text
        self.units = _UNITS.get(encoding, _utf16_units)
        self.line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
        # Where each line's content ends (its line break excluded).
        self.line_ends = [m.start() for m in _LINE_BREAK.finditer(text)] + [len(text)]

    def _line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.line_starts, offset) - 1

    def position(self, offset: int) -> types.Position:
        offset = max(0, min(offset, len(self.text)))
        line = self._line_of(offset)
        start = self.line_starts[line]
        return types.Position(line=line, character=self.units(self.text[start:offset]))

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(end))

    def offset(self, position: types.Position) -> int:
        """The code-point offset of a client position; a character past the line's end (or in
        the middle of a surrogate pair) is clamped, a line past the last is the text's end."""
        if position.line < 0:
            return 0
        if position.line >= len(self.line_starts):
            return len(self.text)
        start, end = self.line_starts[position.line], self.line_ends[position.line]
        count = 0
        for i in range(start, end):
            if count >= position.character:
                return i
            count += self.units(self.text[i])
            if count > position.character:  # inside a character: that character
                return i
        return end


# -- diagnostics ------------------------------------------------------------------------------------
def message_of(f: Finding) -> str:
    return f"{f.message} (suggestion: {f.suggestion!r})" if f.suggestion else f.message


def diagnostic(f: Finding, positions: Positions) -> types.Diagnostic:
    return types.Diagnostic(
        range=positions.range(f.start, f.end),
        severity=_SEVERITY.get(f.severity, types.DiagnosticSeverity.Warning),
        code=f.code,
        source=SOURCE,
        message=message_of(f),
        data={"category": f.category, "safe_fix": f.safe_fix},
    )


def notice(message: str, severity: types.DiagnosticSeverity = types.DiagnosticSeverity.Warning) -> types.Diagnostic:
    """A diagnostic about the document as a whole (it could not be checked, and why), on its
    first character."""
    start = types.Position(line=0, character=0)
    return types.Diagnostic(range=types.Range(start=start, end=start), severity=severity, source=SOURCE, message=message)


def input_problem(text: str, path: str) -> str | None:
    """Why the text is not checked (binary, damaged, too large, not valid Unicode), as the
    reader words it for a file; None when it is a story to check."""
    if len(text) > MAX_BYTES // 4:  # only a large text can be over the byte limit
        size = _utf8_units(text)
        if size > MAX_BYTES:
            return f"document is {size // (1024 * 1024)} MiB, over the {MAX_BYTES // (1024 * 1024)} MiB limit; not checked"
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as e:
        return f"document holds an unpaired surrogate (U+{ord(text[e.start]):04X}) at offset {e.start}; not checked"
    try:
        decode(data, path)  # the reader's checks for binary and damaged files
    except InputError as e:
        return None if e.kind == "empty" else f"{e.message.removesuffix('; skipped').removesuffix(', skipped')}; not checked"
    return None


def story_format(text: str, path: str) -> str:
    """The format the reader would take the text for (``PLAIN``: plain text or Markdown)."""
    return sniff(text, os.path.basename(path))


# -- the server --------------------------------------------------------------------------------------
@dataclass
class Checked:
    """The last check of one document: the text it was run on, so that code actions map the
    findings' offsets against exactly that text."""

    version: int | None
    text: str
    document: Document | None
    positions: Positions
    unsafe_fixes: bool = False
    neural: bool = False


class _Problem(Exception):
    """A configuration that cannot be used: shown as a diagnostic on each affected story."""


class MtcheckServer(LanguageServer):
    def __init__(self, sections: Sequence[Section] = (), *, config_path: str | None = None, neural_on_save: bool = False):
        super().__init__(SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.sections = tuple(sections)
        self.config_path = config_path
        self.neural_on_save = neural_on_save
        # (config path, neural) -> (the file's stamp, Pipeline or _Problem)
        self._pipelines: dict[tuple[str | None, bool], tuple[tuple, object]] = {}
        self.checked: dict[str, Checked] = {}
        self._neural_lock = asyncio.Lock()
        self.shut_down = False  # the client asked for shutdown before exit (the exit code says so)

    # -- configuration ---------------------------------------------------------------------------
    def _log(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=f"mtcheck: {message}"))
        except Exception:  # no client connected (library use)
            log.warning("%s", message)

    def config_file(self, path: str | None) -> Path | None:
        if self.config_path:
            return Path(self.config_path)
        start = os.path.dirname(path) if path else self._root()
        return find_config(start or os.getcwd(), warn=self._log)

    def _root(self) -> str | None:
        try:
            root = self.workspace.root_path
        except Exception:  # before initialize
            return None
        return root or None

    def pipeline(self, path: str | None, *, neural: bool = False):
        """The pipeline for a story at ``path``: built once per configuration file (again when
        the file changes), rules-only unless ``neural``. Raises _Problem for a bad config."""
        config_file = self.config_file(path)
        key = (str(config_file) if config_file else None, neural)
        stamp = _stamp(config_file)
        cached = self._pipelines.get(key)
        if cached is None or cached[0] != stamp:
            try:
                built: object = self._build(config_file, neural)
            except (ConfigError, ValueError, OSError) as e:
                built = _Problem(f"configuration error: {e}")
            self._pipelines[key] = (stamp, built)
            cached = self._pipelines[key]
        if isinstance(cached[1], _Problem):
            raise cached[1]
        return cached[1]

    def _build(self, config_file: Path | None, neural: bool):
        from mtcheck.pipeline import Pipeline
        from mtcheck.settings import resolve

        cfg: Config = load_config(config_file, self.sections) if config_file else Config()
        if cfg.gazetteer:  # validated as the CLI does, so a bad one is a config error, not a crash mid-check
            from mtcheck.gazetteer import load as load_gazetteer

            load_gazetteer(cfg.gazetteer)
        if neural:
            settings = resolve(cfg, neural=True, rewrite=False, cache=False)
        else:
            settings = resolve(cfg, neural=False, parse=False, rewrite=False, cache=False)
        return Pipeline(settings)

    # -- checking ---------------------------------------------------------------------------------
    def wanted(self, uri: str, language_id: str | None, pipeline) -> bool:
        path = path_of(uri)
        if path is None:  # an unsaved buffer: by its language
            return language_id in LANGUAGE_IDS
        settings = pipeline.settings
        name = os.path.basename(path)
        if not name.lower().endswith(STORY_SUFFIXES):
            return False
        rel = _relative(path, settings.config.path)
        if any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(rel, p) for p in settings.exclude):
            return False
        return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(rel, p) for p in settings.include)

    def check(self, uri: str, *, neural: bool = False) -> Checked | None:
        """Check the workspace's current text of ``uri`` and publish the diagnostics. Whatever
        the document holds, the answer is diagnostics, never an exception."""
        doc = self.workspace.get_text_document(uri)
        text, version = doc.source, doc.version
        positions = Positions(text, self.workspace.position_encoding)
        checked = Checked(version, text, None, positions)
        path = path_of(uri)
        try:
            pipeline = self.pipeline(path, neural=neural)
            if not self.wanted(uri, doc.language_id, pipeline):
                self.checked.pop(uri, None)
                self._publish(uri, version, [])
                return None
            problem = input_problem(text, path or uri)
            if problem:
                diagnostics = [notice(problem)]
            elif (fmt := story_format(text, path or "")) != PLAIN:
                diagnostics = [notice(f"this file holds a {fmt} document, which `mtcheck scan` reads; the language server "
                                      "checks plain-text and Markdown stories only", types.DiagnosticSeverity.Information)]
            else:
                story = Document.from_text(text, path=path or uri)
                pipeline.run([story])
                checked.document = story
                checked.unsafe_fixes = pipeline.config.unsafe_fixes
                checked.neural = neural
                diagnostics = [diagnostic(f, positions) for f in story.findings]
        except _Problem as e:
            diagnostics = [notice(str(e), types.DiagnosticSeverity.Error)]
        except Exception as e:  # a bug in a rule must not take the editor's linter down
            self._log(f"{uri}: internal error: {e}\n{traceback.format_exc()}", types.MessageType.Error)
            diagnostics = [notice(f"mtcheck could not check this document (internal error: {type(e).__name__}: {e})",
                                  types.DiagnosticSeverity.Error)]
        self.checked[uri] = checked
        self._publish(uri, version, diagnostics)
        return checked

    def _publish(self, uri: str, version: int | None, diagnostics: list[types.Diagnostic]) -> None:
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=diagnostics))

    async def check_neural(self, uri: str) -> None:
        """The neural pipeline over the saved text, in a worker thread (the first run loads the
        models: many seconds); published only if the document has not changed meanwhile."""
        doc = self.workspace.get_text_document(uri)
        text, version = doc.source, doc.version
        path = path_of(uri)
        loop = asyncio.get_running_loop()
        try:
            pipeline = self.pipeline(path, neural=True)
            if (not self.wanted(uri, doc.language_id, pipeline) or input_problem(text, path or uri)
                    or story_format(text, path or "") != PLAIN):
                return

            def run() -> Document:
                story = Document.from_text(text, path=path or uri)
                pipeline.run([story])
                return story

            async with self._neural_lock:  # one neural run at a time: the models are shared
                if not self._current(uri, version, text):
                    return  # edited (or saved again) while waiting
                story = await loop.run_in_executor(None, run)
        except _Problem:
            return  # the rules-only check already shows it
        except Exception as e:
            self._log(f"{uri}: the neural check failed, rules-only findings stay: {e}", types.MessageType.Error)
            return
        if not self._current(uri, version, text):
            return  # edited meanwhile: the rules-only check of the new text stands
        positions = Positions(text, self.workspace.position_encoding)
        self.checked[uri] = Checked(version, text, story, positions, pipeline.config.unsafe_fixes, neural=True)
        self._publish(uri, version, [diagnostic(f, positions) for f in story.findings])

    def _current(self, uri: str, version: int | None, text: str) -> bool:
        current = self.workspace.get_text_document(uri)
        return current.version == version and current.source == text

    # -- code actions -------------------------------------------------------------------------------
    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        current = self.workspace.get_text_document(uri)
        checked = self.checked.get(uri)
        if checked is None or checked.text != current.source:
            checked = self.check(uri)  # a request before the last change was checked
        if checked is None or checked.document is None:
            return []
        positions, text = checked.positions, checked.text
        lo, hi = positions.offset(params.range.start), positions.offset(params.range.end)
        want_quickfix = _wanted_kind(types.CodeActionKind.QuickFix.value, params.context.only)
        want_fix_all = _wanted_kind(FIX_ALL_KIND, params.context.only)
        actions: list[types.CodeAction] = []
        disabled: set[tuple[int, str]] = set()
        for f in checked.document.findings:
            if not want_quickfix or not (f.start <= hi and lo <= f.end):
                continue
            diag = diagnostic(f, positions)
            if f.fix is not None and f.fix.edits and (f.fix.safe or checked.unsafe_fixes):
                edits = [types.TextEdit(range=positions.range(e.start, e.end), new_text=e.replacement) for e in f.fix.edits]
                actions.append(types.CodeAction(
                    title=_fix_title(f, text), kind=types.CodeActionKind.QuickFix, diagnostics=[diag],
                    is_preferred=f.fix.safe, edit=self._edit(uri, checked.version, edits)))
            line = positions._line_of(f.start)
            disable = _disable_edit(positions, line, f.code) if (line, f.code) not in disabled else None
            if disable is not None:
                disabled.add((line, f.code))
                actions.append(types.CodeAction(
                    title=f"Disable {f.code} for this line", kind=types.CodeActionKind.QuickFix, diagnostics=[diag],
                    edit=self._edit(uri, checked.version, [disable])))
        if want_fix_all:
            edits = _fix_all_edits(checked)
            if edits:
                actions.append(types.CodeAction(
                    title="Apply every safe mtcheck fix", kind=FIX_ALL_KIND, edit=self._edit(uri, checked.version, edits)))
        return actions

    def _edit(self, uri: str, version: int | None, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
        """Versioned where the client takes document changes, so a stale fix is refused there."""
        caps = self.client_capabilities
        workspace_edit = caps.workspace.workspace_edit if caps and caps.workspace else None
        if workspace_edit is not None and workspace_edit.document_changes:
            return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version), edits=edits)])
        return types.WorkspaceEdit(changes={uri: edits})


def _wanted_kind(kind: str, only: Sequence[str] | None) -> bool:
    """LSP's ``only`` filter: a kind is asked for when it is one of them or below one
    ("source" covers "source.fixAll.mtcheck")."""
    return not only or any(kind == k or kind.startswith(f"{k}.") for k in only)


def _stamp(path: Path | None) -> tuple:
    if path is None:
        return ()
    try:
        st = path.stat()
    except OSError:
        return ("missing",)
    return (st.st_mtime_ns, st.st_size)


def _relative(path: str, config_path: str | None) -> str:
    base = os.path.dirname(config_path) if config_path else None
    if base:
        try:
            rel = os.path.relpath(path, base)
            if not rel.startswith(".."):
                return rel.replace(os.sep, "/")
        except ValueError:
            pass
    return os.path.basename(path)


def path_of(uri: str) -> str | None:
    return to_fs_path(uri) if uri.startswith("file:") else None


def _fix_title(f: Finding, text: str) -> str:
    edits = f.fix.edits
    if len(edits) == 1:
        e = edits[0]
        old = text[e.start:e.end]
        if old and e.replacement:
            return f"Fix {f.code}: replace {old!r} with {e.replacement!r}"
        if old:
            return f"Fix {f.code}: delete {old!r}"
        return f"Fix {f.code}: insert {e.replacement!r}"
    return f"Fix {f.code}: {f.suggestion!r}" if f.suggestion else f"Fix {f.code}"


def _disable_edit(positions: Positions, line: int, code: str) -> types.TextEdit | None:
    """The suppression comment on a line of its own above ``line``, indented as that line and
    with the story's own line break (a CRLF story stays CRLF). When the line above already is a
    disable-next-line comment, the code joins it: a second comment would only cover the first."""
    text = positions.text
    if line > 0:
        above = text[positions.line_starts[line - 1]:positions.line_ends[line - 1]]
        m = _NEXT_LINE_COMMENT.fullmatch(above)
        if m:
            codes = re.split(r"[\s,]+", m.group("codes").strip())
            if codes == [""] or code in codes:
                return None  # every rule, or this one, already (one it misses is mtcheck.suppress's to report)
            at = positions.position(positions.line_starts[line - 1] + m.end("codes"))
            return types.TextEdit(range=types.Range(start=at, end=at), new_text=f" {code}")
    m = _LINE_BREAK.search(text)
    newline = m.group() if m else "\n"
    start = positions.line_starts[line]
    indent = re.match(r"[ \t]*", text[start:positions.line_ends[line]]).group()
    at = types.Position(line=line, character=0)
    return types.TextEdit(range=types.Range(start=at, end=at), new_text=indent + DISABLE_NEXT_LINE.format(code=code) + newline)


def _fix_all_edits(checked: Checked) -> list[types.TextEdit]:
    """Every safe rule fix that goes with the others (the change model's plan: the first of
    two overlapping ones wins), as one set of edits."""
    from mtcheck.changes import Change, plan, suggestions

    story = checked.document
    chosen = [Change(s.start, s.end, s.original, s.proposed, s.kind, s) for s in suggestions(story) if s.safe]
    kept, _ = plan(story.text, chosen)
    return [types.TextEdit(range=checked.positions.range(c.start, c.end), new_text=c.replacement) for c in kept]


# -- wiring ------------------------------------------------------------------------------------------
def make_server(sections: Iterable[Section] = (), *, config_path: str | None = None,
                neural_on_save: bool = False) -> MtcheckServer:
    server = MtcheckServer(tuple(sections), config_path=config_path, neural_on_save=neural_on_save)

    @server.feature(types.INITIALIZE)
    def initialize(ls: MtcheckServer, params: types.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict) and isinstance(options.get("neuralOnSave"), bool):
            ls.neural_on_save = options["neuralOnSave"]

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: MtcheckServer, params: None) -> None:
        ls.shut_down = True

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: MtcheckServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.check(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: MtcheckServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.check(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    async def did_save(ls: MtcheckServer, params: types.DidSaveTextDocumentParams) -> None:
        if ls.neural_on_save:
            await ls.check_neural(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: MtcheckServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.checked.pop(params.text_document.uri, None)
        ls._publish(params.text_document.uri, None, [])

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=False),
    )
    def code_action(ls: MtcheckServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        try:
            return ls.code_actions(params)
        except Exception as e:  # an answer, never a dead server
            ls._log(f"{params.text_document.uri}: code actions failed: {e}\n{traceback.format_exc()}", types.MessageType.Error)
            return []

    return server


def serve(sections: Iterable[Section] = (), *, config_path: str | None = None, neural_on_save: bool = False,
          stdin=None, stdout=None) -> int:
    """Serve over stdio until the client says exit (or goes away). Returns the exit code LSP
    asks for: 0 after a shutdown request, 1 without one."""
    server = make_server(sections, config_path=config_path, neural_on_save=neural_on_save)
    server.start_io(stdin, stdout)
    return 0 if server.shut_down else 1
