"""The live credit model: the approved candidate's artifact, or the shipped file when none is approved.

``live_model()`` costs one small query (the approved candidate's version); the artifact is parsed once
per version and cached. Call it once per application at intake, or once before a batch, never per row.
``score()`` stays pure: callers pass the model in. Every platform path that scores resolves the model here
(intake, the credit limit, ``peerlend score-file``, the monitoring report); the pure functions'
``model=None`` default (the shipped file) is for tests and studies of the artifact, and
tests/scoring/test_live_everywhere.py fails on a platform call that leaves the model out.
"""

from __future__ import annotations

import json
import threading

from peerlend.scoring.model import CreditModel, shipped_model

_CACHE: dict[str, CreditModel] = {}
_LOCK = threading.Lock()


def live_version() -> str | None:
    from peerlend.scoring.models import CandidateStatus, ModelCandidate

    return (ModelCandidate.objects.filter(status=CandidateStatus.APPROVED)
            .values_list("version", flat=True).first())


def _candidate_model(version: str) -> CreditModel | None:
    """The stored candidate ``version`` (any status), parsed once per process; None when not stored."""
    model = _CACHE.get(version)
    if model is None:
        from peerlend.scoring.models import ModelCandidate

        text = ModelCandidate.objects.filter(version=version).values_list("artifact_text", flat=True).first()
        if text is None:
            return None
        model = CreditModel(json.loads(text))
        with _LOCK:
            _CACHE[version] = model
    return model


def live_model() -> CreditModel:
    version = live_version()
    if version is None:
        return shipped_model()
    model = _candidate_model(version)
    if model is None:  # pragma: no cover - the approved row was just read; only a concurrent delete gets here
        raise LookupError(f"the approved credit model {version} is no longer stored")
    return model


def model_for_version(version: str) -> CreditModel:
    """The model that scored with ``version`` (the shipped file or a stored candidate); the live one if unknown."""
    shipped = shipped_model()
    if version == shipped.version:
        return shipped
    return _candidate_model(version) or live_model()
