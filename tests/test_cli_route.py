"""`claw route` and `claw models` as a user runs them."""

import json

from typer.testing import CliRunner

from clawcli.cli.main import app

runner = CliRunner()


def run(*args, input=None):
    return runner.invoke(app, list(args), input=input)


def test_version_and_help_with_examples():
    r = run("--version")
    assert r.exit_code == 0 and r.output.startswith("claw ")
    r = run("route", "--help")
    assert r.exit_code == 0 and "--explain" in r.output and "Examples" in r.output


def test_route_prints_tier_model_cost_and_chain():
    r = run("route", "Prove that sqrt(2) is irrational")
    assert r.exit_code == 0, r.output
    assert "REASONING" in r.output and "chain" in r.output and "savings" in r.output


def test_route_explain_shows_dimensions_and_matched_terms():
    r = run("route", "--explain", "Prove that sqrt(2) is irrational")
    assert r.exit_code == 0
    assert "contribution" in r.output and "matched" in r.output


def test_route_json_shape():
    r = run("route", "--json", "What is the capital of Peru?")
    d = json.loads(r.stdout)
    assert d["tier"] == "SIMPLE"
    assert d["model"] == d["chain"][0]
    assert 0 <= d["savings"] <= 1 and isinstance(d["score"], float)


def test_route_flags_tools_system_max_tokens_profile():
    r = run("route", "--json", "--tools", "2", "--max-tokens", "100", "-p", "eco", "-s", "be brief", "hello")
    d = json.loads(r.stdout)
    assert d["profile"] == "eco" and d["maxTokens"] == 100


def test_route_messages_from_stdin():
    body = {"model": "premium", "messages": [{"role": "user", "content": "Design Twitter's timeline for 500M users"}]}
    r = run("route", "--json", "--messages", "-", input=json.dumps(body))
    d = json.loads(r.stdout)
    assert d["profile"] == "premium" and d["tier"] in ("COMPLEX", "REASONING")


def test_batch_echoes_ids_one_line_each(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "prompt": "hi"}\n\n{"id": "b", "messages": [{"role": "user", "content": "Prove it"}]}\n')
    r = run("route", "--batch", str(src))
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["id"] for x in lines] == [1, "b"]
    assert all("tier" in x and "score" in x for x in lines)


def test_batch_bad_line_becomes_an_error_record_and_the_batch_goes_on(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "prompt": "hi"}\n{"id": 2, "prompt": \n{"id": 3, "prompt": ""}\n'
                   '[1]\n{"id": 5, "prompt": "Prove it"}\n')
    for jobs in ("1", "2"):
        r = run("route", "--batch", str(src), "--jobs", jobs)
        assert r.exit_code == 1  # at the end, after every line was written
        out = [json.loads(x) for x in r.stdout.splitlines()]
        assert [x.get("id") for x in out] == [1, None, 3, None, 5]
        assert "tier" in out[0] and "tier" in out[4]
        assert out[1]["line"] == 2 and "invalid JSON" in out[1]["error"] and "tier" not in out[1]
        assert out[2] == {"id": 3, "line": 3, "error": "line 3: no prompt", "code": "claw_error",
                          "hint": out[2]["hint"]}
        assert out[3]["line"] == 4 and "expected a JSON object" in out[3]["error"]
        assert "3 of 5 lines could not be routed (line 2, 3, 4)" in r.stderr


def test_bad_input_is_one_clear_line():
    for args, code, text in [
        (("route", "   "), 2, "empty"),
        (("route", "-m", "gpt-17-ultra", "hi"), 2, "unknown model"),
        (("route", "-p", "cheapest", "hi"), 2, "unknown profile"),
        (("route", "--messages", "-"), 1, "invalid JSON"),
        (("route", "--messages", "/no/such/file.json"), 2, "cannot read"),  # a usage error
    ]:
        r = run(*args, input="{oops")
        assert r.exit_code == code, (args, r.output)
        assert text in r.stderr, (args, r.stderr)
        assert "Traceback" not in r.output
        assert len([line for line in r.stderr.splitlines() if line.startswith("error:")]) == 1


def test_messages_that_serve_would_refuse_are_an_error_not_a_route():
    """`claw route --messages` is the dry run of `claw serve`: a body serve answers 400 (before paying)
    must not get a tier and a cost here either."""
    for body, text in [
        ({"messages": [{"role": "user", "content": 12345}]}, "messages[0].content"),
        ({"messages": [{"role": "system", "content": "be brief"}]}, "no message with role 'user'"),
        ({"messages": [{"role": "user", "content": "hi"}], "n": 3}, "'n' must be 1"),
    ]:
        r = run("route", "--json", "--messages", "-", input=json.dumps(body))
        assert r.exit_code == 1, (body, r.output)
        assert text in r.stderr and "would refuse" in r.stderr and "tier" not in r.stdout
        assert len([line for line in r.stderr.splitlines() if line.startswith("error:")]) == 1


def test_models_json_and_table():
    r = run("models", "--json")
    rows = json.loads(r.stdout)
    assert len(rows) == 44
    assert {"id", "aliases", "inputPrice", "outputPrice", "contextWindow", "capabilities"} <= set(rows[0])
    r = run("models")
    assert r.exit_code == 0 and "gemini-2.5-flash" in r.output
    r = run("models", "--profiles", "--json")
    assert set(json.loads(r.stdout)) == {"auto", "eco", "premium", "free", "agentic"}


def test_parallel_batch_matches_serial_and_keeps_order():
    from clawcli.core.catalog import default_catalog
    from clawcli.core.router import batch

    data = b"\n".join(b'{"id": %d, "prompt": "question number %d: what is %d + %d?"}' % (i, i, i, i) for i in range(40))
    serial = batch.route_jsonl(data, catalog=default_catalog(), jobs=1)
    old = batch._CHUNK
    batch._CHUNK = 7  # several chunks across the workers
    try:
        parallel = batch.route_jsonl(data, catalog=default_catalog(), jobs=2)
        assert parallel == serial
        bad = data + b'\n{"id": 99, "prompt": ""}'
        import pytest

        from clawcli.core.errors import ClawError

        with pytest.raises(ClawError) as ei:
            batch.route_jsonl(bad, catalog=default_catalog(), jobs=2)
        assert ei.value.message.startswith("line 41: no prompt")
    finally:
        batch._CHUNK = old
    assert [json.loads(x)["id"] for x in serial] == list(range(40))


def test_batch_keeps_lines_with_unicode_line_separators(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("{\"id\": 1, \"prompt\": \"a\u2028b\x85c\"}\n", encoding="utf-8")
    r = run("route", "--batch", str(src))
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["id"] == 1
