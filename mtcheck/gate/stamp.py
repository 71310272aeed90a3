"""``gate --write-verdict``: the gate's verdict recorded inside a wire item as well as in its
report: ninjs ``pubStatus``/``pubstatus`` and ``edNote``/``ednote``, NewsML-G2 ``itemMeta``
``pubStatus`` and ``edNote`` (``readers.record_verdict`` writes them, touching nothing else).

Verdicts map to publication statuses: accepted -> usable; review and rejected -> withheld,
with an editorial note naming the verdict and its reasons. Rejected is ``withheld``, not
``canceled``: IPTC's ``canceled`` withdraws an item that was published, and an item the gate
turns away never was.

The inbox file is never written: the stamped bytes are a new file placed in the verdict
folder (``mover.place_bytes``: temporary name, fsync, rename) and the inbox file is then
removed, all under the journal's intent. The bytes are a pure function of the inbox file's
bytes and the journaled verdicts, so recovery after a crash makes them again identically.
"""

from __future__ import annotations

from mtcheck.gate.policy import ACCEPTED, Decision
from mtcheck.readers import NOTE_MARK

STAMPED_FORMATS = ("ninjs", "newsml")
STATUS = {"accepted": "usable", "review": "withheld", "rejected": "withheld"}


def note_for(decision: Decision) -> str | None:
    """The editorial note for a verdict (None for an accepted item: nothing to tell)."""
    if decision.verdict == ACCEPTED:
        return None
    reasons = "; ".join(r["message"] for r in decision.reason_records()) or decision.summary()
    return f"{NOTE_MARK} {decision.verdict}: {reasons}"


def stamped_bytes(data: bytes, file: str, verdicts: list) -> bytes | None:
    """The bytes of a wire file with each item's verdict recorded in it; ``verdicts`` is
    ``[[item, verdict, note], ...]`` (item None for a file of one story). None when the file
    is no format with a place for a verdict, or the result would not parse."""
    from mtcheck import readers
    from mtcheck.reader import InputError, decode, encode_story

    try:
        decoded = decode(data, file)
        fmt = readers.sniff(decoded.text, file)
        if fmt not in STAMPED_FORMATS:
            return None
        stories = readers.read_stories(decoded.text, file, decoded.encoding, fmt)
    except (InputError, readers.WireError):
        return None
    text = decoded.text
    planned = []
    for item, verdict, note in verdicts:
        index = (item or 1) - 1
        if not 0 <= index < len(stories) or stories[index].source is None:
            return None
        planned.append((stories[index].source, verdict, note))
    # Each item's edits lie inside that item: made from the last item to the first, the
    # offsets of the items before stay those of the file as read.
    for smap, verdict, note in sorted(planned, key=lambda p: -_item_start(p[0])):
        out = readers.record_verdict(smap, text, verdict, note)
        if out is None:
            return None
        text = out
    if readers.check_written(fmt, text) is not None:
        return None
    try:
        return encode_story(text, decoded.encoding)
    except ValueError:
        return None


def _item_start(smap) -> int:
    spans = smap.meta.get("itemMeta")
    return spans[0] if spans else smap.meta.get("object_start", 0)
