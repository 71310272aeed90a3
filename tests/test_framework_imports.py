"""spaCy is imported with torch hidden (so that thinc does not load it); a thread importing
transformers meanwhile must still find torch. The first scan after install converts the
fluency model (transformers) while the parse stage imports spaCy, and failed with a traceback
before the two took one lock (mtcheck.neural.framework_imports)."""

from __future__ import annotations

import subprocess
import sys

import pytest

_RACE = r"""
import importlib.abc, sys, threading, time

class SlowSpacy(importlib.abc.MetaPathFinder):
    # Hold spaCy's import open for a second, so the other thread surely runs inside the window.
    def find_spec(self, name, path=None, target=None):
        if name == "spacy":
            time.sleep(1.0)
        return None

sys.meta_path.insert(0, SlowSpacy())
from mtcheck.neural import parse, translate

spacy_thread = threading.Thread(target=parse.import_spacy)
spacy_thread.start()
deadline = time.time() + 10
while sys.modules.get("torch", 0) is not None and time.time() < deadline:  # wait for torch to be hidden
    time.sleep(0.001)
assert "torch" in sys.modules and sys.modules["torch"] is None, "spaCy's import did not hide torch"
with translate.quiet_loading():  # imports transformers, as the translators and the conversion do
    pass
spacy_thread.join()
import transformers.utils
print(transformers.utils.is_torch_available(), "spacy" in sys.modules)
"""


@pytest.mark.slow
def test_transformers_imported_while_spacy_imports_still_finds_torch():
    pytest.importorskip("spacy")
    pytest.importorskip("transformers")
    pytest.importorskip("torch")
    out = subprocess.run([sys.executable, "-c", _RACE], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["True", "True"]
