"""Fuzzing what a show reads from outside (issue 16): rig, scene and show files, sessions, MIDI bytes and OSC
datagrams, with hypothesis, counting crashes instead of stopping at the first. ``bench.bench_fuzz`` runs them for
`performer bench fuzz`; tests/fuzz runs a bounded number of each."""
