import time, numpy as np
from collections import Counter
from synthetic import synthetic_catalog
from intent.parser import parse_rules
from planner.candidates import enumerate_configs, precision_choices, intent_models
from planner.factors import load_factors
from planner.perf import Grid, stored_corrections
import planner.perf as pf
cat = synthetic_catalog(1000, 200)
intent = parse_rules("lowest power, classify images in 10 ms at 75% accuracy", cat)
f = load_factors()
models = intent_models(intent, cat)
pools = [(d, None, [p.value for p in d.placements]) for d in sorted(cat.devices.values(), key=lambda d: d.id)]
for _ in range(3):
    t=time.perf_counter(); tab = enumerate_configs(pools, models, precision_choices(intent, f), f, Counter()); t1=time.perf_counter()
    corr = stored_corrections(cat, f); t2=time.perf_counter()
    g = Grid(tab, f.batch_sizes, f, corr); t3=time.perf_counter()
    print(f"enumerate {1000*(t1-t):.0f} corrections {1000*(t2-t1):.0f} grid {1000*(t3-t2):.0f} configs {len(tab)}")
orig = pf._roofline
tt=[0]
def r(*a):
    t=time.perf_counter(); x=orig(*a); tt[0]+=time.perf_counter()-t; return x
pf._roofline = r
t=time.perf_counter(); g = Grid(tab, f.batch_sizes, f, corr); print("grid", time.perf_counter()-t, "roofline", tt[0])
t=time.perf_counter(); c = g._columns(tab); print("columns", time.perf_counter()-t)
t=time.perf_counter(); c = g._cost(); print("cost", time.perf_counter()-t)
