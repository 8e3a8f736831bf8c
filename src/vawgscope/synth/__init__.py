"""The demo world: a synthetic Kent-like county whose police records reproduce the seed
report's figures through mechanisms (offending careers, temperature, licensed premises,
deprivation, lockdowns), never through planted answers.

``write_demo_world(out_dir, scale=1.0, seed=20220331, fmt="parquet")`` writes one file per
contract table. Modules: ``geography`` (county, districts, areas, IMD, population),
``context`` (premises, weather, lockdowns, calendar), ``params`` (every mechanism's knobs),
``model`` (shared state and spatial helpers), ``careers`` (perpetrators and their potential
offences), ``people`` (victims, ages, ethnicity), ``scenes`` (where and when), ``records``
(windows, recording, channels, codes, outcomes), ``chunk`` (one group of careers into rows),
``writer`` (Parquet/CSV) and ``world`` (orchestration). The volumes chosen, why, and the seed
figures that conflict are in ``CALIBRATION.md`` beside this file.
"""

from vawgscope.synth.world import DemoSummary, write_demo_world

__all__ = ["DemoSummary", "write_demo_world"]
