#!/usr/bin/env python3
"""Writes the known-output fixture of dev.selfsup.eval.Tsne's tests: scikit-learn's exact t-SNE
of a small fixed dataset, started from the same PCA initialisation as selfsup's.

The Java tests only read the fixture; scikit-learn is needed only to regenerate it. On Debian 12:

    apt-get install -y python3-sklearn          # scikit-learn 1.2.1, numpy 1.24, scipy 1.10
    /usr/bin/python3 scripts/tsne-fixture.py    # writes the file named in OUT

Why two comparisons. t-SNE's optimisation (early exaggeration, momentum, per-coordinate gains)
is chaotic on this data: starting sklearn itself from the init changed by 1e-12 (relative) gives
a visibly different map after 1000 iterations (coordinates up to 13 apart, KL 0.20 to 0.25), and
the float32 rounding of sklearn's distances (P within 6e-8 relative of a float64 computation) is
enough for the same. So the coordinates are compared over a short run, from sklearn's own P,
where rounding has not yet grown (the trajectory below), and the full run is compared by what
does not depend on the path: the mean and spread of its KL divergence over such starts against
sklearn's (kl_divergence_perturbed: mean 0.2213, std 0.0103), and its trustworthiness.

The fixture (one JSON object) holds:
  data                 (60, 10) float32 values, three Gaussian blobs (20 points each, std 1,
                       centres drawn with std 3), seeded; labels (60,) their blob
  perplexity, learning_rate ("auto": max(N / early_exaggeration / 4, 50) = 50 here),
  early_exaggeration, n_iter (1000, the first 250 exaggerated)
  init                 (60, 2) the PCA initialisation: the centred data on its first two
                       principal components (float64 eigendecomposition of the covariance),
                       scaled so that the first column's population std is 1e-4
  joint_probabilities  sklearn's P (sklearn.manifold._t_sne._joint_probabilities of the squared
                       Euclidean distances, as TSNE computes them), condensed: p_ij for i < j
  trajectory           sklearn's exact optimisation (TSNE._tsne: the schedule, gradient descent
                       with momentum and gains, the KL gradient) from init on that P, shortened
                       to exaggeration_iterations = 20 then 10 more (iterations = 30): its
                       embedding (60, 2)
  embedding            (60, 2) TSNE(method="exact", init=init, ...).fit_transform(data)
  kl_divergence        its kl_divergence_ (computed before the last update, as sklearn does)
  kl_divergence_final  KL(P || Q) of the returned embedding (sklearn's _kl_divergence)
  kl_divergence_perturbed  kl_divergence_ of 50 more runs, each from init times
                       (1 + 1e-12 * standard normal noise), seeds 0..49: the spread rounding
                       alone gives
  trustworthiness      sklearn.manifold.trustworthiness(data, embedding, n_neighbors=5)
Stopping rules are switched off (n_iter_without_progress = n_iter, min_grad_norm = 0) so every
iteration runs, as in selfsup's Tsne.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.manifold import TSNE, trustworthiness
from sklearn.manifold._t_sne import _joint_probabilities, _kl_divergence
from sklearn.metrics import pairwise_distances

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources",
                   "dev", "selfsup", "eval", "tsne-sklearn.json")
N_PER_BLOB, BLOBS, DIM = 20, 3, 10
PERPLEXITY, EXAGGERATION, N_ITER = 10.0, 12.0, 1000
SHORT_EXAGGERATED, SHORT_ITER = 20, 30
PERTURBED_RUNS, NEIGHBOURS = 50, 5

rng = np.random.default_rng(17)
centres = rng.normal(0.0, 3.0, size=(BLOBS, DIM))
labels = np.repeat(np.arange(BLOBS), N_PER_BLOB)
data = (centres[labels] + rng.normal(0.0, 1.0, size=(BLOBS * N_PER_BLOB, DIM))).astype(np.float32)
n = data.shape[0]

# PCA initialisation, as selfsup's Tsne.initialMap: centred projection, first column std 1e-4
x = data.astype(np.float64)
centred = x - x.mean(axis=0)
eigenvalues, eigenvectors = np.linalg.eigh(np.cov(centred, rowvar=False))
top = eigenvectors[:, np.argsort(eigenvalues)[::-1][:2]]
init = centred @ top
init = init / np.std(init[:, 0]) * 1e-4


def tsne(start, n_iter=N_ITER):
    return TSNE(n_components=2, perplexity=PERPLEXITY, early_exaggeration=EXAGGERATION,
                learning_rate="auto", n_iter=n_iter, n_iter_without_progress=n_iter,
                min_grad_norm=0.0, init=start, method="exact", random_state=0)


# the squared distances TSNE(method="exact") computes, and its P from them
P = _joint_probabilities(pairwise_distances(data, metric="euclidean", squared=True), PERPLEXITY, 0)

# the short trajectory: TSNE's own optimisation code with a shorter exploration phase
short = tsne(init.copy(), SHORT_ITER)
short._EXPLORATION_N_ITER = SHORT_EXAGGERATED
short.learning_rate_ = max(n / EXAGGERATION / 4, 50)
trajectory = short._tsne(P.copy(), 1, n, init.copy())

full = tsne(init.copy())
embedding = full.fit_transform(data)
assert full.n_iter_ + 1 == N_ITER, full.n_iter_
kl_final, _ = _kl_divergence(embedding.ravel(), P, 1, n, 2)
perturbed = []
for seed in range(PERTURBED_RUNS):
    noise = np.random.default_rng(seed).normal(size=init.shape)
    run = tsne(init * (1 + 1e-12 * noise))
    run.fit(data)
    perturbed.append(float(run.kl_divergence_))

fixture = {
    "generator": "scripts/tsne-fixture.py, scikit-learn " + sklearn.__version__
                 + ", numpy " + np.__version__,
    "perplexity": PERPLEXITY,
    "learning_rate": float(full.learning_rate_),
    "early_exaggeration": EXAGGERATION,
    "n_iter": N_ITER,
    "data": data.tolist(),
    "labels": labels.tolist(),
    "init": init.tolist(),
    "joint_probabilities": P.tolist(),
    "trajectory": {"exaggeration_iterations": SHORT_EXAGGERATED, "iterations": SHORT_ITER,
                   "embedding": trajectory.tolist()},
    "embedding": embedding.tolist(),
    "kl_divergence": float(full.kl_divergence_),
    "kl_divergence_final": float(kl_final),
    "kl_divergence_perturbed": perturbed,
    "trustworthiness": float(trustworthiness(data, embedding, n_neighbors=NEIGHBOURS)),
    "n_iter_done": int(full.n_iter_) + 1,
}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump(fixture, f)
    f.write("\n")
print("wrote", os.path.normpath(OUT))
print("KL", fixture["kl_divergence"], "at the returned map", kl_final, "perturbed runs",
      min(perturbed), "to", max(perturbed), "trustworthiness", fixture["trustworthiness"])
