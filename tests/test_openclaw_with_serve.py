"""What `claw inject-openclaw` writes must work against what `claw serve` answers.

OpenClaw sends each model's `maxTokens` as `max_tokens`; the gateway quotes (and we pay) the
whole output reservation, so an injected model must be callable under the default spend policy."""

from __future__ import annotations

import json

import httpx
from typer.testing import CliRunner

from clawcli.cli.main import app
from clawcli.core.catalog import default_catalog
from clawcli.core.config import load_settings
from clawcli.core.openclaw._entries import model_entries
from clawcli.core.paths import Paths


def test_every_injected_model_fits_the_default_per_request_cap() -> None:
    catalog = default_catalog()
    cap = load_settings(Paths.from_env({}), env={}).max_per_request
    for e in model_entries(catalog):
        m = catalog.models.get(e["id"])
        if m is None:
            continue  # a routing profile: its bounds are tested in test_openclaw_core
        # 4k tokens of prompt plus the full output reservation OpenClaw asks for, with the
        # gateway's 1.2 margin: what one call is quoted
        quote = (4000 * m.input_price + e["maxTokens"] * m.output_price) / 1e6 * 1.2
        assert quote < cap, (e["id"], e["maxTokens"], quote, cap)


def test_openclaw_requests_as_injected_are_answered_by_serve(make_proxy, gw) -> None:  # noqa: F811
    proxy = make_proxy()
    port = int(proxy.url.rsplit(":", 1)[1])
    res = CliRunner().invoke(app, ["inject-openclaw", "--port", str(port), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    cfg = json.loads(open(out["configPath"]).read())
    provider = cfg["models"]["providers"]["clawcli"]
    assert provider["baseUrl"] == proxy.url + "/v1"
    served = {m["id"] for m in httpx.get(provider["baseUrl"] + "/models", timeout=10).json()["data"]}
    for entry in provider["models"]:
        assert entry["id"] in served
        # what OpenClaw sends for "clawcli/<id>": the bare id and the model's maxTokens
        r = httpx.post(provider["baseUrl"] + "/chat/completions", timeout=30,
                       headers={"authorization": f"Bearer {provider['apiKey']}"} if "apiKey" in provider else {},
                       json={"model": entry["id"], "max_tokens": entry["maxTokens"],
                             "messages": [{"role": "user", "content": f"hello {entry['id']}"}]})
        assert r.status_code == 200, (entry["id"], r.text[:300])
