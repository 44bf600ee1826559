"""The CP-SAT planner.

Formulation
-----------
Sets
    C            candidate rows (model, device, precision, batch size, placement), each with
                 predicted per-replica figures v[i, m] for every metric m, and r[i], the fewest
                 replicas that meet the request's throughput floor (1 without one). Fewer
                 replicas are never worse on any objective (power and cost grow with them,
                 throughput is maximised per replica), so r[i] is data, not a decision.
    K            the request's hard constraints, each (metric m, op, bound b).
Variables
    x[i] in {0,1}      row i is the chosen configuration.
Constraints
    sum_i x[i] = 1                                   exactly one configuration
    sum_i w[i,m] x[i]  op  b                         for each k in K, where w[i,m] is the
                 deployment's figure: v[i,m] r[i] for throughput, power and cost, else v[i,m]
    a row whose figure for m is unknown cannot meet a bound on m:  x[i] = 0
Objective (lexicographic)
    1. the request's objective (default: minimise cost per hour);
       throughput is maximised per replica, power and cost are deployment totals;
    2. tie-breakers: those the request names ("cheapest, then fastest"), then cost, devices, latency,
       power (those not already used), then fewest replicas;
    3. the lowest row index, so ties always resolve the same way.
    Exactly one row is chosen, so the deployment's value on every level is the chosen row's:
    the lexicographic objective is then exactly  minimise sum_i rank[i] x[i],  where rank[i]
    is row i's place when rows are sorted by their (scaled) level values. Only each device's
    lowest-ranked row that meets every bound can ever be chosen (runner-ups forbid whole
    devices), so the model holds just those rows (``Chooser``). One solve proves
    every level optimal at once, where solving level by level (``optimise_in_order``, which
    fleets need) takes one solve per level. When the solve stops at the time limit, the
    first level's bound is the first-level value of the row at the rank bound.
An infeasible request is explained without the solver: exactly one row is chosen, so a set of
bounds is feasible when one row meets them all, and the conflicting set and each bound's best
reachable value come from scans of the rows (a deletion filter for the set).
All figures are scaled to integers by ``to_int`` (microseconds, milliwatts, microjoules,
megabytes, micro-dollars), rounding against the bound so a scaled solution is a real one.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from intent.schema import Constraint, Metric, Sense
from planner.perf.roofline import Estimate
from planner.solve.budget import TimeBudget
from planner.solve.cpsat import cp_model

SCALE = {"latency": 1_000, "throughput": 1_000, "power": 1_000, "energy": 1_000_000, "memory": 1_000,
         "memory_per_device": 1_000, "power_per_device": 1_000, "cost_per_device": 1_000_000,
         "cost": 1_000_000, "accuracy": 1_000_000, "ttft": 1_000, "tpot": 1_000, "token_throughput": 1_000,
         "token_cost": 1_000_000, "job_cost": 1_000_000, "devices": 1, "model_accuracy": 1_000_000}
FIELD = {"latency": "latency_ms", "throughput": "throughput_rps", "power": "power_w", "energy": "energy_j",
         "memory": "memory_gb", "cost": "cost_usd_per_hour", "accuracy": "accuracy", "ttft": "ttft_ms",
         "tpot": "tpot_ms", "token_throughput": "tokens_per_s", "token_cost": "usd_per_mtok",
         "job_cost": "job_cost_usd", "model_accuracy": "model_accuracy"}
#: Metrics that add up over replicas (the rest are the same on every replica). Memory is the
#: deployment's, over every device of every replica; ``memory_per_device`` is one device's
#: (a bound stated "per GPU").
REPLICATED = {"throughput", "power", "cost", "token_throughput", "memory", "devices"}
#: Rates whose floor is reached by adding replicas.
RATES = ("throughput", "token_throughput")
#: After cost, fewest devices in total: where no candidate has a published purchase price (most
#: on-prem accelerators), cost cannot rank them, and the deployment with the fewest devices is
#: the cheapest one whatever the prices turn out to be among the same kind of device. Without it
#: lowest latency would decide, and buy a device per sequence. Then the most accurate model
#: (its published reference figure, where the candidates share one metric): on the same
#: devices at the same price, latency alone picked the smallest model that met the bounds
#: (SqueezeNet 1.1 at 58% top-1 for product photos on a T4 that runs ResNet-50 as well). Then the
#: most accurate format of it: at the same price on the same devices, latency alone quantised an 8B
#: model to int4 on an idle A100 that holds it in fp16.
DEFAULT_TIE_BREAKERS = [("cost", "minimize"), ("devices", "minimize"), ("model_accuracy", "maximize"),
                        ("accuracy", "maximize"), ("latency", "minimize"), ("power", "minimize")]


@dataclass(frozen=True)
class SolverSettings:
    time_limit_s: float = 10.0
    seed: int = 0
    workers: int = 1
    #: the most replicas one deployment may have (a large service's cluster: 12,000 req/s of an 8B model
    #: takes about 175 GPUs; at 64 it was split over 504 GPUs, 8 to a replica, to stay under the limit)
    max_replicas: int = 512
    #: The fewest replicas a deployment has: a request's availability floor ("at least 2
    #: replicas for HA"), above what its load needs.
    min_replicas: int = 1
    #: Replicas beyond what the load needs, so the service holds its load with that many down
    #: ("N+1 redundancy": 1).
    spare_replicas: int = 0
    #: Plans whose objective is within this share of the best count as equal on it, and the
    #: tie-breakers decide among them: the figures are predictions with errors of tens of percent,
    #: so a 0.1% cheaper plan (a slower model drawing less power) is no reason to prefer it.
    objective_tolerance: float = 0.01
    budget: TimeBudget | None = field(default=None, compare=False)  # the whole plan's wall time, when bounded

    def skip(self, part: str) -> bool:
        """Whether the plan's time is spent, so ``part`` is to be skipped (and is noted as such)."""
        return self.budget is not None and self.budget.skip(part)


@dataclass(frozen=True)
class Level:
    """One objective level: a metric and a direction (or the replica / index tie-breakers);
    values within ``tolerance`` (a share) of the best count as equal on it."""

    metric: str
    sense: str
    tolerance: float = 0.0

    def describe(self) -> str:
        return f"{self.sense} {self.metric}"


@dataclass
class Solution:
    row: int
    replicas: int
    status: str
    objective_value: float
    levels: list[Level]
    gap: float = 0.0  # relative distance to the solver's bound on the first level (0 when proven optimal)
    best_value: float | None = None  # the best objective value, when a plan within the tolerance of it was taken


def value(row: Estimate, metric: str) -> float | None:
    """A row's figure for one replica: ``memory`` over all the replica's devices."""
    if metric == "memory":
        return row.memory_gb * devices_per_replica(row)
    if metric == "memory_per_device":
        return row.memory_gb
    if metric == "power_per_device":
        return None if row.power_w is None else row.power_w / devices_per_replica(row)
    if metric == "cost_per_device":
        return None if row.cost_usd_per_hour is None else row.cost_usd_per_hour / devices_per_replica(row)
    if metric == "devices":
        return devices_per_replica(row)
    return getattr(row, FIELD[metric])


def devices_per_replica(row: Estimate) -> int:
    """Devices one replica uses (a served LLM's layout, else its shards)."""
    return getattr(row, "devices_per_replica", None) or row.shards


def sequences_per_replica(row: Estimate) -> int:
    """Sequences (requests) one replica holds at once: a served LLM's concurrency, else its batch."""
    return getattr(row, "concurrency", None) or row.batch_size


def metric_of(c: Constraint) -> str:
    """The figure a bound tests: a memory, power or price bound stated per device ("16 GB per
    GPU", "no GPU above $1/hr") tests one device's figure, any other the whole deployment's."""
    if c.metric == Metric.MEMORY and c.per_device:
        return "memory_per_device"
    if c.metric == Metric.POWER and c.per_device:
        return "power_per_device"
    if c.metric == Metric.COST and c.per_device:
        return "cost_per_device"
    return c.metric.value


#: The largest scaled figure the model holds. A bound beyond it (1e40 ms) means the same as one at
#: it, since every row's figure is far below; CP-SAT's coefficients must stay within 64 bits.
SCALED_LIMIT = 2 ** 50


def to_int(metric: str, amount: float, direction: str = "nearest") -> int:
    """Scale a figure to an integer, clamped to +-SCALED_LIMIT; ``up`` or ``down`` rounds against a bound."""
    scaled = max(-SCALED_LIMIT, min(SCALED_LIMIT, amount * SCALE[metric]))
    if direction == "up":
        return math.ceil(scaled - 1e-9)
    if direction == "down":
        return math.floor(scaled + 1e-9)
    return round(scaled)


def replicas_needed(row: Estimate, constraints: list[Constraint], max_replicas: int,
                    concurrency: int | None = None, least: int = 1, spare: int = 0) -> int:
    """The fewest replicas that reach every rate floor (requests or tokens per second) and
    hold the concurrency (each replica holds its batch of sequences at once), plus ``spare``;
    at least ``least``, at most max + 1."""
    need = 1
    for c in constraints:
        if c.metric.value in RATES and c.op == ">=" and c.value > 0:
            rate = value(row, c.metric.value)
            need = max(need, max_replicas + 1 if not rate else math.ceil(c.value / rate - 1e-9))
    if concurrency:
        need = max(need, math.ceil(concurrency / sequences_per_replica(row)))
    return min(max(least, need + spare), max_replicas + 1)


def figures(rows: list[Estimate], replicas: list[int], metric: str, per_replica: bool = False) -> list[float | None]:
    """Each row's figure for the metric: per replica, or for the whole deployment."""
    if per_replica:
        return [value(row, metric) for row in rows]
    return [deployment_figure(row, metric, r) for row, r in zip(rows, replicas)]


def coefficients(rows: list[Estimate], replicas: list[int], metric: str, per_replica: bool = False,
                 unknown: int = 0) -> list[int]:
    """Each row's scaled figure, ``unknown`` where it has none."""
    return [unknown if v is None else to_int(metric, v) for v in figures(rows, replicas, metric, per_replica)]


def replicas_allowed(row: Estimate, replicas: int, settings: SolverSettings) -> bool:
    """Whether the deployment stays within the replica limit and the inventory's count."""
    return replicas <= replica_cap(row, settings.max_replicas)


def replica_cap(row: Estimate, limit: int) -> int:
    """The most replicas a row may use: the limit, and an inventory's count over the devices one
    replica takes (0 when a replica takes more devices than the inventory holds: none fit)."""
    return limit if row.max_replicas is None else min(limit, row.max_replicas)


def scaled_bound(c: Constraint, values: list[float | None]) -> tuple[list[int], int]:
    """The rows' scaled values and the scaled bound, each rounded against the bound (0 where unknown);
    a value that meets the bound before scaling meets it after (see ``_held``)."""
    metric = c.metric.value
    rounding = "up" if c.op == "<=" else "down"
    bound = to_int(metric, c.value, "down" if c.op == "<=" else "up")
    scaled = [0 if v is None else int(_held(c, v, to_int(metric, v, rounding), bound)) for v in values]
    return scaled, bound


#: The share of a bound a figure may miss it by and still meet it (as ``planner.search.prune`` keeps
#: cells): float arithmetic, not the plan.
BOUND_SLACK = 1e-9


def _held(c: Constraint, value, scaled, bound):
    """A scaled figure that the bound holds in floats kept on the bound's side: rounding both against
    the bound had turned a figure equal to it into a miss (a rate of 166.67 req/s met exactly by 15
    replicas at 11.11 each was refused, while 167 req/s planned)."""
    slack = BOUND_SLACK * max(1.0, abs(c.value))
    if c.op == ">=":
        return np.where(value >= c.value - slack, np.maximum(scaled, bound), scaled)
    return np.where(value <= c.value + slack, np.minimum(scaled, bound), scaled)


def _meets(c: Constraint, values: list[float | None]) -> list[bool]:
    """Which rows meet the bound on their own (exactly the rows ``add_bound`` lets be chosen)."""
    scaled, bound = scaled_bound(c, values)
    return [v is not None and (w <= bound if c.op == "<=" else w >= bound) for v, w in zip(values, scaled)]


def deployment_figure(row: Estimate, metric: str, replicas: int) -> float | None:
    v = value(row, metric)
    if v is None or metric not in REPLICATED:
        return v
    return v * replicas


def figure_array(rows: list[Estimate], replicas: np.ndarray | None, metric: str, per_replica: bool = False) -> np.ndarray:
    """``figures`` as an array, NaN where unknown (None becomes NaN)."""
    if metric in FIELD and metric != "memory":  # a plain field (``value`` reads memory over the devices)
        name = FIELD[metric]
        values = np.array([getattr(row, name) for row in rows], dtype=float)
    else:
        values = np.array([value(row, metric) for row in rows], dtype=float)
    return values if per_replica or metric not in REPLICATED else values * replicas


def to_ints(metric: str, amounts: np.ndarray, direction: str = "nearest") -> np.ndarray:
    """``to_int`` on an array of known figures."""
    scaled = np.clip(amounts * SCALE[metric], -SCALED_LIMIT, SCALED_LIMIT)
    if direction == "up":
        return np.ceil(scaled - 1e-9).astype(np.int64)
    if direction == "down":
        return np.floor(scaled + 1e-9).astype(np.int64)
    return np.rint(scaled).astype(np.int64)


def meets_array(c: Constraint, values: np.ndarray) -> np.ndarray:
    """``_meets`` on an array of figures (NaN: unknown)."""
    metric = c.metric.value
    known = ~np.isnan(values)
    bound = to_int(metric, c.value, "down" if c.op == "<=" else "up")
    scaled = _held(c, values, to_ints(metric, np.where(known, values, 0.0), "up" if c.op == "<=" else "down"), bound)
    return known & (scaled <= bound if c.op == "<=" else scaled >= bound)


def replica_array(rows: list[Estimate], constraints: list[Constraint], max_replicas: int,
                  concurrency: int | None = None, least: int = 1, spare: int = 0) -> np.ndarray:
    """``replicas_needed`` for every row at once."""
    need = np.ones(len(rows))
    for c in constraints:
        if c.metric.value in RATES and c.op == ">=" and c.value > 0:
            rate = figure_array(rows, None, c.metric.value, per_replica=True)
            unreachable = np.isnan(rate) | (rate == 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                need = np.maximum(need, np.where(unreachable, max_replicas + 1, np.ceil(c.value / rate - 1e-9)))
    if concurrency:
        held = np.array([sequences_per_replica(row) for row in rows], dtype=float)
        need = np.maximum(need, np.ceil(concurrency / held))
    return np.minimum(np.maximum(least, need + spare), max_replicas + 1).astype(np.int64)


class Formulation:
    """The CP-SAT model over a candidate set; bounds can carry assumption literals."""

    def __init__(self, rows: list[Estimate], replicas: list[int], settings: SolverSettings):
        self.cp = cp_model()
        self.rows = rows
        self.replicas = replicas
        self.settings = settings
        self.model = self.cp.CpModel()
        self.x = [self.model.new_bool_var(f"x{i}") for i in range(len(rows))]
        # Exactly one configuration is chosen.
        self.model.add_exactly_one(self.x)
        # A row that would need more replicas than allowed (or than the inventory holds) cannot be chosen.
        for xi, r, row in zip(self.x, replicas, rows):
            if not replicas_allowed(row, r, settings):
                self.model.add(xi == 0)

    def figures(self, metric: str, per_replica: bool = False) -> list[float | None]:
        return figures(self.rows, self.replicas, metric, per_replica)

    def coefficients(self, metric: str, per_replica: bool = False, unknown: int = 0) -> list[int]:
        """Each row's scaled figure, ``unknown`` where it has none."""
        return coefficients(self.rows, self.replicas, metric, per_replica, unknown)

    def add_bound(self, c: Constraint) -> None:
        """A hard bound; rows with no figure for the metric are ruled out by it."""
        row_values = self.figures(metric_of(c))
        scaled, bound = scaled_bound(c, row_values)
        expr = self.cp.LinearExpr.weighted_sum(self.x, scaled)
        self.model.add(expr <= bound) if c.op == "<=" else self.model.add(expr >= bound)
        for i, v in enumerate(row_values):
            if v is None:
                self.model.add(self.x[i] == 0)

    def solver(self):
        return new_solver(self.cp, self.settings)


def _penalty(known: list[int], sense: str) -> int:
    """The scaled value given to unknown figures in tie-breakers (``known``: the scaled known
    ones): worse than any known one."""
    if not known:
        return 0
    return max(known) * 10 + 1 if sense == "minimize" else min(known) - 1


class Chooser:
    """One CP-SAT model over a candidate set that answers "the best row", then "the best
    row on a device not yet used" (runner-ups) by forbidding devices as it goes.

    Every question it answers is "the lowest-ranked row that meets the bounds, on a device
    still allowed", and devices are only ever allowed or forbidden whole. So on each device
    only its lowest-ranked row that meets the bounds on its own can ever be chosen; the
    model is built over those rows alone (a presolve step, exact by construction: the
    test suite checks it against a scan of every row)."""

    def __init__(self, rows: list[Estimate], constraints: list[Constraint], objective: tuple[str, str],
                 settings: SolverSettings, tie_breakers: tuple[tuple[str, str], ...] = (),
                 concurrency: int | None = None, fill: bool = False, device_cap: int | None = None,
                 budget: tuple[tuple[str, float], ...] = ()):
        self.rows = rows
        replicas = replica_array(rows, constraints, settings.max_replicas, concurrency, settings.min_replicas,
                                     settings.spare_replicas)
        self.fill = fill
        if fill:  # a rate objective on an inventory (or under a device cap): every replica it holds serves
            replicas = np.maximum(replicas, filled_replicas(rows, settings.max_replicas, device_cap, budget))
        self.replicas = replicas.tolist()
        metric, sense = objective
        self.levels = [Level(metric, sense, settings.objective_tolerance)]
        for m, s in (*tie_breakers, *DEFAULT_TIE_BREAKERS):
            if all(level.metric != m for level in self.levels):
                self.levels.append(Level(m, s))
        # After the metric levels, fewest replicas and then the lowest row index make the answer unique.
        self.keys = [self._key(rows, replicas, level, rates_per_replica=not fill) for level in self.levels]
        self.keys += [self.replicas, list(range(len(rows)))]
        meets = self._meets_all(constraints, settings, replicas)
        self.best_key = int(np.array(self.keys[0])[meets].min()) if meets.any() else None
        ranking = [_tied_with_best(self.keys[0], meets, settings.objective_tolerance), *self.keys[1:]]
        self.by_rank = np.lexsort(ranking[::-1]).tolist() if rows else []
        rank = [0] * len(rows)
        for place, i in enumerate(self.by_rank):
            rank[i] = place
        self.kept = self._device_bests(meets)
        self.f = Formulation([rows[i] for i in self.kept], [self.replicas[i] for i in self.kept], settings)
        for c in constraints:
            self.f.add_bound(c)
        self.f.model.minimize(self.f.cp.LinearExpr.weighted_sum(self.f.x, [rank[i] for i in self.kept]))
        self.forbidden: set[str] = set()

    @staticmethod
    def _key(rows: list[Estimate], replicas: np.ndarray, level: Level, rates_per_replica: bool = True) -> list[int]:
        """Each row's scaled figure on a level, negated when the level maximises; an unknown
        figure ranks below every known one (``_penalty``, from the figures per replica and per
        deployment)."""
        values = figure_array(rows, replicas, level.metric, rates_per_replica and level.metric in RATES)
        known = ~np.isnan(values)
        own = figure_array(rows, None, level.metric, per_replica=True)
        # worse than every known figure, a replica's and a deployment's alike: from a replica's alone, an
        # unknown cost ranked below 16 Inferentia2 replicas' known $12.13/h (10 x a replica's $1.11 + 1)
        penalty = _penalty(to_ints(level.metric, np.concatenate([own[known], values[known]])).tolist(), level.sense)
        key = np.where(known, to_ints(level.metric, np.where(known, values, 0.0)), penalty)
        return (key if level.sense == "minimize" else -key).tolist()

    def _meets_all(self, constraints: list[Constraint], settings: SolverSettings, replicas: np.ndarray) -> np.ndarray:
        """Which rows meet every bound on their own, within the replica limits."""
        caps = np.array([replica_cap(row, settings.max_replicas) for row in self.rows])
        ok = replicas <= caps
        for c in constraints:
            ok &= meets_array(c, figure_array(self.rows, replicas, metric_of(c)))
        return ok

    def _device_bests(self, meets: np.ndarray) -> list[int]:
        """Each device's lowest-ranked row that meets every bound, in row order."""
        ok = meets.tolist()
        best: dict[str, int] = {}
        for i in self.by_rank:
            if ok[i]:
                best.setdefault(self.rows[i].device_id, i)
        return sorted(best.values())

    def best(self, forbid_devices: tuple[str, ...] = (), strict_objective: bool = False) -> Solution | None:
        """The lexicographic optimum, None when no row meets the constraints. Devices once
        forbidden stay forbidden. With ``strict_objective`` a row with no figure for the
        objective does not count (it ranks below every row that has one)."""
        for xi, i in zip(self.f.x, self.kept):
            if self.rows[i].device_id in forbid_devices and self.rows[i].device_id not in self.forbidden:
                self.f.model.add(xi == 0)
        self.forbidden.update(forbid_devices)
        cp, solver = self.f.cp, self.f.solver()
        status = solver.solve(self.f.model)
        if status not in (cp.OPTIMAL, cp.FEASIBLE):
            return None
        chosen = next(i for xi, i in zip(self.f.x, self.kept) if solver.value(xi))
        first = self.levels[0]
        if strict_objective and value(self.rows[chosen], first.metric) is None:
            return None
        gap = 0.0
        if status == cp.FEASIBLE:
            bound = self.by_rank[min(len(self.rows) - 1, max(0, math.ceil(solver.best_objective_bound - 1e-9)))]
            gap = abs(self.keys[0][chosen] - self.keys[0][bound]) / max(1.0, abs(self.keys[0][chosen]))
        sign = 1 if first.sense == "minimize" else -1
        tied = self.best_key is not None and self.keys[0][chosen] != self.best_key and not forbid_devices \
            and value(self.rows[chosen], first.metric) is not None
        return Solution(row=chosen, replicas=self.replicas[chosen],
                        status="OPTIMAL" if status == cp.OPTIMAL else "FEASIBLE",
                        objective_value=sign * self.keys[0][chosen] / SCALE[first.metric], levels=self.levels, gap=gap,
                        best_value=sign * self.best_key / SCALE[first.metric] if tied else None)


def filled_replicas(rows: list[Estimate], max_replicas: int, device_cap: int | None = None,
                    budget: tuple[tuple[str, float], ...] = ()) -> np.ndarray:
    """The replicas an inventory holds of each row (its ``max_replicas``), or that ``device_cap``
    devices hold, or that a deployment-wide ``budget`` ((metric, most) of cost or power) pays for, within
    the limit; 1 without any."""
    def most(row: Estimate) -> int:
        held = row.max_replicas or max_replicas
        if device_cap is not None:
            held = min(held, device_cap // devices_per_replica(row))
        elif budget:
            held = min([held, *(math.floor(cap / each + 1e-9) for metric, cap in budget
                                if (each := value(row, metric)) is not None and each > 0)])
        elif not row.max_replicas:
            return 1
        return max(1, min(max_replicas, held))

    return np.array([most(row) for row in rows], dtype=np.int64)


def _tied_with_best(key: list[int], meets: np.ndarray, tolerance: float) -> list[int]:
    """A level's ranking key with every row that meets the bounds within ``tolerance`` of the best
    such row's value given the best's key, so the next levels decide among them. Keys are scaled
    values (negated when the level maximises), so the best is the smallest either way."""
    keys = np.array(key, dtype=np.int64)
    if not tolerance or not meets.any():
        return key
    best = int(keys[meets].min())
    tied = meets & (keys <= best + math.floor(tolerance * abs(best)))
    return np.where(tied, best, keys).tolist()


@dataclass(frozen=True)
class OrderedResult:
    status: str  # OPTIMAL, or FEASIBLE when some level stopped at the time limit
    values: tuple[int, ...] = ()  # every level's value reached (scaled)
    gaps: tuple[float, ...] = ()  # every level's relative gap to the solver's bound
    assignment: tuple[int, ...] = ()  # the last solution's value of each of ``keep`` (see optimise_in_order)


def new_solver(cp, settings: SolverSettings):
    """A CP-SAT solver with the explicit time limit, seed and worker count plans are reproducible by."""
    solver = cp.CpSolver()
    solver.parameters.max_time_in_seconds = (settings.time_limit_s if settings.budget is None
                                             else settings.budget.solve_seconds(settings.time_limit_s))
    solver.parameters.random_seed = settings.seed
    solver.parameters.num_workers = settings.workers
    return solver


def optimise_in_order(cp, model, solver, levels: list[tuple[object, str]], keep=(), budget_s: float | None = None,
                      settled: tuple[int, ...] = (), timings: list[float] | None = None,
                      share: float = 1.0, warm_start=None, bounds: tuple[int | None, ...] = (),
                      first_share: float | None = None,
                      relaxation=None) -> OrderedResult | None:
    """Optimise each (expression, sense) in turn, fixing it at its optimum before the next
    (a lexicographic objective). None when the first level solved has no solution. Each
    level starts from the previous level's solution on the variables ``keep`` (a warm
    start), and the result holds their values in the last solution found: a later level
    that finds none (stopped at the time limit) leaves the solver without one.

    ``settled`` holds the values of the leading levels already proven optimal without the
    solver (a hinted solution that reaches a bound): they are fixed, not solved. With
    ``budget_s`` the levels share that much wall time: each is given ``share`` of what is
    left (the last level all of it), and the levels left when it is spent are not solved
    (the result is FEASIBLE, with fewer gaps than levels); ``first_share``, when given, is the
    first level's share instead. ``timings``, when given, gets
    each solved level's seconds. ``warm_start(depth, assignment, seconds, gap)``, when given,
    may return a better solution (values of ``keep``) than ``assignment`` to go on with
    level ``depth`` from, when CP-SAT alone has not proven it in a part of its time (``gap``:
    its relative gap then); it takes some of the ``seconds`` left to the level.

    ``bounds`` holds, per level, a bound on its value known without the solver (None:
    none): a solution that reaches it is optimal, so the search stops there, and the time
    CP-SAT would spend proving it from a weaker bound of its own goes to the next levels.
    ``relaxation(depth, values, seconds)``, when given, is asked for such a bound on each
    level ``bounds`` holds none for, from the values of the levels before it and the
    seconds left (None: none, or too little time to find one); a level's gap is the
    smaller of CP-SAT's and the one to its known bound."""
    start = time.perf_counter()
    status_name, values, gaps, assignment, solved = "OPTIMAL", [], [], (), False
    walls: list[float] = []  # every solve's wall time: less time left than the shortest is not worth a level
    for depth, (expr, sense) in enumerate(levels):
        if depth < len(settled):
            model.add(expr == settled[depth])
            values.append(settled[depth])
            gaps.append(0.0)
            continue
        if budget_s is not None:
            left = budget_s - (time.perf_counter() - start)
            if solved and left <= min(walls, default=0.0):
                status_name = "FEASIBLE"
                break
            if not solved:
                left = budget_s
            part = 1.0 if depth == len(levels) - 1 else (first_share if depth == 0 and first_share else share)
            solver.parameters.max_time_in_seconds = max(left * part, 0.0)
        model.minimize(expr) if sense == "minimize" else model.maximize(expr)
        known = bounds[depth] if depth < len(bounds) else None
        if known is None and relaxation is not None:
            known = relaxation(depth, tuple(values), budget_s - (time.perf_counter() - start)
                               if budget_s is not None else math.inf)
        callback = None if known is None else _stop_at_bound(cp, known)
        if warm_start:
            status = _solve_started(cp, model, solver, keep, warm_start, depth, walls, callback)
        else:
            status = solver.solve(model, callback)
        walls.append(solver.wall_time)
        if timings is not None:
            timings.append(solver.wall_time)
        if status not in (cp.OPTIMAL, cp.FEASIBLE):
            if not solved:
                return None
            status_name = "FEASIBLE"
            break
        solved = True
        best = round(solver.objective_value)
        values.append(best)
        if best == known:  # stopped at a bound known to hold: proven
            gaps.append(0.0)
        else:
            gap = relative_gap(solver.objective_value, solver.best_objective_bound)
            gaps.append(gap if known is None else min(gap, relative_gap(best, known)))
            if status == cp.FEASIBLE:
                status_name = "FEASIBLE"
        # Fixing a level at a value reached but not proven optimal keeps the next levels feasible.
        model.add(expr == best)
        assignment = tuple(solver.value(var) for var in keep)
        set_hints(model, keep, assignment)
    return OrderedResult(status_name, tuple(values), tuple(gaps), assignment)


def relative_gap(value: float, bound: float) -> float:
    """How far ``bound`` is from ``value``, relative to ``value`` (at least 1)."""
    return abs(bound - value) / max(1.0, abs(value))


def set_hints(model, variables, values) -> None:
    """Make ``variables`` = ``values`` the model's whole solution hint. In bulk: adding the
    hint of 190,000 variables one ``add_hint`` at a time takes half a second."""
    model.clear_hints()
    indices = [var.index for var in variables]
    if indices and min(indices) < 0:  # a negated literal: add_hint knows how to hint it
        for var, value in zip(variables, values):
            model.add_hint(var, value)
        return
    model.proto.solution_hint.vars.extend(indices)
    model.proto.solution_hint.values.extend([int(v) for v in values])


#: The share of a level's time CP-SAT tries alone before a warm start is asked for.
PROBE_SHARE = 0.2


def _stop_at_bound(cp, bound: int):
    """A CP-SAT solution callback that stops the search at a solution whose objective value
    reaches ``bound``, known to hold: it is optimal, whatever CP-SAT's own bound says. Its
    ``reached`` says whether it did."""

    class StopAtBound(cp.CpSolverSolutionCallback):
        reached = False

        def on_solution_callback(self) -> None:
            if round(self.objective_value) == bound:
                self.reached = True
                self.stop_search()

    return StopAtBound()


def _solve_started(cp, model, solver, keep, warm_start, depth: int, walls: list[float], callback=None):
    """Solve one level: CP-SAT alone for a part of its time; when that proves nothing, from
    ``warm_start``'s better solution (if any) for the rest (see ``optimise_in_order``). The
    first solve's wall time goes to ``walls``."""
    allotted, begun = solver.parameters.max_time_in_seconds, time.perf_counter()
    solver.parameters.max_time_in_seconds = allotted * PROBE_SHARE
    status = solver.solve(model, callback)
    probe = solver.wall_time
    walls.append(probe)
    if status not in (cp.FEASIBLE, cp.UNKNOWN) or (callback is not None and callback.reached):
        return status
    if status == cp.FEASIBLE:  # else the probe ended before a solution (loading a large model takes a while)
        current = tuple(solver.value(var) for var in keep)
        gap = relative_gap(solver.objective_value, solver.best_objective_bound)
        better = warm_start(depth, current, allotted - (time.perf_counter() - begun), gap)
        set_hints(model, keep, better or current)
        # The solve after the start gets at least the probe's time, even past the level's
        # share: loading a large model is most of it, and a solve stopped before its first
        # solution would lose the level (at 1000 x 50 SCIP overran its time by 0.3 s).
        solver.parameters.max_time_in_seconds = max(allotted - (time.perf_counter() - begun), probe)
    else:
        solver.parameters.max_time_in_seconds = max(allotted - (time.perf_counter() - begun), 0.0)
    return solver.solve(model, callback)


def conflict_core(rows: list[Estimate], constraints: list[Constraint], settings: SolverSettings,
                  concurrency: int | None = None) -> list[int]:
    """A smallest set of constraints that cannot hold together (indices into ``constraints``), by a
    deletion filter: drop each member whose removal leaves the rest infeasible. Exactly one row is
    chosen, so a set of bounds is feasible when one row meets them all: each test is a scan of the
    rows (replicas follow the rate floors and the concurrency of the set being tested)."""
    if feasible(rows, constraints, settings, concurrency):
        return []
    kept = list(range(len(constraints)))
    for k in list(kept):
        trial = [j for j in kept if j != k]
        if trial and not feasible(rows, [constraints[j] for j in trial], settings, concurrency):
            kept = trial
    return kept


def _meeting(rows, constraints, settings, concurrency: int | None) -> tuple[list[int], list[bool]]:
    """Each row's replicas for ``constraints`` and whether it meets them all (as the model would)."""
    replicas = [replicas_needed(r, constraints, settings.max_replicas, concurrency, settings.min_replicas,
                                settings.spare_replicas) for r in rows]
    ok = [replicas_allowed(row, r, settings) for row, r in zip(rows, replicas)]
    for c in constraints:
        ok = [a and b for a, b in zip(ok, _meets(c, figures(rows, replicas, metric_of(c))))]
    return replicas, ok


def feasible(rows, constraints, settings, concurrency: int | None = None) -> bool:
    """Whether one row meets every constraint."""
    return any(_meeting(rows, constraints, settings, concurrency)[1])


def best_reachable(rows, constraints: list[Constraint], target: Constraint, settings: SolverSettings,
                   concurrency: int | None = None) -> float | None:
    """The best value of ``target``'s metric when every other constraint holds (a scan of the rows)."""
    others = [c for c in constraints if c is not target]
    replicas, ok = _meeting(rows, others, settings, concurrency)
    values = [v for v, good in zip(figures(rows, replicas, metric_of(target)), ok) if good and v is not None]
    if target.metric.value in RATES and target.op == ">=":
        # a rate floor is reached by adding replicas: the most a row may have, where the other bounds still hold
        # (it had been one replica's rate: "200,000 req/s" said 193 req/s was the best, where 512 replicas do 99k)
        most = [replica_cap(row, settings.max_replicas) for row in rows]
        held = [replicas_allowed(row, n, settings) for row, n in zip(rows, most)]
        for c in others:
            held = [a and b for a, b in zip(held, _meets(c, figures(rows, most, metric_of(c))))]
        values += [v for v, good in zip(figures(rows, most, metric_of(target)), held) if good and v is not None]
    if not values:
        return None
    return min(values) if target.op == "<=" else max(values)


def objective_of(intent_objective) -> tuple[tuple[str, str], bool]:
    """The objective to optimise and whether it was the documented default."""
    if intent_objective is None:
        return (Metric.COST.value, Sense.MINIMIZE.value), True
    return (intent_objective.metric.value, intent_objective.sense.value), False
