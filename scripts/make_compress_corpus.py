#!/usr/bin/env python3
"""Build the compression benchmark corpus from real material on this machine (no network).

Each line of ``benchmarks/data/compress-corpus.jsonl`` is one OpenAI chat-completions request as a
coding agent sends it mid-task: a system prompt, the user's task (in one of the 9 router
languages), and the agent's tool calls with their *real* results:

- ``read_file``: source files, METADATA/README files of installed Python packages, and a YAML file
  made from a package's real metadata;
- ``run_command``: real ``pytest`` runs (a small project with a bug, before and after the fix),
  ``pip show -f`` / ``pip list`` / ``pip freeze`` / ``pip check``, ``ls -la`` of package folders;
- ``fetch_json``: pretty-printed JSON (botocore service models, package metadata as JSON);
- the repetition agents really produce: a file read again after a failed edit, a command re-run,
  the user re-sending a message, the assistant quoting code in a fence.

Each session is sampled at several points (an agent resends the whole history every call), so the
corpus holds growing snapshots of the same conversations. Deterministic for a given machine:
``python scripts/make_compress_corpus.py [--out PATH] [--sessions N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import sysconfig
import tempfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = Path(sysconfig.get_paths()["purelib"])
MAX_FILE_LINES = 160

SYSTEM_PROMPT = """You are a coding agent working in the user's repository through tools.
Tools: read_file(path) returns a file's text; write_file(path, content) replaces a file;
run_command(command) runs a shell command and returns stdout+stderr and the exit code;
list_dir(path) lists a directory; fetch_json(url) returns a JSON document.
Rules: read a file before you change it; keep edits minimal; run the tests after every change;
never run destructive commands (rm -rf, git push --force) without asking; report what you did
and what is left. Prefer the standard library. Keep answers short; show code only when asked.
When a command fails, read the error, fix the cause, and run it again."""

TASKS = {
    "en": ["The tests in calc fail after my refactor. Find out why and fix it, then run the suite.",
           "Check which version of {pkg} we have installed and whether anything depends on it.",
           "Look at how {pkg} handles {topic} and write me a short summary with file references."],
    "zh": ["我重构之后 calc 的测试失败了。请找出原因并修复，然后运行测试。",
           "检查一下我们安装的 {pkg} 是哪个版本，有没有别的包依赖它。"],
    "ja": ["リファクタリング後に calc のテストが失敗します。原因を調べて修正し、テストを実行してください。",
           "{pkg} のバージョンと、それに依存しているパッケージを確認してください。"],
    "ru": ["После рефакторинга тесты calc падают. Найди причину, исправь и запусти тесты.",
           "Проверь, какая версия {pkg} установлена и что от неё зависит."],
    "de": ["Nach meinem Refactoring schlagen die Tests in calc fehl. Finde die Ursache, behebe sie und führe die Tests aus.",
           "Prüfe, welche Version von {pkg} installiert ist und was davon abhängt."],
    "es": ["Los tests de calc fallan después de mi refactorización. Encuentra la causa, arréglala y ejecuta los tests.",
           "Revisa qué versión de {pkg} tenemos instalada y qué paquetes dependen de ella."],
    "pt": ["Os testes de calc falham depois da minha refatoração. Descubra a causa, corrija e rode os testes.",
           "Veja qual versão do {pkg} está instalada e o que depende dela."],
    "ko": ["리팩터링 후 calc 테스트가 실패합니다. 원인을 찾아 고치고 테스트를 실행해 주세요.",
           "설치된 {pkg} 버전과 그것에 의존하는 패키지를 확인해 주세요."],
    "ar": ["تفشل اختبارات calc بعد إعادة الهيكلة. ابحث عن السبب وأصلحه ثم شغّل الاختبارات.",
           "تحقق من إصدار {pkg} المثبت وما الذي يعتمد عليه."],
}
TOPICS = ["timeouts", "retries", "configuration loading", "error handling", "connection pooling", "parsing"]
FOLLOW_UPS = ["Ok. Now also check the imports in that module.", "Good. Is there anything else that looks wrong?",
              "Please continue.", "Can you double-check the edge cases?", "Now run the whole suite once more."]

CALC_BUGGY = '''"""A tiny calculator module (the agent's fixture project)."""


def add(a, b):
    return a + b


def mean(values):
    if not values:
        raise ValueError("mean of an empty list")
    return sum(values) / (len(values) - 1)


def clamp(x, low, high):
    return max(low, min(x, high))


def parse_ratio(text):
    num, den = text.split("/")
    return int(num) / int(den)
'''
CALC_FIXED = CALC_BUGGY.replace("(len(values) - 1)", "len(values)")
TEST_CALC = '''import pytest

from calc import add, clamp, mean, parse_ratio


def test_add():
    assert add(2, 3) == 5


def test_mean_simple():
    assert mean([1, 2, 3]) == 2


def test_mean_single():
    assert mean([4]) == 4


def test_mean_empty():
    with pytest.raises(ValueError):
        mean([])


@pytest.mark.parametrize("x,expected", [(-1, 0), (5, 5), (11, 10)])
def test_clamp(x, expected):
    assert clamp(x, 0, 10) == expected


def test_parse_ratio():
    assert parse_ratio("3/4") == 0.75
'''


def sh(cmd: list[str], cwd: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAWCLI_", "PYTEST_"))}
    env["COLUMNS"] = "100"
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=120)
    return (p.stdout + p.stderr).rstrip("\n") + f"\n[exit code {p.returncode}]"


def collect_material(rng: random.Random) -> dict:
    mat: dict = {}
    with tempfile.TemporaryDirectory() as d:
        Path(d, "calc.py").write_text(CALC_BUGGY)
        Path(d, "test_calc.py").write_text(TEST_CALC)
        py = sys.executable
        mat["pytest_fail_q"] = sh([py, "-m", "pytest", "-q", "-p", "no:cacheprovider"], d)
        mat["pytest_fail_v"] = sh([py, "-m", "pytest", "-v", "-p", "no:cacheprovider"], d)
        mat["pytest_fail_q2"] = sh([py, "-m", "pytest", "-q", "-p", "no:cacheprovider"], d)
        Path(d, "calc.py").write_text(CALC_FIXED)
        mat["pytest_pass_q"] = sh([py, "-m", "pytest", "-q", "-p", "no:cacheprovider"], d)
        mat["pytest_pass_v"] = sh([py, "-m", "pytest", "-v", "-p", "no:cacheprovider"], d)
    pkgs = ["httpx", "click", "rich", "starlette", "typer", "filelock", "platformdirs", "anyio", "certifi", "idna"]
    pkgs = [p for p in pkgs if _installed(p)]
    mat["pkgs"] = pkgs
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-color"]
    mat["pip_show"] = {p: sh(pip + ["show", "-f", p]) for p in pkgs[:4]}
    mat["pip_list"] = sh(pip + ["list"])
    mat["pip_freeze"] = sh(pip + ["freeze"])
    mat["pip_check"] = sh(pip + ["check"])
    mat["ls"] = {p: sh(["ls", "-la", str(SITE / p)]) for p in pkgs if (SITE / p).is_dir()}
    mat["grep"] = {}
    for p in pkgs[:6]:
        for pattern in ("def __init__", "raise ", "import "):
            out = sh(["grep", "-rn", "--include=*.py", pattern, str(SITE / p)])
            mat["grep"][(p, pattern)] = "\n".join(out.split("\n")[:70])
    mat["find"] = {p: "\n".join(sh(["find", str(SITE / p), "-name", "*.py"]).split("\n")[:60]) for p in pkgs[:6]}
    mat["ls"]["site-packages"] = "\n".join(sh(["ls", "-la", str(SITE)]).split("\n")[:120])
    sources = []
    for p in pkgs:
        base = SITE / p
        if base.is_dir():
            sources += sorted(str(f) for f in base.rglob("*.py") if 2000 < f.stat().st_size < 60000)
    mat["sources"] = sources
    botocore = SITE / "botocore" / "data"
    mat["json_files"] = sorted(str(f) for f in botocore.glob("*/*/service-2.json"))[:200] if botocore.is_dir() else []
    return mat


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
        return True
    except metadata.PackageNotFoundError:
        return False


def read_source(path: str) -> str:
    lines = Path(path).read_text(encoding="utf-8", errors="replace").split("\n")
    return "\n".join(lines[:MAX_FILE_LINES])


def json_doc(path: str, rng: random.Random) -> str:
    """A pretty-printed slice of a real JSON file (a few operations/shapes of a service model)."""
    data = json.loads(Path(path).read_text())
    shapes = data.get("shapes", {})
    keys = sorted(shapes)
    start = rng.randrange(max(1, len(keys) - 12))
    doc = {"metadata": data.get("metadata", {}), "shapes": {k: shapes[k] for k in keys[start:start + 10]}}
    return json.dumps(doc, indent=rng.choice([2, 4]), ensure_ascii=False)


def meta_json(pkg: str) -> str:
    md = metadata.metadata(pkg)
    doc = {k: md.get_all(k) if len(md.get_all(k) or []) > 1 else md.get(k) for k in dict.fromkeys(md.keys())
           if k != "Description"}
    doc["files"] = [str(f) for f in (metadata.files(pkg) or [])][:40]
    return json.dumps(doc, indent=2, ensure_ascii=False)


def meta_yaml(pkg: str) -> str:
    import yaml

    md = metadata.metadata(pkg)
    doc = {"package": pkg, "version": md.get("Version"), "summary": md.get("Summary"),
           "requires": md.get_all("Requires-Dist") or [],
           "classifiers": md.get_all("Classifier") or [],
           "ci": {"matrix": {"python": ["3.11", "3.12"], "os": ["ubuntu-latest"]},
                  "steps": [{"run": "pip install -e .[test]"}, {"run": "pytest -q"},
                            {"run": "|\n  echo done\n  echo twice"}]}}
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


class Session:
    """Builds one agent conversation step by step (OpenAI message format)."""

    def __init__(self, rng: random.Random, sid: int) -> None:
        self.rng = rng
        self.sid = sid
        self.messages: list[dict] = [{"role": "system", "content": SYSTEM_PROMPT}]
        self.n = 0

    def user(self, text: str) -> None:
        self.messages.append({"role": "user", "content": text})

    def call(self, name: str, args: dict, result: str, say: str | None = None) -> None:
        self.n += 1
        cid = f"call_{self.sid:02d}{self.n:02d}{self.rng.randrange(16**6):06x}"
        self.messages.append({"role": "assistant", "content": say,
                              "tool_calls": [{"id": cid, "type": "function",
                                              "function": {"name": name, "arguments": json.dumps(args)}}]})
        self.messages.append({"role": "tool", "tool_call_id": cid, "content": result})

    def say(self, text: str) -> None:
        self.messages.append({"role": "assistant", "content": text})

    def snapshot(self) -> dict:
        tools = [{"type": "function", "function": {"name": n, "description": d, "parameters": {
            "type": "object", "properties": {p: {"type": "string"}}, "required": [p]}}}
            for n, d, p in (("read_file", "Read a file", "path"), ("write_file", "Write a file", "path"),
                            ("run_command", "Run a shell command", "command"), ("list_dir", "List a directory", "path"),
                            ("fetch_json", "Fetch a JSON document", "url"),
                            ("edit_file", "Replace text in a file", "path"))]
        return {"model": "auto", "messages": json.loads(json.dumps(self.messages)), "tools": tools,
                "max_tokens": 4096, "stream": True}


def fenced(lang: str, text: str, max_lines: int = 14) -> str:
    lines = text.split("\n")
    return f"```{lang}\n" + "\n".join(lines[:max_lines]) + "\n```"


def build_session(rng: random.Random, sid: int, mat: dict) -> list[dict]:
    lang = list(TASKS)[sid % len(TASKS)]
    pkg = rng.choice(mat["pkgs"])
    task = rng.choice(TASKS[lang]).format(pkg=pkg, topic=rng.choice(TOPICS))
    s = Session(rng, sid)
    s.user(task)
    out: list[dict] = []
    calc_task = "calc" in task
    steps = rng.randint(9, 13)
    fixed = False
    read_files: list[tuple[str, str]] = []
    for step in range(steps):
        kind = rng.choices(
            ["read", "pytest", "pip", "ls", "json", "yaml", "reread", "rerun", "quote", "user_retry", "meta",
             "grep", "find", "edit"],
            weights=[5, 4 if calc_task else 1, 2, 2, 2, 1, 1, 1, 2, 0.5, 2, 2, 1, 2])[0]
        if kind == "read":
            path = rng.choice(mat["sources"])
            text = read_source(path)
            read_files.append((path, text))
            s.call("read_file", {"path": path}, text, rng.choice([None, "Let me look at the implementation."]))
        elif kind == "pytest":
            if fixed:
                key = rng.choice(["pytest_pass_q", "pytest_pass_v"])
            else:
                key = rng.choice(["pytest_fail_q", "pytest_fail_v", "pytest_fail_q2"])
            s.call("run_command", {"command": "python -m pytest " + ("-v" if key.endswith("_v") else "-q")},
                   mat[key], "Running the tests.")
            if not fixed and rng.random() < 0.5:
                s.call("write_file", {"path": "calc.py", "content": CALC_FIXED}, "ok: wrote 437 bytes to calc.py",
                       "`mean` divides by `len(values) - 1`; it must divide by `len(values)`. Fixing that.")
                fixed = True
        elif kind == "pip":
            which = rng.choice(["show", "list", "freeze", "check"])
            if which == "show":
                p = rng.choice(sorted(mat["pip_show"]))
                s.call("run_command", {"command": f"pip show -f {p}"}, mat["pip_show"][p])
            else:
                s.call("run_command", {"command": f"pip {which}"}, mat[f"pip_{which}"])
        elif kind == "ls":
            p = rng.choice(sorted(mat["ls"]))
            s.call("list_dir", {"path": p}, mat["ls"][p])
        elif kind == "json" and mat["json_files"]:
            path = rng.choice(mat["json_files"])
            svc = Path(path).parent.parent.name
            s.call("fetch_json", {"url": f"https://example.invalid/models/{svc}.json"}, json_doc(path, rng))
        elif kind == "edit" and read_files:
            # a small edit through a replace tool, then the agent reads the file back to check it
            k = rng.randrange(len(read_files))
            path, text = read_files[k]
            lines = text.split("\n")
            cands = [n for n, ln in enumerate(lines) if ln.strip() and len(ln) < 100 and not ln.strip().startswith("#")]
            if cands:
                n = rng.choice(cands)
                indent = lines[n][:len(lines[n]) - len(lines[n].lstrip())]
                new_line = f"{indent}# clawcli-agent: checked this line (step {step})"
                s.call("edit_file", {"path": path, "old": lines[n], "new": new_line + "\n" + lines[n]},
                       "ok: 1 replacement", "Adding a note above the suspicious line.")
                lines.insert(n, new_line)
                text = "\n".join(lines)
                read_files[k] = (path, text)
                s.call("read_file", {"path": path}, text, "Reading it back to verify the edit.")
        elif kind == "grep":
            p, pattern = rng.choice(sorted(mat["grep"]))
            s.call("run_command", {"command": f"grep -rn --include='*.py' '{pattern}' {SITE / p}"},
                   mat["grep"][(p, pattern)], "Searching the package.")
        elif kind == "find":
            p = rng.choice(sorted(mat["find"]))
            s.call("run_command", {"command": f"find {SITE / p} -name '*.py'"}, mat["find"][p])
        elif kind == "meta":
            p = rng.choice(mat["pkgs"])
            s.call("fetch_json", {"url": f"https://example.invalid/pypi/{p}/json"}, meta_json(p))
        elif kind == "yaml":
            p = rng.choice(mat["pkgs"])
            s.call("read_file", {"path": ".github/ci.yaml"}, meta_yaml(p))
        elif kind == "reread" and read_files:
            path, text = rng.choice(read_files)
            s.call("read_file", {"path": path}, text, "The edit did not apply; reading the file again.")
        elif kind == "rerun":
            tool_msgs = [m for m in s.messages if m["role"] == "tool" and len(m["content"]) > 300]
            prev = [m for m in s.messages if m["role"] == "assistant" and m.get("tool_calls")]
            if tool_msgs and prev:
                last_call = prev[-1]["tool_calls"][0]["function"]
                s.call(last_call["name"], json.loads(last_call["arguments"]), s.messages[-1]["content"],
                       "The output was cut off on my side; running it again.")
        elif kind == "quote" and read_files:
            path, text = rng.choice(read_files)
            start = rng.randrange(max(1, text.count("\n") - 14))
            snippet = "\n".join(text.split("\n")[start:start + 14])
            s.say(f"In `{path}` this is the relevant part:\n\n" + fenced("python", snippet)
                  + "\n\nand the expected configuration looks like:\n\n"
                  + fenced("json", json.dumps({"timeout": 5.0, "retries": 3, "paths": [path]}, indent=2))
                  + "\n\nI'll continue with the next step.")
            s.user(rng.choice(FOLLOW_UPS))
        elif kind == "user_retry":
            prev_user = [m for m in s.messages if m["role"] == "user"]
            s.say("Sorry, I ran into an error while processing that. Could you send it again?")
            s.user(prev_user[-1]["content"] if len(prev_user[-1]["content"]) > 200 else
                   "Here is the full log again:\n" + mat["pytest_fail_v"])
        # agents call the model after each tool result: sample some of those points
        if step >= 3 and rng.random() < 0.45:
            out.append(s.snapshot())
    s.say("Done. " + ("The bug was the divisor in `mean`; all tests pass now." if fixed else "Summary above."))
    s.user(rng.choice(FOLLOW_UPS))
    out.append(s.snapshot())
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "data" / "compress-corpus.jsonl"))
    ap.add_argument("--sessions", type=int, default=18)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--max-bytes", type=int, default=2_900_000)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    mat = collect_material(rng)
    requests: list[dict] = []
    for sid in range(args.sessions):
        requests += build_session(rng, sid, mat)
    lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in requests]
    while sum(len(x.encode()) + 1 for x in lines) > args.max_bytes:  # keep the file commit-friendly
        lines.pop(max(range(len(lines)), key=lambda k: len(lines[k])))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, out)
    print(f"wrote {len(lines)} requests, {out.stat().st_size:,} bytes to {out}")
    if out.resolve() == (ROOT / "benchmarks" / "data" / "compress-corpus.jsonl").resolve():
        write_packaged(out, ROOT / "clawcli" / "data" / "compress-corpus.jsonl.gz")
    return 0


def write_packaged(src: Path, dest: Path) -> None:
    """The same corpus as package data (`claw bench compress` on a normal install), gzip without a
    timestamp so the same corpus always gives the same bytes."""
    import gzip

    with open(dest, "wb") as fh, gzip.GzipFile(filename=src.name, mode="wb", fileobj=fh, mtime=0,
                                               compresslevel=9) as gz:
        gz.write(src.read_bytes())
    print(f"wrote {dest} ({dest.stat().st_size:,} bytes)")


if __name__ == "__main__":
    sys.exit(main())
