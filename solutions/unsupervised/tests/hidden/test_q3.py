import numpy as np
import pytest

# Three points on a line, at 0, 1 and 3. With k = 2 the first centre is uniform, the second is
# drawn with probability D^2 / sum(D^2); e.g. after 0 the squared distances are (0, 1, 9), so
# the pair {0, 3} has probability 9/10. Over the three starts, the pairs {0,1}, {0,3}, {1,3}
# have probabilities 0.1, (0.9 + 9/13)/3 and (0.8 + 4/13)/3.
LINE = np.array([[0.0], [1.0], [3.0]])
PAIR_PROB = {(0.0, 1.0): 0.1, (0.0, 3.0): (0.9 + 9 / 13) / 3, (1.0, 3.0): (0.8 + 4 / 13) / 3}
N_SEEDS = 1000


@pytest.mark.points(2)
@pytest.mark.hint(
    "Draw each next centre with probability proportional to the SQUARED distance to the nearest "
    "centre chosen so far (not the distance itself, not uniformly, not the farthest point)."
)
def test_kmeans_pp_init_d2_sampling(nb):
    starts = nb.eval(f"[kmeans_pp_init(X, 2, seed) for seed in range({N_SEEDS})]", X=LINE)
    counts = dict.fromkeys(PAIR_PROB, 0)
    for start in starts:
        pair = tuple(sorted(np.asarray(start, dtype=float).ravel().tolist()))
        assert pair in counts, (
            f"kmeans_pp_init(X, 2, seed) gave {pair}: two different rows expected"
        )
        counts[pair] += 1
    # Statistical check: each frequency must lie within 6 standard errors of its probability.
    # A correct k-means++ fails one of the three with probability under 2e-8 (exact binomial
    # tails). Sampling by D instead of D^2 gives {0, 1} probability 0.19, 9.9 standard errors
    # off (it passes with probability 1e-3); a uniform second centre gives it 1/3, the
    # farthest point 0.
    for pair, p in PAIR_PROB.items():
        freq = counts[pair] / N_SEEDS
        tol = 6 * np.sqrt(p * (1 - p) / N_SEEDS)
        assert abs(freq - p) <= tol, (
            f"the pair {pair} was drawn with frequency {freq:.3f}; k-means++ draws it with "
            f"probability {p:.3f} (tolerance {tol:.3f})"
        )


@pytest.mark.points(1)
@pytest.mark.hint(
    "On five tight, far-apart groups, k-means++ starts with one centre in each group (a uniform "
    "start rarely does)."
)
def test_kmeans_pp_init_spreads_out(nb):
    rng = np.random.default_rng(301)
    centres = np.array([[0, 0, 0], [60, 0, 0], [0, 60, 0], [0, 0, 60], [60, 60, 60]], dtype=float)
    group = np.repeat(np.arange(5), 40)
    X = centres[group] + 0.001 * rng.standard_normal((200, 3))
    order = rng.permutation(200)
    X, group = X[order], group[order]
    starts = nb.eval("[kmeans_pp_init(X, 5, seed) for seed in range(100, 110)]", X=X)
    # A correct k-means++ puts two centres in one group with probability under 2e-7 per start
    # (squared distances within a group are at most 4e-5, between groups at least 3590), so under
    # 2e-6 for the ten; a uniform start covers all five groups with probability 5!/5^5 = 0.04.
    for seed, start in zip(range(100, 110), starts, strict=True):
        start = np.asarray(start, dtype=float)
        assert start.shape == (5, 3), f"expected shape (5, 3), got {start.shape}"
        hit = {int(group[np.argmin(np.sum((X - c) ** 2, axis=1))]) for c in start}
        assert len(hit) == 5, f"seed {seed}: the 5 centres cover only {len(hit)} of the 5 groups"


@pytest.mark.points(0.5)
@pytest.mark.hint("Use the seed argument: different seeds must give different starts.")
def test_kmeans_pp_init_uses_its_seed(nb, ref):
    X, _ = ref.blobs()
    starts = nb.eval("[kmeans_pp_init(X, 4, seed) for seed in (1, 2, 3)]", X=X)
    starts = [np.asarray(s, dtype=float) for s in starts]
    assert not (np.array_equal(starts[0], starts[1]) and np.array_equal(starts[1], starts[2])), (
        "seeds 1, 2 and 3 gave the same start"
    )


@pytest.mark.points(1.5)
@pytest.mark.hint(
    "Run r starts from kmeans_pp_init(X, k, seed + r) for r = 0, ..., n_init - 1; return the run "
    "with the lowest inertia. The grader repeats your n_init starts and compares."
)
def test_kmeans_best_of_is_best_of_its_runs(nb, ref):
    # Uniform points have many local optima, so the best of 3 runs depends on which 3 starts.
    X = np.random.default_rng(302).uniform(0, 10, size=(150, 2))
    k, n_init, seed = 6, 3, 11
    starts = nb.eval(f"[kmeans_pp_init(X, {k}, {seed} + r) for r in range({n_init})]", X=X)
    runs = [ref.lloyd(X, np.asarray(s, dtype=float)) for s in starts]
    best = min(runs, key=lambda run: run[2])
    got = nb.function("kmeans_best_of")(X, k, n_init=n_init, seed=seed)
    assert isinstance(got, (tuple, list)) and len(got) == 3, "return (centroids, labels, inertia)"
    # compared up to the order of the clusters (two runs may reach the same optimum)
    perm = ref.match_centroids(np.asarray(got[0], dtype=float), best[0])
    labels = np.asarray(got[1])
    np.testing.assert_array_equal(labels, perm[best[1]], err_msg="labels of the best run")
