"""`claw models --refresh`: merge the gateway's ``/v1/models`` into a cached catalog copy.

The gateway lists ``{"data": [{"id", "inputPrice", "outputPrice", ...}]}`` (prices in USD per
1M tokens, no payment needed). Known models get the gateway's current prices; unknown ones are
added (context and capabilities from the listing when present, conservative defaults otherwise)
so new models are usable without a release. The packaged data is never modified.
"""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path
from typing import Any

from clawcli.core._atomic import atomic_write_bytes
from clawcli.core.errors import NetworkError, UpstreamError
from clawcli.core.paths import private_dir

_NUM_KEYS = {
    "inputPrice": ("inputPrice", "input_price", "prompt_price"),
    "outputPrice": ("outputPrice", "output_price", "completion_price"),
    "contextWindow": ("contextWindow", "context_window", "context_length"),
    "maxOutput": ("maxOutput", "max_output", "maxTokens", "max_tokens"),
}


def _num(entry: dict[str, Any], key: str) -> float | None:
    for k in _NUM_KEYS[key]:
        v = entry.get(k)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < math.inf:
            return v
        if isinstance(v, str):
            try:
                f = float(v)
            except ValueError:
                continue
            if 0 <= f < math.inf:  # "inf" priced a model at infinity: every estimate became inf
                return f
    return None


def merge_listing(catalog_data: dict[str, Any], listing: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Merge a ``/v1/models`` listing into catalog data; returns (new data, {added, updated})."""
    entries = listing.get("data") if isinstance(listing, dict) else listing
    if not isinstance(entries, list):
        raise UpstreamError("the gateway's /v1/models answer has no model list", "try again later")
    data = json.loads(json.dumps(catalog_data))  # deep copy
    by_id = {m["id"]: m for m in data["models"]}
    virtual = {"auto", "eco", "premium", "free", "agentic"}
    added: list[str] = []
    updated: list[str] = []
    for e in entries:
        if not isinstance(e, dict) or not isinstance(e.get("id"), str):
            continue
        mid = e["id"].strip().lower()
        if mid in virtual or "/" not in mid:
            continue
        pin, pout = _num(e, "inputPrice"), _num(e, "outputPrice")
        if mid in by_id:
            m = by_id[mid]
            changed = False
            for key, val in (("inputPrice", pin), ("outputPrice", pout)):
                if val is not None and val != m[key]:
                    m[key] = val
                    changed = True
            if changed:
                updated.append(mid)
        elif pin is not None and pout is not None:
            caps = e.get("capabilities") if isinstance(e.get("capabilities"), dict) else {}
            m = {
                "id": mid,
                "name": str(e.get("name") or mid),
                "inputPrice": pin,
                "outputPrice": pout,
                "contextWindow": int(_num(e, "contextWindow") or 128_000),
                "maxOutput": int(_num(e, "maxOutput") or 4096),
                "aliases": [],
                "capabilities": {k: bool(caps.get(k)) for k in ("tools", "vision", "reasoning", "agentic")},
                "status": "active",
                "source": "gateway",
            }
            data["models"].append(m)
            by_id[mid] = m
            added.append(mid)
    return data, {"added": added, "updated": updated}


def refresh(gateway_url: str, cache_file: Path, timeout: float = 10.0) -> dict[str, list[str]]:
    import httpx

    url = gateway_url.rstrip("/") + "/v1/models"
    try:
        resp = httpx.get(url, timeout=timeout)
    except httpx.HTTPError as exc:
        raise NetworkError(f"cannot reach {url}: {exc}", "check your connection or CLAWCLI_GATEWAY_URL") from None
    if resp.status_code != 200:
        raise UpstreamError(f"{url} answered HTTP {resp.status_code}", "try again later")
    try:
        listing = resp.json()
    except ValueError:
        raise UpstreamError(f"{url} did not answer JSON") from None
    base = json.loads(resources.files("clawcli.data").joinpath("catalog.json").read_text("utf-8"))
    data, changes = merge_listing(base, listing)
    private_dir(cache_file.parent)
    atomic_write_bytes(cache_file, json.dumps(data, indent=1).encode("utf-8"))
    return changes
