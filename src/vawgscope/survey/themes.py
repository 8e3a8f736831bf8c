"""Themes of the free-text answers, found from the text itself.

Method (scikit-learn, deterministic, offline): every non-empty answer to every free-text
question is one document. Documents become TF-IDF vectors of words (English stop words out,
words in fewer than ``min_df`` answers or more than ``max_df`` of them out, sublinear term
frequency). Non-negative matrix factorisation (NMF, Frobenius loss, NNDSVDa start, fixed
``random_state``) splits them into ``components`` parts, deliberately more than there are
themes. Parts that occur together in the same answers belong to one theme, so parts are merged
by average-linkage clustering on the cosine similarity of their document loadings, cut where
similarity falls below ``merge_similarity``. Each answer's theme is the theme of its strongest
part; an answer with no vocabulary word has no theme. A theme's terms are the top words of its
parts' summed, normalised term weights; its label is made of its first three terms (two that
stand side by side in a third of its answers, such as "social media", count as one).

References: Lee & Seung (1999), Nature 401:788-791 (NMF); Févotte & Idier (2011), Neural
Computation 23(9) (the solver in scikit-learn).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer

from vawgscope.analyses.common import share
from vawgscope.analyses.finding import Finding, definition_of, not_available
from vawgscope.contract.vocab import SURVEY_AGE_BANDS
from vawgscope.survey.redact import redact

#: The free-text questions, in the order the report shows them, with the question asked.
QUESTIONS: dict[str, str] = {
    "why_not_reported": "why did you not report it",
    "experience_text": "tell us about your experiences",
    "partners_text": "how could partner agencies improve",
    "places_text": "which public spaces should be improved",
    "education_text": "how do we better educate at an early age",
}
NO_THEME = -1
#: Fewest answers per NMF part: a small survey is split into fewer parts.
ANSWERS_PER_PART = 50


@dataclass(frozen=True)
class ThemeModel:
    """The themes found: labels and terms by theme number, and every answer's theme.

    ``answers`` has ``respondent_id, age_band, district, question, text, theme, strength``
    (``theme`` is ``NO_THEME`` when the answer has no vocabulary word; ``strength`` is the
    share of the answer's loading on its theme's parts).
    """

    labels: tuple[str, ...]
    terms: tuple[tuple[str, ...], ...]
    answers: pd.DataFrame

    @property
    def n_themes(self) -> int:
        return len(self.labels)


def free_text_answers(responses: pd.DataFrame) -> pd.DataFrame:
    """Every non-empty free-text answer as one row: ``respondent_id, age_band, district,
    question, text``, in respondent then question order."""
    present = [q for q in QUESTIONS if q in responses]
    long = responses.melt(
        id_vars=["respondent_id", "age_band", "district"],
        value_vars=present,
        var_name="question",
        value_name="text",
    )
    long = long[long["text"].notna()]
    long = long.assign(text=long["text"].astype(str).str.strip())
    long = long[long["text"] != ""]
    order = {q: i for i, q in enumerate(QUESTIONS)}
    long = long.assign(_q=long["question"].map(order))
    return long.sort_values(["respondent_id", "_q"]).drop(columns="_q").reset_index(drop=True)


def _same_stem(a: str, b: str) -> bool:
    """``lights``/``lighting``, ``case``/``cases``: one word in two forms."""
    common = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    return common >= min(5, len(a), len(b))


def _label(terms: tuple[str, ...], texts: pd.Series) -> str:
    """Three of the top terms in words; two top terms that stand side by side in at least a
    third of the theme's answers ("social media") count as one."""
    lowered = texts.str.lower()
    items: list[str] = []
    used: set[str] = set()
    for first in terms:
        if any(_same_stem(first, u) for u in used):
            continue
        pair = next(
            (
                f"{a} {b}"
                for a, b in ((first, t) for t in terms)
                if b not in used
                and b != a
                and lowered.str.contains(rf"\b{a} {b}\b", regex=True).mean() >= 1 / 3
            ),
            None,
        ) or next(
            (
                f"{b} {a}"
                for a, b in ((first, t) for t in terms)
                if b not in used
                and b != a
                and lowered.str.contains(rf"\b{b} {a}\b", regex=True).mean() >= 1 / 3
            ),
            None,
        )
        items.append(pair or first)
        used.update((pair or first).split())
        if len(items) == 3:
            break
    if not items:
        return "(no terms)"
    text = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    return text[0].upper() + text[1:]


def _merge(loadings: np.ndarray, merge_similarity: float) -> np.ndarray:
    """Theme number of each NMF part: parts whose loadings co-occur are one theme."""
    k = loadings.shape[1]
    if k == 1:
        return np.zeros(1, dtype=int)
    norms = np.linalg.norm(loadings, axis=0)
    unit = loadings / np.where(norms > 0, norms, 1)
    distance = np.clip(1 - unit.T @ unit, 0, None)
    np.fill_diagonal(distance, 0)
    tree = linkage(squareform(distance, checks=False), method="average")
    groups = fcluster(tree, t=1 - merge_similarity, criterion="distance") - 1
    # Number themes by first appearance among the parts, so the numbering is stable.
    first = {g: i for i, g in reversed(list(enumerate(groups)))}
    order = {g: rank for rank, g in enumerate(sorted(first, key=first.get))}
    return np.array([order[g] for g in groups])


def find_themes(
    answers: pd.DataFrame,
    *,
    components: int = 12,
    merge_similarity: float = 0.15,
    min_df: int = 5,
    max_df: float = 0.3,
    n_terms: int = 8,
    random_state: int = 0,
) -> ThemeModel:
    """Themes of ``answers`` (from :func:`free_text_answers`); see the module docstring.

    Definition: an answer's theme is the merged group of NMF parts on which it loads most;
    parts are merged when the cosine similarity of their loadings over answers is at least
    ``merge_similarity`` (average linkage). The number of parts is at most one per
    :data:`ANSWERS_PER_PART` answers (at least 2); ``min_df`` falls for very small sets.
    """
    answers = answers.reset_index(drop=True)
    if answers.empty:
        return ThemeModel((), (), answers.assign(theme=[], strength=[]))
    min_df = min(min_df, max(1, len(answers) // 20))
    vectoriser = TfidfVectorizer(
        stop_words="english", min_df=min_df, max_df=max_df if len(answers) >= 20 else 1.0,
        sublinear_tf=True, token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b",
    )  # fmt: skip
    try:
        matrix = vectoriser.fit_transform(answers["text"])
    except ValueError:  # no vocabulary left (every word a stop word or too rare)
        return ThemeModel((), (), answers.assign(theme=NO_THEME, strength=0.0))
    vocabulary = np.asarray(vectoriser.get_feature_names_out())
    k = max(1, min(components, max(2, len(answers) // ANSWERS_PER_PART), len(vocabulary)))
    model = NMF(n_components=k, init="nndsvda", random_state=random_state, max_iter=400)
    loadings = model.fit_transform(matrix)
    theme_of_part = _merge(loadings, merge_similarity)
    n_themes = int(theme_of_part.max()) + 1
    weights = model.components_ / np.maximum(model.components_.sum(axis=1, keepdims=True), 1e-12)
    terms = []
    for t in range(n_themes):
        summed = weights[theme_of_part == t].sum(axis=0)
        top = np.argsort(-summed, kind="stable")[:n_terms]
        terms.append(tuple(str(vocabulary[i]) for i in top if summed[i] > 0))
    by_theme = np.zeros((len(answers), n_themes))
    for t in range(n_themes):
        by_theme[:, t] = loadings[:, theme_of_part == t].sum(axis=1)
    total = by_theme.sum(axis=1)
    theme = np.where(total > 0, theme_of_part[loadings.argmax(axis=1)], NO_THEME)
    strength = np.where(
        total > 0, by_theme[np.arange(len(answers)), np.maximum(theme, 0)] / np.where(
            total > 0, total, 1), 0.0
    )  # fmt: skip
    labelled = answers.assign(theme=theme.astype(int), strength=strength)
    labels = tuple(
        _label(t, labelled.loc[labelled["theme"] == i, "text"]) for i, t in enumerate(terms)
    )
    return ThemeModel(labels, tuple(terms), labelled)


def theme_shares(model: ThemeModel, by: str | None = None) -> pd.DataFrame:
    """Answers and answers on each theme, over all answers or within each value of ``by``
    (``age_band`` or ``question``): columns ``[by], theme, label, answers, on_theme``."""
    answers = model.answers
    keys = [by] if by else []
    totals = (
        answers.groupby(keys).size().rename("answers").reset_index()
        if keys
        else pd.DataFrame({"answers": [len(answers)]})
    )
    rows = []
    for t, label in enumerate(model.labels):
        on = answers[answers["theme"] == t]
        counts = (
            on.groupby(keys).size().rename("on_theme").reset_index()
            if keys
            else pd.DataFrame({"on_theme": [len(on)]})
        )
        merged = totals.merge(counts, how="left", on=keys) if keys else totals.join(counts)
        merged = merged.assign(theme=t, label=label, on_theme=merged["on_theme"].fillna(0))
        rows.append(merged)
    if not rows:
        return pd.DataFrame(columns=[*keys, "theme", "label", "answers", "on_theme"])
    out = pd.concat(rows, ignore_index=True)
    if by == "age_band":
        out[by] = pd.Categorical(out[by], categories=SURVEY_AGE_BANDS, ordered=True)
    if by == "question":
        out[by] = pd.Categorical(out[by], categories=list(QUESTIONS), ordered=True)
    out = out.sort_values(["theme", *keys], kind="stable")
    if by:
        out[by] = out[by].astype(str)
    out["on_theme"] = out["on_theme"].astype(int)
    return out[[*keys, "theme", "label", "answers", "on_theme"]].reset_index(drop=True)


def representative(model: ThemeModel, theme: int, n: int = 3) -> pd.DataFrame:
    """The ``n`` answers most wholly on ``theme`` (highest ``strength``; ties by respondent),
    distinct in text, preferring answers of 40–400 characters when there are enough."""
    on = model.answers[model.answers["theme"] == theme]
    on = on.assign(_fits=on["text"].str.len().between(40, 400))
    on = on.sort_values(
        ["_fits", "strength", "respondent_id", "question"],
        ascending=[False, False, True, True],
        kind="stable",
    )
    return on.drop_duplicates("text").head(n).drop(columns="_fits")


def _with_interval(frame: pd.DataFrame, confidence: float) -> list[dict[str, Any]]:
    rows = []
    for row in frame.to_dict("records"):
        estimate = share(int(row["on_theme"]), int(row["answers"]), confidence)
        rows.append(
            {
                **row,
                "share": estimate["estimate"] if estimate else None,
                "low": estimate["low"] if estimate else None,
                "high": estimate["high"] if estimate else None,
            }
        )
    return rows


def free_text_themes(model: ThemeModel, *, confidence: float = 0.95) -> Finding:
    """Themes of the free-text answers.

    Definition: the themes found by :func:`find_themes` in every non-empty free-text answer
    (NMF on TF-IDF words, parts merged by co-occurrence). A theme's share = answers whose
    theme it is ÷ all non-empty answers; the same within each age band and each question. Each
    theme has a label made of its top terms, its top terms, and three representative quotes
    (the answers most wholly on it), every quote redacted of personal data first.

    Interval: Wilson score interval at ``confidence`` for each share (Brown, Cai & DasGupta
    2001). The themes are a model of the text, not a coding by a reader: read the quotes.
    """
    title = "Themes of the free-text answers"
    if not model.labels:
        return not_available(
            "themes",
            title,
            definition_of(free_text_themes),
            tuple(f"responses.{q}" for q in QUESTIONS),
            ("themes",),
        )
    overall = _with_interval(theme_shares(model), confidence)
    themes = [
        {**row, "terms": list(model.terms[row["theme"]])}
        for row in sorted(overall, key=lambda r: (-r["on_theme"], r["theme"]))
    ]
    quotes = []
    for row in themes:
        for quote in representative(model, row["theme"]).to_dict("records"):
            quotes.append(
                {
                    "theme": row["label"],
                    "quote": redact(quote["text"]),
                    "age_band": quote["age_band"],
                    "district": quote["district"],
                    "question": quote["question"],
                }
            )
    unthemed = int((model.answers["theme"] == NO_THEME).sum())
    top = themes[0]
    return Finding(
        id="themes",
        title=title,
        definition=definition_of(free_text_themes),
        summary=(
            f"{len(themes)} themes in {len(model.answers):,} free-text answers; the largest, "
            f"'{top['label']}', covers {100 * top['share']:.0f}% of them."
        ),
        figures={"answers": len(model.answers), "themes": len(themes), "unthemed": unthemed},
        tables={
            "themes": [
                {
                    "label": r["label"],
                    "answers": r["on_theme"],
                    "share": r["share"],
                    "low": r["low"],
                    "high": r["high"],
                    "terms": ", ".join(r["terms"]),
                }
                for r in themes
            ],
            "theme_by_age_band": _with_interval(theme_shares(model, "age_band"), confidence),
            "theme_by_question": _with_interval(theme_shares(model, "question"), confidence),
            "quotes": quotes,
        },
        headlines={
            "themes": [
                {"label": r["label"], "share": r["share"], "terms": r["terms"]} for r in themes
            ]
        },
    )
