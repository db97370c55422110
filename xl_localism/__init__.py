"""xl-localism: score probation trusts' readiness for the local performance framework."""

__version__ = "0.1.0"
