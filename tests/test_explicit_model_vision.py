"""An explicit model without vision and an image: refused before anything is sent or paid
(the provider rejects the image after the gateway was paid), in `claw ask` and `claw serve`."""

from __future__ import annotations

import httpx
import pytest
from _cli_gateway import tiny_png
from typer.testing import CliRunner

from clawcli.cli.main import app
from clawcli.core.catalog import default_catalog

KEY = "0x" + "5d" * 32
TEXT_ONLY = "deepseek/deepseek-chat"
runner = CliRunner()




@pytest.fixture
def cli_gw(gw, monkeypatch):
    monkeypatch.setenv("CLAWCLI_GATEWAY_URL", gw.url)
    monkeypatch.setenv("CLAWCLI_BASE_RPC_URL", gw.rpc_url)
    monkeypatch.setenv("CLAWCLI_WALLET_KEY", KEY)
    gw.clear_requests()
    return gw


def test_the_text_only_model_of_these_tests_really_has_no_vision():
    assert default_catalog().get(TEXT_ONLY).vision is False


def test_ask_refuses_an_image_for_an_explicit_text_only_model_before_paying(cli_gw, tmp_path):
    img = tmp_path / "p.png"
    img.write_bytes(tiny_png())
    res = runner.invoke(app, ["ask", "-m", TEXT_ONLY, "-a", str(img), "What is in this picture?"])
    assert res.exit_code == 2, res.stderr
    assert "cannot read images" in res.stderr and "claw models" in res.stderr
    assert "Traceback" not in res.stderr
    assert cli_gw.requests == []  # nothing sent, nothing paid


def test_ask_with_an_explicit_vision_model_and_an_image_still_answers(cli_gw, tmp_path):
    img = tmp_path / "p.png"
    img.write_bytes(tiny_png())
    res = runner.invoke(app, ["ask", "--no-stream", "-m", "openai/gpt-4o", "-a", str(img), "What is this?"])
    assert res.exit_code == 0, res.stderr
    assert cli_gw.chat_requests()[-1].body["model"] == "openai/gpt-4o"


def test_serve_refuses_image_parts_for_an_explicit_text_only_model_with_a_400(make_proxy, gw):
    proxy = make_proxy()
    gw.clear_requests()
    body = {"model": TEXT_ONLY, "messages": [{"role": "user", "content": [
        {"type": "text", "text": "What is in this picture?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]}]}
    r = httpx.post(proxy.url + "/v1/chat/completions", json=body, timeout=10)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["type"] == "invalid_request_error" and err["param"] == "messages"
    assert "cannot read images" in err["message"]
    assert gw.requests == [] and gw.paid_requests() == []  # refused before the gateway saw (or was paid for) anything
