"""Thread caps for numerical libraries. The conductor runs the model on one thread so the other core is left to
the synthesis engine; benches measure on one thread. They take effect only before numpy or torch loads."""

from __future__ import annotations

SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
