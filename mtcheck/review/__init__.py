"""``mtcheck review``: an editor's diff view of suggested fixes and rewrites.

Kept import-light: ``suggestions`` is used by the HTML report and ``scan --diff`` too; the
server, the SQLite store and the export are imported only by the review command.
"""

from mtcheck.config import Section

# [review] in the config: where the decisions are kept and who makes them.
CONFIG = Section("review", {"db": str, "reviewer": str})
