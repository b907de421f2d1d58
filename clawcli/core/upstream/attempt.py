"""One attempt: one model, one request to the gateway (plus its paid resend after a 402).

Every way an attempt can fail ends as an :class:`AttemptFailed` carrying a classified
:class:`Attempt` (the chain walk moves on), except the failures that belong to the caller:
a plain bad request, a spend-policy refusal and a strict cost cap are raised as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clawcli.core.catalog import Catalog
from clawcli.core.errors import BadRequestError
from clawcli.core.ticker import Ticker
from clawcli.core.upstream import classify as errors
from clawcli.core.upstream.gateway_client import (
    GatewayClient,
    GatewayConnectError,
    GatewayConnectionLost,
    GatewayResponse,
    GatewayTimeout,
)
from clawcli.core.upstream.payment import Payments
from clawcli.core.upstream.relay import read_answer
from clawcli.core.upstream.request_state import AttemptFailed, OpenAnswer, RequestState
from clawcli.core.upstream.types import Attempt, Timeouts
from clawcli.core.upstream.wire import dumps, retry_after, short

_JSON_HEADERS = {"content-type": "application/json", "accept": "application/json"}
_SSE_HEADERS = {"content-type": "application/json", "accept": "text/event-stream"}
#: attempt errors that go back to the caller and are still listed in the request's attempts
_CALLER_CLASSES = (errors.POLICY, errors.BAD_REQUEST, errors.COST_CAP)


class AttemptRunner:
    """Runs single attempts against one gateway. One per engine."""

    def __init__(self, client: GatewayClient, payments: Payments, catalog: Catalog, timeouts: Timeouts,
                 clock: Callable[[], float], base_url: str, ticker: Ticker | None = None) -> None:
        self.client = client
        # the attempt's time limit (seconds to minutes) on the engine's ticker: no timer per attempt
        self.ticker = ticker if ticker is not None else Ticker()
        self.payments = payments
        self.catalog = catalog
        self.timeouts = timeouts
        self.clock = clock
        self.base_url = base_url
        # the two fixed header sets in the client's own form, built once (aiohttp: a CIMultiDict,
        # which it copies as it is instead of converting a dict on every request)
        prepare = getattr(client, "prepare_headers", None)
        self._json_headers = prepare(_JSON_HEADERS) if prepare is not None else _JSON_HEADERS
        self._sse_headers = prepare(_SSE_HEADERS) if prepare is not None else _SSE_HEADERS

    def time_limit(self, model: str) -> float:
        info = self.catalog.get(model)
        t = self.timeouts
        return t.reasoning_attempt if (info is not None and info.reasoning) else t.attempt

    async def run(self, model: str, request: dict[str, Any], state: RequestState, streaming: bool,
                  deadline: float) -> OpenAnswer:
        attempt = Attempt(model)
        started = self.clock()
        budget = min(self.time_limit(model), deadline - started)
        resp: GatewayResponse | None = None
        body = dict(request)
        body["model"] = model
        body["stream"] = streaming
        if not streaming:
            body.pop("stream_options", None)
        payload = dumps(body)
        headers = self._sse_headers if streaming else self._json_headers
        try:
            async with self.ticker.timeout(budget):
                resp = await self.payments.send(payload, headers, model, attempt, state)
                attempt.status = resp.status
                if not 200 <= resp.status < 300:
                    text = (await resp.read()).decode("utf-8", "replace")
                    raise self._http_failure(attempt, resp, text)
                opened = await read_answer(resp, attempt, model, streaming, self.timeouts.hold_chars)
                if opened.response is None:
                    await resp.close()
                attempt.ms = self._ms_since(started)
                return opened
        except AttemptFailed as failed:
            failed.attempt.ms = self._ms_since(started)
            await _close(resp)
            raise
        except TimeoutError:
            attempt.error_class, attempt.reason = errors.NETWORK, f"timed out after {budget:.3g}s"
            attempt.ms = self._ms_since(started)
            await _close(resp)
            raise AttemptFailed(attempt) from None
        except GatewayConnectError as exc:
            attempt.error_class, attempt.ms = errors.NETWORK, self._ms_since(started)
            attempt.reason = f"cannot connect to {self.base_url}: {short(exc)}"
            raise AttemptFailed(attempt) from None
        except GatewayTimeout as exc:
            attempt.error_class, attempt.reason = errors.NETWORK, f"timeout ({exc.kind})"
            attempt.ms = self._ms_since(started)
            await _close(resp)
            raise AttemptFailed(attempt) from None
        except GatewayConnectionLost as exc:
            attempt.error_class, attempt.reason = errors.NETWORK, f"connection lost: {short(exc)}"
            attempt.ms = self._ms_since(started)
            await _close(resp)
            raise AttemptFailed(attempt) from None
        except BaseException:
            attempt.ms = self._ms_since(started)
            await _close(resp)
            if attempt.error_class in _CALLER_CLASSES:
                state.attempts.append(attempt)
            raise

    @staticmethod
    def _http_failure(attempt: Attempt, resp: GatewayResponse, text: str) -> Exception:
        cls = errors.classify_error(resp.status, text)
        attempt.reason = errors.error_message(resp.status, text)
        if cls is None:
            attempt.error_class = errors.BAD_REQUEST
            return BadRequestError(f"the gateway rejected the request ({resp.status}): {attempt.reason}",
                                   "check the request parameters; no model was charged")
        attempt.error_class = cls
        return AttemptFailed(attempt, retry_after=retry_after(resp.headers.get("retry-after")))

    def _ms_since(self, started: float) -> int:
        return int((self.clock() - started) * 1000)


async def _close(resp: GatewayResponse | None) -> None:
    if resp is not None:
        await resp.close()
