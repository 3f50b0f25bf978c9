from pathlib import Path

import pytest

pytest.importorskip("sklearn")

from peerlend.datasets import data_dir
from peerlend.scoring import training

DATA = data_dir()
LC = DATA / "lending_club_2016q1.csv"
pytestmark = pytest.mark.skipif(not LC.is_file(), reason="Lending Club data not available")


def test_training_twice_with_one_seed_gives_identical_artifacts(tmp_path):
    sub = tmp_path / "lc.csv"
    lines = LC.read_text().splitlines(keepends=True)
    sub.write_text("".join(lines[:3001]))
    a = training.train(sub, seed=7).artifact_text
    b = training.train(sub, seed=7).artifact_text
    assert a == b
    assert '"seed": 7' in a


def test_full_training_cross_validates_and_beats_chance_clearly():
    r = training.train(LC, seed=42, german_path=DATA / "german_credit.csv")
    auc = r.cv["model"]["auc"]["mean"]
    assert auc >= 0.66  # documented in docs/model-card.md; see the card for the 0.70 goal
    assert r.cv["benchmark"]["auc"]["mean"] > 0.70  # sub_grade on the same folds
    assert r.german["cv"]["auc"]["mean"] >= 0.75
    names = {i["name"] for i in r.artifact["inputs"]}
    for name, sign in ((f.name, f.sign) for f in training.FEATURES):
        if name in names and sign:
            w = next(i["weight"] for i in r.artifact["inputs"] if i["name"] == name)
            assert sign * w > 0, name


def test_shipped_artifact_is_what_training_produces():
    shipped = (Path(training.__file__).parent / "artifacts" / "credit_model.json").read_text()
    assert training.train(LC, seed=42).artifact_text == shipped
