"""Process-level TensorFlow settings. Call :func:`limit_threads` before TensorFlow runs any op."""

from __future__ import annotations

import os


def limit_threads(threads: int) -> None:
    """Restrict TensorFlow (and OpenMP/BLAS) to ``threads`` CPU threads."""
    n = str(int(threads))
    for var in (
        "OMP_NUM_THREADS",
        "TF_NUM_INTRAOP_THREADS",
        "TF_NUM_INTEROP_THREADS",
        "MKL_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
    ):
        os.environ[var] = n
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(int(threads))
        tf.config.threading.set_inter_op_parallelism_threads(int(threads))
    except RuntimeError:
        # The runtime is already initialised (e.g. inside a test session); keep its settings.
        pass
