"""Validate a chat-completions body before anything is paid for.

A body the provider will reject costs money when it is rejected *after* the x402 payment, so
the proxy checks the documented subset of the OpenAI chat schema below and answers 400 in
OpenAI's error shape, with ``param`` naming the offending field (``messages[2].content``).
Unknown top-level keys pass through untouched (SDKs, LangChain, LiteLLM and OpenClaw all send
extras: ``store``, ``metadata``, ``stream_options``, vendor flags, ...); unknown keys inside
messages, tools and content parts pass too. README ("Request validation") lists the rules:

- ``messages``: a non-empty list of objects, at least one with role ``user``. ``role`` is one
  of system, developer, user, assistant, tool, function.
  - system/developer/user: ``content`` is a string or a non-empty list of parts;
  - assistant: ``content`` a string, a list of parts or null (with ``tool_calls`` or not);
    ``tool_calls`` a list of ``{"id", "type": "function", "function": {"name", "arguments": str}}``;
  - tool: ``content`` a string or a list of parts, ``tool_call_id`` a string;
  - function (legacy): ``name`` a string, ``content`` a string or null.
  - a part is ``{"type": ...}`` with type text/input_text/output_text/refusal (a string
    ``text``/``refusal``), image_url/input_image (``image_url`` a URL string or ``{"url": str}``),
    input_audio (an object), file/input_file (an object or a file id).
- ``model``: a string. ``stream``: a boolean. ``n``: 1.
- ``max_tokens``/``max_completion_tokens``: an integer 1..1,000,000; ``temperature`` 0..2;
  ``top_p`` 0..1; ``frequency_penalty``/``presence_penalty`` -2..2; ``top_logprobs`` 0..20;
  ``seed`` an integer; ``logprobs``/``parallel_tool_calls``/``store`` booleans; null means unset.
- ``stop``: a string or a list of at most 4 strings.
- ``tools``: a list of ``{"type": "function", "function": {"name": str, "parameters": object?,
  "description": str?}}`` (or ``{"type": "custom", "custom": {"name": str}}``).
- ``tool_choice``: none/auto/required, or ``{"type": "function", "function": {"name": str}}``
  (also ``allowed_tools``/``custom`` objects); anything but none/auto needs a non-empty ``tools``.
- ``response_format``: ``{"type": "text"|"json_object"}`` or ``{"type": "json_schema",
  "json_schema": {"name": str, "schema": object?}}``. ``stream_options``: an object.
- The body nests at most 254 levels of arrays/objects (orjson cannot re-serialise deeper ones).

Cheap by design (it runs on every request): one pass over the messages and the tool list, no
copies, and one orjson write as the depth probe.
"""

from __future__ import annotations

from typing import Any

import orjson

MAX_DEPTH = 254  # arrays + objects; orjson's writer limit
MAX_TOKENS = 1_000_000
ROLES = frozenset(("system", "developer", "user", "assistant", "tool", "function"))
TEXT_PARTS = {"text": "text", "input_text": "text", "output_text": "text", "refusal": "refusal"}
IMAGE_PARTS = frozenset(("image_url", "input_image"))
OBJECT_PARTS = frozenset(("input_audio", "file", "input_file"))
TOOL_CHOICES = frozenset(("none", "auto", "required"))
RESPONSE_FORMATS = frozenset(("text", "json_object", "json_schema"))
_INT_RANGES = {"max_tokens": (1, MAX_TOKENS), "max_completion_tokens": (1, MAX_TOKENS), "top_logprobs": (0, 20)}
_NUM_RANGES = {"temperature": (0.0, 2.0), "top_p": (0.0, 1.0), "frequency_penalty": (-2.0, 2.0),
               "presence_penalty": (-2.0, 2.0)}
_BOOLS = ("stream", "logprobs", "parallel_tool_calls", "store")


class InvalidRequest(Exception):
    """A body the provider would reject: 400 with ``param`` and an OpenAI error code."""

    def __init__(self, message: str, param: str, code: str = "invalid_value") -> None:
        super().__init__(message)
        self.message, self.param, self.code = message, param, code


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "an array"
    return "an object"


def _type_error(param: str, expected: str, got: Any) -> InvalidRequest:
    return InvalidRequest(f"'{param}' must be {expected}, not {_kind(got)}", param, "invalid_type")


def validate_chat(body: dict[str, Any]) -> bytes:
    """Raise :class:`InvalidRequest` for the first problem found in ``body`` (a parsed JSON object).
    Returns the body's canonical serialisation (:func:`canonical`, the depth check's probe), which
    the proxy's in-flight key reuses instead of serialising a 60 KB agent request again."""
    canon = canonical(body)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise InvalidRequest("'messages' is required: a non-empty list of chat messages", "messages",
                             "missing_messages")
    has_user = False
    for i, m in enumerate(messages):
        if _message(m, i) == "user":
            has_user = True
    if not has_user:
        raise InvalidRequest("'messages' has no message with role 'user'", "messages", "missing_user_message")
    model = body.get("model")
    if model is not None and not isinstance(model, str):
        raise InvalidRequest(f"model must be a string (a model id or a profile such as 'auto'), not {_kind(model)}",
                             "model", "invalid_type")
    _scalars(body)
    tools = body.get("tools")
    if tools is not None:
        _tools(tools)
    choice = body.get("tool_choice")
    if choice is not None:
        _tool_choice(choice)
        if not tools and choice not in ("none", "auto"):  # forces a call to a tool that was not given
            raise InvalidRequest(f"'tool_choice' {choice!r} needs 'tools'; send the tools or drop tool_choice"[:200],
                                 "tool_choice", "tool_choice_without_tools")
    fmt = body.get("response_format")
    if fmt is not None:
        _response_format(fmt)
    opts = body.get("stream_options")
    if opts is not None and not isinstance(opts, dict):
        raise _type_error("stream_options", "an object", opts)
    return canon


def canonical(body: Any) -> bytes:
    """``body`` as JSON with sorted keys; refuses bodies nested deeper than MAX_DEPTH before the
    proxy re-serialises them (the upstream request): orjson parses 1024 levels but writes only
    254, and a write error after parsing used to be a plain-text 500. orjson's own writer is the
    probe: ~4x cheaper than walking the containers in Python (an OpenClaw body with 14 tool
    schemas has ~230 of them), and its output is the in-flight key (``dedup.request_key``)."""
    try:
        return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # a parsed JSON body has nothing else orjson cannot write
        raise InvalidRequest(f"the request body nests more than {MAX_DEPTH} levels deep", "body",
                             "nesting_too_deep") from None


# messages ------------------------------------------------------------------------------------
def _message(m: Any, i: int) -> str:
    p = f"messages[{i}]"
    if not isinstance(m, dict):
        raise _type_error(p, "an object with 'role' and 'content'", m)
    role = m.get("role")
    if role is None:
        raise InvalidRequest(f"'{p}.role' is required", f"{p}.role", "missing_required_parameter")
    if not isinstance(role, str) or role not in ROLES:
        raise InvalidRequest(f"'{p}.role' must be one of {', '.join(sorted(ROLES))}, not {role!r}"[:300],
                             f"{p}.role")
    content = m.get("content")
    if role == "assistant":
        if content is not None:
            _content(content, f"{p}.content", allow_empty_list=True)
        calls = m.get("tool_calls")
        if calls is not None:
            _tool_calls(calls, f"{p}.tool_calls")
    elif role == "function":
        if not isinstance(m.get("name"), str):
            raise _type_error(f"{p}.name", "a string", m.get("name"))
        if content is not None and not isinstance(content, str):
            raise _type_error(f"{p}.content", "a string or null", content)
    else:
        if "content" not in m:
            raise InvalidRequest(f"'{p}.content' is required", f"{p}.content", "missing_required_parameter")
        _content(content, f"{p}.content")
        if role == "tool" and not isinstance(m.get("tool_call_id"), str):
            raise _type_error(f"{p}.tool_call_id", "a string (the id of the tool call it answers)",
                              m.get("tool_call_id"))
    name = m.get("name")
    if name is not None and not isinstance(name, str):
        raise _type_error(f"{p}.name", "a string", name)
    return role


def _content(content: Any, p: str, allow_empty_list: bool = False) -> None:
    if isinstance(content, str):
        return
    if not isinstance(content, list):
        raise _type_error(p, "a string or an array of content parts", content)
    if not content and not allow_empty_list:
        raise InvalidRequest(f"'{p}' must not be an empty array", p)
    for j, part in enumerate(content):
        _part(part, f"{p}[{j}]")


def _part(part: Any, p: str) -> None:
    if not isinstance(part, dict):
        raise _type_error(p, "a content part object ({'type': 'text', 'text': ...})", part)
    t = part.get("type")
    field = TEXT_PARTS.get(t) if isinstance(t, str) else None
    if field is not None:
        if not isinstance(part.get(field), str):
            raise _type_error(f"{p}.{field}", "a string", part.get(field))
    elif t in IMAGE_PARTS:
        img = part.get(t) if t in part else part.get("image_url")
        url = img.get("url") if isinstance(img, dict) else img
        if not isinstance(url, str):
            raise _type_error(f"{p}.{t}", "a URL string or an object with a 'url' string", img)
    elif t in OBJECT_PARTS:
        v = part.get(t)
        if not isinstance(v, (dict, str)):
            raise _type_error(f"{p}.{t}", "an object", v)
    else:
        known = sorted([*TEXT_PARTS, *IMAGE_PARTS, *OBJECT_PARTS])
        raise InvalidRequest(f"'{p}.type' must be one of {', '.join(known)}, not {t!r}"[:300], f"{p}.type")


def _tool_calls(calls: Any, p: str) -> None:
    if not isinstance(calls, list):
        raise _type_error(p, "an array", calls)
    for k, c in enumerate(calls):
        q = f"{p}[{k}]"
        if not isinstance(c, dict):
            raise _type_error(q, "an object", c)
        if not isinstance(c.get("id"), str):
            raise _type_error(f"{q}.id", "a string", c.get("id"))
        fn = c.get("function")
        if not isinstance(fn, dict):
            raise _type_error(f"{q}.function", "an object with 'name' and 'arguments'", fn)
        if not isinstance(fn.get("name"), str):
            raise _type_error(f"{q}.function.name", "a string", fn.get("name"))
        if not isinstance(fn.get("arguments"), str):
            raise _type_error(f"{q}.function.arguments", "a JSON string", fn.get("arguments"))


# parameters ----------------------------------------------------------------------------------
def _scalars(body: dict[str, Any]) -> None:
    for key in _BOOLS:
        v = body.get(key)
        if v is not None and not isinstance(v, bool):
            raise InvalidRequest(f"'{key}' must be true or false, not {v!r}"[:200], key,
                                 "invalid_stream" if key == "stream" else "invalid_type")
    for key, (lo, hi) in _INT_RANGES.items():
        v = body.get(key)
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int):
            raise _type_error(key, "an integer", v)
        if not lo <= v <= hi:
            raise InvalidRequest(f"'{key}' must be between {lo} and {hi:,}, not {v}", key)
    for key, (flo, fhi) in _NUM_RANGES.items():
        v = body.get(key)
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise _type_error(key, "a number", v)
        if not flo <= v <= fhi:  # NaN fails this too
            raise InvalidRequest(f"'{key}' must be between {flo:g} and {fhi:g}, not {v}", key)
    n = body.get("n")
    if n is not None and (isinstance(n, bool) or n != 1):
        raise InvalidRequest(f"'n' must be 1 (claw serve pays for one answer per request), not {n!r}"[:200], "n")
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise _type_error("seed", "an integer", seed)
    stop = body.get("stop")
    if stop is not None and not isinstance(stop, str) and (
            not isinstance(stop, list) or len(stop) > 4 or not all(isinstance(s, str) for s in stop)):
        raise _type_error("stop", "a string or an array of at most 4 strings", stop)


def _tools(tools: Any) -> None:
    if not isinstance(tools, list):
        raise _type_error("tools", "an array of tool definitions", tools)
    for i, t in enumerate(tools):
        p = f"tools[{i}]"
        if not isinstance(t, dict):
            raise _type_error(p, "an object ({'type': 'function', 'function': {...}})", t)
        kind = t.get("type")
        if kind == "function":
            fn = t.get("function")
            if not isinstance(fn, dict):
                raise _type_error(f"{p}.function", "an object with a 'name'", fn)
            name = fn.get("name")
            if not isinstance(name, str) or not name:
                raise _type_error(f"{p}.function.name", "a non-empty string", name)
            params = fn.get("parameters")
            if params is not None and not isinstance(params, dict):
                raise _type_error(f"{p}.function.parameters", "a JSON Schema object", params)
            desc = fn.get("description")
            if desc is not None and not isinstance(desc, str):
                raise _type_error(f"{p}.function.description", "a string", desc)
        elif kind == "custom":
            custom = t.get("custom")
            if not isinstance(custom, dict) or not isinstance(custom.get("name"), str):
                raise _type_error(f"{p}.custom", "an object with a 'name'", custom)
        else:
            raise InvalidRequest(f"'{p}.type' must be 'function' (or 'custom'), not {kind!r}"[:200], f"{p}.type")


def _tool_choice(choice: Any) -> None:
    if isinstance(choice, str):
        if choice not in TOOL_CHOICES:
            raise InvalidRequest(f"'tool_choice' must be none, auto, required or an object, not {choice!r}"[:200],
                                 "tool_choice")
        return
    if not isinstance(choice, dict):
        raise _type_error("tool_choice", "'none', 'auto', 'required' or an object", choice)
    kind = choice.get("type")
    if kind in ("function", "custom"):
        inner = choice.get(kind)
        if not isinstance(inner, dict) or not isinstance(inner.get("name"), str):
            raise _type_error(f"tool_choice.{kind}", "an object with a 'name'", inner)
    elif kind == "allowed_tools":
        if not isinstance(choice.get("allowed_tools"), dict):
            raise _type_error("tool_choice.allowed_tools", "an object", choice.get("allowed_tools"))
    else:
        raise InvalidRequest(f"'tool_choice.type' must be function, custom or allowed_tools, not {kind!r}"[:200],
                             "tool_choice.type")


def _response_format(fmt: Any) -> None:
    if not isinstance(fmt, dict):
        raise _type_error("response_format", "an object such as {'type': 'json_object'}", fmt)
    kind = fmt.get("type")
    if kind not in RESPONSE_FORMATS:
        raise InvalidRequest(f"'response_format.type' must be text, json_object or json_schema, not {kind!r}"[:200],
                             "response_format.type")
    if kind == "json_schema":
        js = fmt.get("json_schema")
        if not isinstance(js, dict) or not isinstance(js.get("name"), str):
            raise _type_error("response_format.json_schema", "an object with a 'name'", js)
        schema = js.get("schema")
        if schema is not None and not isinstance(schema, dict):
            raise _type_error("response_format.json_schema.schema", "a JSON Schema object", schema)
