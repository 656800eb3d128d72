"""Internal migration between Kazakhstan's regions: migsim's driver model in
expected values, its fit to BNS 2024 arrivals and departures by region, and
two skill baselines (a plain gravity model and the radiation model) fitted
to the same data.

usage:
  internal_flows.py fit   [DATA_DIR]            fit migsim's driver parameters to 2024
  internal_flows.py skill [DATA_DIR] [RUN.h5]   migsim against gravity and radiation

`fit` prints the parameter values that scenario.c holds as defaults; `skill`
prints a table of the correlation and error of net interregional migration by
region (2024: the fitting year; 2023: the same parameters a year earlier), for
migsim's equations, for a migsim run (if RUN.h5 is given: its first 52 weeks),
and for the two baselines. BNS publishes no origin-destination table for these
years that we could find, so the common part of commuters cannot be computed;
net migration by region is what all models are judged on.

The migsim equations here mirror sim/residents.c (kept in step by
tests/internal_flows.sh, which checks a run against them).
"""
import csv
import math
import os
import sys

import numpy as np
from scipy.optimize import minimize

HERE = os.path.dirname(os.path.abspath(__file__))
EARTH_KM = 6371.0088
MIN_KM = 20.0

# Fixed inputs of migsim's resident model that the fit does not touch (the
# scenario parameter table gives each one's provenance).
FIXED = {
    "climate_weight": 2.0,     # residents.climate_weight
    "distance_elasticity": 1.0,  # residents.distance_elasticity: not identified by margins alone
    "economic_elasticity": 1.0,  # residents.economic_elasticity
    "education_rate": 0.01053, # residents.education_rate (students, per person-year)
    "resettlement": 15000 * 0.8,  # residents.resettlement_quota x resettlement_fill
    "climate_share": 0.125,    # residents.climate_rate is set so that climate moves are this share
}
# Share of registered internal moves that cross a region's border: BNS counted
# almost 264,000 interregional movers in Jan-Sep 2022 (survey_targets N14);
# the regional tables (which count moves within a region too) sum to 803,033
# arrivals in 2022, of which Jan-Sep is 71.5% if the months weigh as in 2024.
# 264,000 / (803,033 x 0.7151) = 0.46. Assumed to hold in 2024.
INTERREGIONAL_SHARE = 264000 / (803033 * 0.7151)
CENTRES = ["ALA", "AST", "SHY", "KAR"]
SOURCES = ["ALM", "ZHA", "KZY", "MAN", "TUR", "SHY"]
DESTINATIONS = ["AKM", "EKZ", "KOS", "NKZ", "PAV", "ABA", "KAR"]


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def haversine(a, b):
    rad = math.pi / 180
    dlat, dlon = (b[0] - a[0]) * rad, (b[1] - a[1]) * rad
    h = math.sin(dlat / 2) ** 2 + math.cos(a[0] * rad) * math.cos(b[0] * rad) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


class Data:
    def __init__(self, folder):
        regions = read(os.path.join(folder, "kz_regions.csv"))
        self.codes = [r["code"] for r in regions]
        dem = {r["region"]: r for r in read(os.path.join(folder, "demography.csv"))}
        mig = {(r["region"], r["period"]): r for r in read(os.path.join(folder, "internal_migration.csv"))}
        ages = read(os.path.join(folder, "age_bands.csv"))
        n = len(self.codes)
        self.P = np.array([float(dem[c]["population_2024"]) for c in self.codes])
        self.income = np.array([float(r["per_capita_income_kzt"]) for r in regions])
        self.city = np.array([1.0 if r["type"].startswith("city") else 0.0 for r in regions])
        self.stress = np.array([float(r["climate_stress"]) for r in regions])
        self.agri = np.array([float(dem[c]["agri_share"]) for c in self.codes])
        xy = [(float(r["lat"]), float(r["lon"])) for r in regions]
        self.d = np.array([[haversine(xy[a], xy[b]) for b in range(n)] for a in range(n)])
        share = np.array([float(a["population_share"]) for a in ages])
        self.student_share = share[[a["name"] for a in ages].index("15-24")] / share.sum()
        self.obs = {}
        for period in ("2022", "2023", "2024", "2024H1"):
            arr = np.array([float(mig[(c, period)]["arrivals"]) for c in self.codes])
            dep = np.array([float(mig[(c, period)]["departures"]) for c in self.codes])
            self.obs[period] = (arr, dep, arr - dep)


def logit(u, axis=1):
    u = u - u.max(axis=axis, keepdims=True)
    e = np.exp(u)
    return e / e.sum(axis=axis, keepdims=True)


def migsim_flows(x, D, fixed=FIXED, by_driver=False):
    """Expected yearly flows [from, to] of migsim's resident model."""
    mu, c_city, econ, b_w, b_city, c_intra, k_clim = x
    b_d = fixed["distance_elasticity"]
    n = len(D.codes)
    mean_income = (D.income * D.P).sum() / D.P.sum()
    gap = mean_income / D.income
    push = D.agri * D.stress
    churn = np.exp(mu + c_city * D.city)
    economic = np.exp(mu) * econ * gap ** fixed["economic_elasticity"]
    climate = np.exp(mu) * k_clim * push
    far = b_d * np.log(np.maximum(D.d, MIN_KM))
    # Other moves (family, housing, living conditions): size and distance,
    # the own region included (a move between its districts or towns).
    V = np.log(D.P)[None, :] - far
    V[np.diag_indices(n)] = np.log(D.P) + c_intra
    other_p = logit(V)
    # Economic moves go to another region, drawn by income and the big
    # cities' labour markets.
    Ve = V + (b_w * np.log(D.income / mean_income) + b_city * D.city)[None, :]
    Ve[np.diag_indices(n)] = -np.inf
    econ_p = logit(Ve)
    clim_p = logit(V - fixed["climate_weight"] * D.stress[None, :])
    flows = {
        "other": (churn * D.P)[:, None] * other_p,
        "economic": (economic * D.P)[:, None] * econ_p,
        "climate": (climate * D.P)[:, None] * clim_p,
    }
    # Programmes on top: students to the university cities, resettlement
    # from the labour-surplus to the labour-deficit regions.
    centre = np.array([c in CENTRES for c in D.codes])
    Vs = np.log(D.P)[None, :] - far
    Vs[:, ~centre] = -np.inf
    Vs[np.diag_indices(n)] = -np.inf
    students = np.where(centre, 0.0, fixed["education_rate"] * D.student_share * D.P)
    flows["education"] = students[:, None] * logit(Vs)
    src = np.array([c in SOURCES for c in D.codes])
    dst = np.array([c in DESTINATIONS for c in D.codes])
    out = np.where(src, D.P, 0.0) / np.where(src, D.P, 0.0).sum() * fixed["resettlement"]
    into = np.where(dst, D.P, 0.0) / np.where(dst, D.P, 0.0).sum()
    flows["resettlement"] = out[:, None] * into[None, :]
    if by_driver:
        return flows
    return sum(flows.values())


def margins(T):
    return T.sum(axis=0), T.sum(axis=1)  # arrivals, departures (diagonal counts in both)


def loss_margins(T, obs):
    arr, dep, net = obs
    ma, md = margins(T)
    mn = ma - md
    return (np.log(ma / arr) ** 2).sum() + (np.log(md / dep) ** 2).sum() + (((mn - net) / net.std()) ** 2).sum()


def climate_rate_for_share(x, D, share):
    """k_clim such that climate moves are `share` of all moves (solved by bisection)."""
    lo, hi = 0.0, 100.0
    for _ in range(80):
        mid = (lo + hi) / 2
        y = list(x[:6]) + [mid]
        f = migsim_flows(y, D, by_driver=True)
        s = f["climate"].sum() / sum(v.sum() for v in f.values())
        lo, hi = (mid, hi) if s < share else (lo, mid)
    return (lo + hi) / 2


def fit_migsim(D, period="2024"):
    x0 = np.array([math.log(0.05), 0.5, 0.3, 0.5, 0.5, 3.0])
    k = 1.0

    def f(x):
        y = list(x) + [k]
        if x[2] < 0 or x[3] < 0 or x[4] < 0 or x[4] > 8:
            return 1e9
        T = migsim_flows(y, D)
        inter = 1 - np.trace(T) / T.sum()
        return loss_margins(T, D.obs[period]) + 20 * math.log(inter / INTERREGIONAL_SHARE) ** 2

    for _ in range(3):  # the climate rate and the rest, in turn
        res = minimize(f, x0, method="Nelder-Mead", options={"maxiter": 20000, "xatol": 1e-6, "fatol": 1e-10})
        x0 = res.x
        k = climate_rate_for_share(x0, D, FIXED["climate_share"])
    return list(x0) + [k]


def gravity_flows(x, D):
    g0, alpha, beta, gamma = x
    T = np.exp(g0) * np.outer(D.P ** alpha, D.P ** beta) / np.maximum(D.d, MIN_KM) ** gamma
    np.fill_diagonal(T, 0.0)
    return T


def radiation_flows(tau, D, dep):
    """Simini et al. (2012): T_ij = T_i m_i n_j / ((m_i + s_ij)(m_i + n_j + s_ij)), normalised
    for a finite system; T_i = tau x departures."""
    n = len(D.codes)
    m = D.P
    T = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            s = sum(m[k] for k in range(n) if k not in (i, j) and D.d[i, k] < D.d[i, j])
            T[i, j] = m[i] * m[j] / ((m[i] + s) * (m[i] + m[j] + s))
        T[i] /= T[i].sum()
        T[i] *= tau * dep[i]
    return T


def net_of(T):
    return T.sum(axis=0) - T.sum(axis=1)


def fit_gravity(D, period="2024"):
    net = D.obs[period][2]
    total = D.obs[period][1].sum()

    def f(x):
        T = gravity_flows(x, D)
        return ((net_of(T) - net) ** 2).sum() / net.var() + math.log(T.sum() / total) ** 2

    best = None
    for a0 in (0.5, 1.0):
        for b0 in (0.5, 1.0, 1.5):
            x0 = np.array([0.0, a0, b0, 1.0])
            T = gravity_flows(x0, D)
            x0[0] = math.log(total / T.sum())
            res = minimize(f, x0, method="Nelder-Mead", options={"maxiter": 20000, "xatol": 1e-8, "fatol": 1e-12})
            best = res if best is None or res.fun < best.fun else best
    return best.x


def fit_radiation(D, period="2024"):
    """The radiation model has no free parameter given each region's outflow:
    the interregional part of the departures, INTERREGIONAL_SHARE of them."""
    return INTERREGIONAL_SHARE


def scores(pred, obs):
    r = float(np.corrcoef(pred, obs)[0, 1])
    rmse = float(np.sqrt(((pred - obs) ** 2).mean()))
    return r, rmse


def rank(codes, net):
    order = np.argsort(-net)
    return " > ".join(codes[i] for i in order)


def run_net(path, D):
    """Net interregional moves by region over the run's first 52 weeks (persons)."""
    import h5py

    with h5py.File(path, "r") as f:
        moves = f["internal_moves"][()]  # time, from, to
        codes = [c.decode() if isinstance(c, bytes) else str(c) for c in f["region_code"][()]]
        days = f["time"][()]
    steps = int(np.searchsorted(days, 364.0, side="left")) + 1
    T = moves[:steps].sum(axis=0)
    idx = [codes.index(c) for c in D.codes]
    T = T[np.ix_(idx, idx)]
    return T


def main(argv):
    if len(argv) < 2 or argv[1] not in ("fit", "skill"):
        print(__doc__, file=sys.stderr)
        return 2
    folder = argv[2] if len(argv) > 2 else os.path.join(HERE, "..", "scenarios", "data")
    D = Data(folder)
    if argv[1] == "fit":
        x = fit_migsim(D)
        names = ["log_rate", "city_churn", "economic_push", "income_pull", "city_pull",
                 "intra_utility", "climate_push"]
        for name, v in zip(names, x):
            print(f"{name} {v:.6g}")
        print(f"rate {math.exp(x[0]):.6g}  economic_rate {math.exp(x[0]) * x[2]:.6g}  climate_rate {math.exp(x[0]) * x[6]:.6g}")
        f = migsim_flows(x, D, by_driver=True)
        total = sum(v.sum() for v in f.values())
        for k, v in f.items():
            print(f"share {k} {v.sum() / total:.4f}")
        T = sum(f.values())
        print(f"moves {T.sum():.0f} (BNS 2024 {D.obs['2024'][1].sum():.0f}); intraregional share {np.trace(T) / T.sum():.4f}")
        return 0
    from_params = os.environ.get("MIGSIM_FLOW_PARAMS")
    x = [float(v) for v in from_params.split(",")] if from_params else fit_migsim(D)
    g = fit_gravity(D)
    tau = fit_radiation(D)
    print("model       fitted to          net 2024: r   RMSE    net 2023: r")
    rows = []
    dep24 = D.obs["2024"][1]
    preds = {
        "migsim (equations)": net_of(migsim_flows(x, D)),
        "gravity": net_of(gravity_flows(g, D)),
        "radiation": net_of(radiation_flows(tau, D, dep24)),
    }
    if len(argv) > 3:
        T = run_net(argv[3], D)
        preds["migsim (run, 52 weeks)"] = net_of(T)
    fitted = {"migsim (equations)": "2024 arr+dep+net", "gravity": "2024 net",
              "radiation": "2024 departures", "migsim (run, 52 weeks)": "2024 arr+dep+net"}
    for name, pred in preds.items():
        r24, e24 = scores(pred, D.obs["2024"][2])
        r23, _ = scores(pred, D.obs["2023"][2])
        rows.append((name, r24, e24, r23))
        print(f"{name:24s} {fitted[name]:18s} {r24:6.3f} {e24:8.0f}   {r23:6.3f}")
    print(f"gravity: g0 {g[0]:.4g} alpha {g[1]:.4g} beta {g[2]:.4g} gamma {g[3]:.4g}; radiation: outflow share {tau:.4g}")
    print("BNS 2024 ranking: " + rank(D.codes, D.obs["2024"][2]))
    for name, pred in preds.items():
        print(f"{name} ranking: " + rank(D.codes, pred))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
