"""The fuzzers of performer/bench/fuzz, a bounded number of cases each on a fixed seed (the same cases every run):
any crash fails, naming its kind and its first example. `performer bench fuzz` runs the same targets, 100,000
cases in all; here `performer check` runs in this process."""

from __future__ import annotations

import json

import pytest

from performer.bench.fuzz.bench import NAMES, bench_fuzz, run_fuzz
from performer.bench.fuzz.files import in_process
from performer.cli import main
from performer.errors import PerformerError

SEED = 16  # issue 16
CASES = {"rig": 400, "scene": 400, "show": 400, "toml": 400, "session": 3000, "midi": 500, "thru": 500, "osc": 500,
         "gate": 500, "check": 120}
FILES = ("rig", "scene", "show", "toml", "session", "check")  # targets whose cases load, or are refused in a line


@pytest.mark.parametrize("name", NAMES)
def test_no_case_crashes(name):
    result = run_fuzz({name: CASES[name]}, SEED, in_process(main))[name]
    assert result["cases"] == CASES[name]
    assert result["crashes"] == 0, json.dumps({"crash_kinds": result["crash_kinds"],
                                               "examples": result["examples_of_crash"]}, indent=1)
    if name in FILES:  # the cases reach both ends: files that load, and files refused in one line
        assert result["outcomes"].get("loaded", 0) > 0 and result["rejected_one_line"] > 0, result["outcomes"]


def test_the_same_seed_draws_the_same_cases():
    first, again = (run_fuzz({"osc": 200, "session": 200}, SEED) for _ in range(2))
    assert [first[n]["outcomes"] for n in first] == [again[n]["outcomes"] for n in again]


def test_the_bench_shares_its_cases_and_reports_the_seed():
    result = bench_fuzz(cases=60, seed=None, only=["thru", "gate", "check"], check_cases=0)
    assert set(result["targets"]) == {"thru", "gate"} and result["cases_total"] == 60
    assert isinstance(result["seed"], int) and result["hypothesis"]
    with pytest.raises(PerformerError, match="no target nothing; the targets are rig, "):
        bench_fuzz(cases=10, only=["nothing"])
