"""Test-wide settings: a derandomised hypothesis profile, loaded by default.

"ci" makes every property test draw the same examples on every run and
machine (derandomize), never fails a slow example on time (deadline=None:
the shared CI machine is slow and noisy), and keeps the number of examples
modest so the whole suite stays fast.
"""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci")
