"""Model card sections on honest model selection (Lending Club) and on the other tabular artifacts."""

from __future__ import annotations

import json
from importlib import resources
from typing import TYPE_CHECKING, Any

from peerlend.scoring.training.selection import COMPARATORS, POLICY_COMPARATOR

if TYPE_CHECKING:
    from peerlend.scoring.training.pipeline import TrainingResult

ARTIFACT_PACKAGE = "peerlend.scoring.artifacts"
# Artifacts trained by `train-model --data ... --target ...` that ship with the platform, with their source.
TABULAR_ARTIFACTS = (
    ("taiwan_credit_card.json",
     "`taiwan_credit_card_default.csv` (default of credit card clients, Taiwan 2005; UCI, CC BY 4.0)"),
)
_LABELS = {
    "pipeline": "shipped pipeline (choices made in the inner folds)",
    "plain_logistic": "plain logistic regression, same inputs, no tuning",
    POLICY_COMPARATOR: "plain logistic regression, inputs the verified-income policy allows",
    "gradient_boosting": "gradient boosting (HistGradientBoostingClassifier, defaults)",
    "benchmark": "Lending Club `sub_grade` (bureau data; benchmark, not a model input)",
}


def _pm(m: dict[str, float]) -> str:
    return f"{m['mean']:.3f} ± {m['std']:.3f}"


def comparison_rows(summary: dict[str, Any], benchmark: dict[str, Any] | None = None) -> list[str]:
    """| model | outer-fold AUC | KS | hold-out AUC | rows, for a selection summary (artifact["selection"])."""
    rows = ["| model | outer-fold AUC (mean ± sd) | outer-fold KS | unseen hold-out AUC |", "|---|---|---|---|"]
    models = summary["outer_folds"]
    for key in (*COMPARATORS, POLICY_COMPARATOR):
        if key in models:
            m = models[key]
            rows.append(f"| {_LABELS[key]} | {_pm(m['auc'])} | {_pm(m['ks'])} | "
                        f"{summary['holdout_auc'][key]:.3f} |")
    if benchmark is not None:
        rows.append(f"| {_LABELS['benchmark']} | {_pm(benchmark['auc'])} | {_pm(benchmark['ks'])} | "
                    f"{summary['holdout_auc']['benchmark']:.3f} |")
    return rows


def _config(c: dict[str, Any]) -> str:
    knots = "straight lines" if not c["knots"] else f"splines with {c['knots']} knots"
    return f"rules `{c['rules']}`, C = {c['C']}, {knots}"


def selection_section(result: TrainingResult) -> list[str]:
    sel = result.artifact["selection"]
    cv = result.cv
    best = sel["best_on_outer_folds"]
    models = sel["outer_folds"]
    pipe, plain = models["pipeline"]["auc"]["mean"], models["plain_logistic"]["auc"]["mean"]
    policy = models.get(POLICY_COMPARATOR, {}).get("auc", {}).get("mean")
    lines = [
        f"## Honest model selection ({sel['method']})",
        "",
        f"The shipped file's {sel['rows']['development'] + sel['rows']['holdout']} loans are split once, stratified "
        f"(seed {cv['seed']}), into a development part ({sel['rows']['development']}) and a hold-out "
        f"({sel['rows']['holdout']}) that no choice and no cross-validation ever sees. On the development part, "
        f"each of {cv['folds']} outer folds picks the configuration by an inner cross-validation of its own training "
        "rows only, among: sign rules (`domain`: every input's documented direction; `policy`: only the "
        "verified-income rule, others free and curves allowed), spline knots and the regularisation C. The "
        "two comparators run untuned on the very same outer folds. Each model is then fitted once on the whole "
        "development part and measured on the hold-out. The shipped artifact is the configuration the "
        "development part's cross-validation chose, refit on all loans.",
        "",
        *comparison_rows(sel, cv.get("benchmark")),
        "",
        "Outer-fold AUC per fold: " + "; ".join(
            f"{k} " + ", ".join(f"{a:.3f}" for a in v) for k, v in sel["outer_auc_per_fold"].items()) + ".",
        "",
        "Configuration chosen in each outer fold: " + "; ".join(_config(c) for c in sel["chosen_per_outer_fold"])
        + f". Shipped: {_config(sel['chosen'])}.",
        "",
        f"Best on the outer folds: **{_LABELS[best]}**. ",
    ]
    if best == "pipeline":
        lines[-1] += "It is what ships."
    else:
        gap = plain - pipe
        lines[-1] += (
            f"The shipped pipeline is {gap:.3f} AUC below the plain logistic regression, well inside one fold's "
            "spread. All of that gap is the verified-income policy: the plain regression lets a verified income "
            "*raise* the PD (verification was asked of riskier-looking applications), which the platform refuses "
            "to do to a borrower who proved their income. "
        )
        if policy is not None:
            verdict = "at least as good as" if pipe >= policy else "below"
            lines[-1] += (f"On the inputs the policy allows, the shipped pipeline ({pipe:.3f}) is {verdict} the plain "
                          f"logistic regression ({policy:.3f}); the logistic family ships, with its reason codes.")
    lines += [
        "",
        "Gradient boosting, untuned, ranks clearly worse on these 414 bad loans and would lose the reason codes "
        "and the one-page JSON; it is reported, not shipped.",
        "",
    ]
    if result.german:
        g = result.german
        curves = ", ".join(f"`{c}`" for c in g["curves"]) or "none"
        lines += [
            f"German credit, same selection, without protected attributes ({g['rows']} rows, {g['bad']} bad; "
            f"chosen: {_config(g['chosen'])}; inputs fitted as curves: {curves}):",
            "",
            "| model | outer-fold AUC (mean ± sd) | outer-fold KS | unseen hold-out AUC |",
            "|---|---|---|---|",
            *(f"| {_LABELS[k]} | {_pm(g['compare'][k]['auc'])} | {_pm(g['compare'][k]['ks'])} | "
              f"{g['holdout'][k]:.3f} |" for k in COMPARATORS),
            "",
        ]
    return lines


def tabular_section() -> list[str]:
    """One table per shipped tabular artifact, read from the artifact itself."""
    lines: list[str] = []
    for name, source in TABULAR_ARTIFACTS:
        res = resources.files(ARTIFACT_PACKAGE).joinpath(name)
        if not res.is_file():
            continue
        a = json.loads(res.read_text(encoding="utf-8"))
        tr = a["training"]
        lines += [
            f"## Any tabular credit data: `{name}`",
            "",
            f"Trained with `peerlend train-model --data {tr['data_file']} --target {a['target']['column']} "
            f"--bad-value {a['target']['bad_value']} --exclude {' '.join(a['excluded'])} --out "
            f"peerlend/scoring/artifacts/{name}` on {source}: {tr['rows']} rows, {tr['bad']} bad; the same "
            "selection as above, no sign rules (no domain knowledge is assumed about an operator's columns). "
            f"Excluded columns (protected attributes and identifiers): "
            f"{', '.join(f'`{c}`' for c in a['excluded'])}. Model version "
            f"`{a['model_version']}`; chosen: {_config(a['selection']['chosen'])}; score any file with "
            f"`peerlend score-file --model peerlend/scoring/artifacts/{name} IN.csv OUT.csv`.",
            "",
            *comparison_rows(a["selection"]),
            "",
        ]
        if a["selection"]["best_on_outer_folds"] != "pipeline":
            lines += [
                f"Best on the outer folds here: **{_LABELS[a['selection']['best_on_outer_folds']]}**. The shipped "
                "artifact is still the logistic pipeline, which beats the plain logistic regression on the same "
                "folds and keeps per-column reason codes and pure-Python scoring; exporting boosted trees to the "
                "JSON artifact is not built yet.",
                "",
            ]
    return lines
