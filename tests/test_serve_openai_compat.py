"""`claw serve` as the OpenAI SDK sees it: models.retrieve works, a malformed model field is a 400 and
nothing is paid."""

from __future__ import annotations

import httpx
import pytest


def test_openai_sdk_models_retrieve(make_proxy) -> None:
    """`client.models.retrieve(id)` (GET /v1/models/{id}) works for profiles, prefixed profiles
    and slash-containing model ids; an unknown id is a 404 in the OpenAI error shape."""
    from openai import NotFoundError, OpenAI

    proxy = make_proxy()
    client = OpenAI(base_url=proxy.url + "/v1", api_key="unused", max_retries=0)
    assert client.models.retrieve("auto").id == "auto"
    assert client.models.retrieve("clawcli/eco").id == "clawcli/eco"
    m = client.models.retrieve("anthropic/claude-sonnet-4.6")
    assert m.id == "anthropic/claude-sonnet-4.6" and m.owned_by == "anthropic"
    with pytest.raises(NotFoundError):
        client.models.retrieve("nope/not-a-model")
    r = httpx.get(proxy.url + "/v1/models/nope", timeout=10)
    assert r.status_code == 404 and r.json()["error"]["code"] == "model_not_found"


@pytest.mark.parametrize("model", [5, ["auto"], {"id": "auto"}, True])
def test_a_non_string_model_is_a_400_and_nothing_is_paid(make_proxy, gw, model) -> None:
    proxy = make_proxy()
    r = proxy.post({"model": model, "messages": [{"role": "user", "content": "hi"}]})
    assert r.status_code == 400 and "model must be a string" in r.json()["error"]["message"]
    assert gw.chat_requests() == [] and gw.paid_total() == 0
