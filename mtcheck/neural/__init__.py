"""The model layer: every import of torch, transformers, spaCy or sentence-transformers
happens inside this package, at first use. Models are loaded once per process and cached."""
