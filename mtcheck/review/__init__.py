"""``mtcheck review``: an editor's diff view of suggested fixes and rewrites.

Kept import-light: ``suggestions`` is used by the HTML report and ``scan --diff`` too; the
server, the SQLite store and the export are imported only by the review command.
"""

from mtcheck.config import Section

# [review] in the config: where the decisions are kept, who makes them, where the export goes
# (relative to the config file; ``export_dir`` is read as the same key), and when the stats point a rule out: a reject share above
# ``reject-threshold`` over at least ``min-decisions`` decisions (mtcheck.review.stats).
CONFIG = Section("review", {"db": str, "reviewer": str, "export-dir": str, "export_dir": str, "reject-threshold": (int, float),
                            "min-decisions": int}, {"min-decisions": (1, 1_000_000)})
