"""Every model role, where it resolves from and whether it is ready (``mtcheck models``).

The registry knows the roles shipped in packages, spaCy pipelines and trained artifacts;
the translation layer knows how a back-translation model is chosen (flags, config, env) and
found (hub cache or a local folder). This module puts the two together, so neither needs
the other. Looks at the disk only: loads no model, never reaches the network.
"""

from __future__ import annotations

from mtcheck.neural import registry


def status(role: str, config=None) -> dict:
    rec = registry.status(role, config)
    if rec["source"] != "hub":
        return rec
    from mtcheck.neural.translate import translation_status

    for found in translation_status(config):
        if found.get("role") == role:
            rec.pop("reason", None)
            rec.update(
                model=found.get("model", rec["model"]),
                location=found.get("path"),
                ready=bool(found.get("ready")),
                size_bytes=int(found.get("size_bytes") or 0),
            )
            if found.get("reason"):
                rec["reason"] = found["reason"]
            if found.get("origin"):
                rec["origin"] = found["origin"]
    return rec


def statuses(config=None) -> list[dict]:
    return [status(role, config) for role in registry.roles()]
