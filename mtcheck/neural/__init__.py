"""The model layer: every import of torch, transformers, spaCy or sentence-transformers
happens inside this package, at first use. Models are loaded once per process and cached."""

import threading

# ``parse.import_spacy`` hides torch from sys.modules while spaCy imports, so that thinc does not
# load it. Another thread importing torch, transformers or sentence-transformers in that window
# would find torch missing (transformers remembers that for the whole process: the first scan
# after install, converting the fluency model beside the parse, failed so), so every such
# first import holds this lock, and so does the hiding.
framework_imports = threading.RLock()
