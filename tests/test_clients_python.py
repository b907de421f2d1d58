"""LiteLLM and LangChain (`langchain-openai`) as clients of `claw serve` (issue 14 §9): plain
calls, streams, tool calls (streamed ones accumulated by the client), and the errors each
client raises for billing, "all attempts failed" and a stream cut short — against the gateway
emulator, the OpenAI Python SDK's own tests being in test_serve_e2e.py / test_client_signals.py."""

from __future__ import annotations

import json
import os

import pytest

pytestmark = pytest.mark.e2e
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # litellm must not fetch its price map
LONG = "Once upon a time there was a proxy that had to tell its clients the truth about every stream it relayed."
WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather of a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}


def get_weather(city: str) -> str:
    """Current weather of a city."""
    return f"sunny in {city}"


@pytest.fixture
def proxy(make_proxy, gw):
    gw.tool_calls = False
    yield make_proxy()
    gw.tool_calls = False
    gw.reply = None
    gw.clear_faults()


def user(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


# -- LiteLLM ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def litellm():
    import litellm as lib

    lib.telemetry = False
    return lib


def lcall(litellm, proxy, text: str, **kw):
    return litellm.completion(model="openai/auto", api_base=proxy.url + "/v1", api_key="unused",
                              messages=user(text), **kw)


def test_litellm_plain_and_stream(litellm, proxy):
    r = lcall(litellm, proxy, "hello litellm")
    assert r.choices[0].message.content.startswith("Hello from ") and r.choices[0].finish_reason == "stop"
    chunks = list(lcall(litellm, proxy, "stream to litellm", stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "stream to litellm" in text
    assert litellm.stream_chunk_builder(chunks).choices[0].message.content == text


def test_litellm_tool_calls_plain_and_streamed(litellm, proxy, gw):
    gw.tool_calls = True
    r = lcall(litellm, proxy, "weather in Paris?", tools=[WEATHER])
    call = r.choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather" and json.loads(call.function.arguments) == {"city": "Paris"}
    chunks = list(lcall(litellm, proxy, "weather in Paris, streamed?", tools=[WEATHER], stream=True))
    built = litellm.stream_chunk_builder(chunks).choices[0].message.tool_calls[0]
    assert built.function.name == "get_weather" and json.loads(built.function.arguments) == {"city": "Paris"}


def test_litellm_errors(litellm, proxy, gw):
    gw.inject("*", "402_billing", times=None)
    with pytest.raises(Exception) as caught:
        lcall(litellm, proxy, "no money")
    assert getattr(caught.value, "status_code", None) == 402
    assert "insufficient balance (payment required)" in str(caught.value)
    gw.clear_faults()
    gw.inject("*", "500", times=None)
    with pytest.raises(Exception) as caught:
        lcall(litellm, proxy, "everything fails")
    assert getattr(caught.value, "status_code", None) == 502
    assert len([r for r in proxy.log_records() if r["status"] != "ok"]) == 2  # one walk per call
    gw.clear_faults()
    gw.reply = LONG
    gw.inject("*", "truncate", times=None, after_chunks=3)
    with pytest.raises(Exception) as caught:
        for _ in lcall(litellm, proxy, "a story that breaks off", stream=True):
            pass
    assert "upstream_stream_truncated" in str(caught.value) or "stopped mid-answer" in str(caught.value)


# -- LangChain -------------------------------------------------------------------------------------
def chat(proxy, **kw):
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(model="auto", base_url=proxy.url + "/v1", api_key="unused", **kw)  # default max_retries=2


def test_langchain_plain_and_stream(proxy):
    llm = chat(proxy)
    assert llm.invoke("hello langchain").content.startswith("Hello from ")
    parts = [c.content for c in llm.stream("stream to langchain")]
    assert "stream to langchain" in "".join(parts) and len(parts) > 1


def test_langchain_tool_calls_plain_and_streamed(proxy, gw):
    gw.tool_calls = True
    llm = chat(proxy).bind_tools([get_weather])
    ai = llm.invoke("weather in Paris?")
    assert [(c["name"], c["args"]) for c in ai.tool_calls] == [("get_weather", {"city": "Paris"})]
    total = None
    for chunk in llm.stream("weather in Paris, streamed?"):
        total = chunk if total is None else total + chunk
    assert [(c["name"], c["args"]) for c in total.tool_calls] == [("get_weather", {"city": "Paris"})]


def test_langchain_errors(proxy, gw):
    import openai

    gw.inject("*", "402_billing", times=None)
    with pytest.raises(openai.APIStatusError) as caught:
        chat(proxy).invoke("no money")
    assert caught.value.status_code == 402 and caught.value.code == "insufficient_quota"
    gw.clear_faults()
    gw.inject("*", "500", times=None)
    with pytest.raises(openai.InternalServerError):
        chat(proxy).invoke("everything fails")
    assert len([r for r in proxy.log_records() if r["status"] != "ok"]) == 2  # LangChain's retries obeyed
    gw.clear_faults()
    gw.reply = LONG
    gw.inject("*", "truncate", times=None, after_chunks=3)
    with pytest.raises(openai.APIError) as caught:
        for _ in chat(proxy).stream("a story that breaks off"):
            pass
    assert caught.value.code == "upstream_stream_truncated"
