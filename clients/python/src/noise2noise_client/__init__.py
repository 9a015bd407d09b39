"""A client of the noise2noise denoising service (docs/api.md) and the `n2n` command line; standard library only."""

__version__ = "0.1.0"

from noise2noise_client.client import (  # noqa: E402  (after __version__, which the client sends)
    DEFAULT_UPLOAD_THRESHOLD,
    FINAL_STATUSES,
    ApiError,
    Client,
    Job,
    JobPage,
    N2NError,
    Problem,
    Unreachable,
    WaitTimedOut,
    retry_after_seconds,
)

__all__ = [
    "DEFAULT_UPLOAD_THRESHOLD",
    "FINAL_STATUSES",
    "ApiError",
    "Client",
    "Job",
    "JobPage",
    "N2NError",
    "Problem",
    "Unreachable",
    "WaitTimedOut",
    "retry_after_seconds",
]
