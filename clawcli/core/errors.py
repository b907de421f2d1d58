"""The exception hierarchy of clawcli.

Every *expected* failure (bad input, a refused payment, an unreachable gateway) is a
``ClawError``. The CLI turns one into a single red line plus an optional hint and exits
with ``exit_code``; the proxy turns one into an OpenAI-shaped error body. Anything that is
not a ``ClawError`` is a bug and shows a traceback only with ``--debug``.

    ClawError                       exit 1
    ├── UsageError                  exit 2: the command line itself is wrong
    ├── ConfigError                 config.toml or an environment variable is invalid
    ├── CatalogError
    │   └── UnknownModelError       a model id or alias that resolves to nothing
    ├── RouterError                 a request the router cannot read (no messages, ...)
    │   └── ModelCapabilityError    exit 2: an explicit model that cannot take the input (images)
    ├── WalletError                 missing / malformed / existing key files
    ├── PaymentError                x402: cannot pay, payment rejected
    │   └── PolicyRefusal           the pre-sign spend policy said no
    ├── UpstreamError               the gateway could not answer
    │   ├── BadRequestError         the gateway says the request itself is wrong
    │   └── AllAttemptsFailed       every model of the chain failed (carries the attempts)
    └── NetworkError                could not reach an RPC / gateway at all

Messages never contain secrets: a key or mnemonic must never be formatted into one.
"""

from __future__ import annotations

from typing import Any


class ClawError(Exception):
    """An expected failure with a one-line message and an optional hint."""

    exit_code = 1
    #: short machine-readable code, used in JSON errors and the proxy's error bodies
    code = "claw_error"

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": self.message, "code": self.code}
        if self.hint:
            out["hint"] = self.hint
        return out


class UsageError(ClawError):
    exit_code = 2
    code = "usage_error"


class ConfigError(ClawError):
    code = "config_error"


class CatalogError(ClawError):
    code = "catalog_error"


class UnknownModelError(CatalogError):
    code = "unknown_model"

    def __init__(self, model: str, suggestions: list[str] | None = None) -> None:
        self.model = model
        self.suggestions = list(suggestions or [])
        hint = (
            "did you mean: " + ", ".join(self.suggestions) + "?"
            if self.suggestions
            else "run `claw models` to list the known models"
        )
        super().__init__(f"unknown model {model!r}", hint)


class RouterError(ClawError):
    code = "router_error"


class ModelCapabilityError(RouterError):
    """An explicitly chosen model cannot take the request's input (images for a text-only model):
    refused before paying, since the provider would reject it after payment."""

    exit_code = 2
    code = "model_lacks_capability"
    param = "messages"  # the proxy's OpenAI error names the request field at fault


class WalletError(ClawError):
    code = "wallet_error"


class PaymentError(ClawError):
    code = "payment_error"


class PolicyRefusal(PaymentError):
    """The pre-sign spend policy refused to sign. Never retried silently."""

    code = "policy_refused"


class UpstreamError(ClawError):
    code = "upstream_error"


class BadRequestError(UpstreamError):
    code = "bad_request"


class AllAttemptsFailed(UpstreamError):
    code = "all_attempts_failed"

    def __init__(self, message: str, attempts: list[dict[str, Any]], hint: str | None = None):
        super().__init__(message, hint)
        self.attempts = attempts

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["attempts"] = self.attempts
        return out


class NetworkError(ClawError):
    code = "network_error"
