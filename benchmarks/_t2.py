import time, gc
from collections import Counter
from synthetic import synthetic_catalog
from intent.parser import parse_rules
from planner.candidates import enumerate_configs, precision_choices, intent_models
from planner.factors import load_factors
from planner.perf import Grid
cat = synthetic_catalog(1000, 200)
intent = parse_rules("lowest power, classify images in 10 ms at 75% accuracy", cat)
f = load_factors()
models = intent_models(intent, cat)
pools = [(d, None, [p.value for p in d.placements]) for d in sorted(cat.devices.values(), key=lambda d: d.id)]
tab = enumerate_configs(pools, models, precision_choices(intent, f), f, Counter())
for _ in range(6):
    t=time.perf_counter(); c0=time.process_time(); g = Grid(tab, f.batch_sizes, f, {}); 
    print(f"grid wall {time.perf_counter()-t:.2f} cpu {time.process_time()-c0:.2f}")
    del g
