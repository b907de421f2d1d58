"""clawcli: a local, explainable, pay-per-request LLM router."""

__version__ = "0.1.0"
