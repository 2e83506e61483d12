"""scikit-learn baseline on the very same generated data (bench/.out/*.f64). Prints JSON."""
import json, pickle, resource, statistics, sys, time

import numpy as np

base, jobs = sys.argv[1], int(sys.argv[2])
trees = int(sys.argv[3]) if len(sys.argv) > 3 else 100
depth = int(sys.argv[4]) if len(sys.argv) > 4 else 16
meta = json.load(open(base + ".json"))
n, F, ntr = meta["n"], meta["F"], meta["nTrain"]
X = np.fromfile(base + ".X.f64", dtype="<f8").reshape(F, n).T.copy()
y = np.fromfile(base + ".y.f64", dtype="<f8")
cls = meta["task"] != "regression"

from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

Model = RandomForestClassifier if cls else RandomForestRegressor
model = Model(n_estimators=trees, max_depth=depth, n_jobs=jobs, random_state=42)
t0 = time.perf_counter()
model.fit(X[:ntr], y[:ntr].astype(int) if cls else y[:ntr])
train_s = time.perf_counter() - t0

Xt, yt = X[ntr:], y[ntr:]
t0 = time.perf_counter()
pred = model.predict(Xt)
batch = len(Xt) / (time.perf_counter() - t0)
score = float(np.mean(pred == yt)) if cls else float(np.sqrt(np.mean((pred - yt) ** 2)))
model.set_params(n_jobs=1)
samples = []
for k in range(200):
    row = Xt[k % len(Xt)].reshape(1, -1)
    s = time.perf_counter()
    model.predict(row)
    samples.append(time.perf_counter() - s)
print(json.dumps({
    "trainS": train_s,
    "rssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "score": score,
    "predictUs": statistics.median(samples) * 1e6,
    "batchRowsPerS": batch,
    "modelBytes": len(pickle.dumps(model)),
}))
