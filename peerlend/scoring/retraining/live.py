"""The live credit model: the approved candidate's artifact, or the shipped file when none is approved.

``live_model()`` costs one small query (the approved candidate's version); the artifact is parsed once
per version and cached. Call it once per application at intake, or once before a batch, never per row.
``score()`` stays pure: callers pass the model in.
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


def live_model() -> CreditModel:
    version = live_version()
    if version is None:
        return shipped_model()
    model = _CACHE.get(version)
    if model is None:
        from peerlend.scoring.models import ModelCandidate

        text = ModelCandidate.objects.filter(version=version).values_list("artifact_text", flat=True).get()
        model = CreditModel(json.loads(text))
        with _LOCK:
            _CACHE[version] = model
    return model
