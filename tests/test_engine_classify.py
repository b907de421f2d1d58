"""The failure table (DESIGN.md §7) and the degraded-200 checks, including what must NOT be flagged."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from clawcli.core.upstream.classify import (
    classify_error,
    completion_problem,
    degraded_reason,
    is_payment_level_rejection,
    loop_reason,
)
from clawcli.testing._faults import ERROR_KINDS, Fault, error_response


@pytest.mark.parametrize("kind,cls", [
    ("429", "rate_limited"), ("529", "overloaded"), ("503_overloaded", "overloaded"), ("503", "server_error"),
    ("500", "server_error"), ("502", "server_error"), ("401", "auth"), ("403", "auth"),
    ("402_billing", "billing"), ("minimax_520", "server_error"), ("zai_1311", "billing"), ("zai_1113", "auth"),
    ("400_context", "config"), ("413", "config"), ("400", None),
])
def test_the_emulators_provider_errors_classify_by_the_table(kind, cls):
    """Every error body the gateway emulator produces lands in the class DESIGN.md §7 gives it."""
    status, body, _ = error_response(Fault(model="m/x", kind=kind, times=1), "m/x", 8192, 9000)
    assert classify_error(status, json.dumps(body)) == cls


def test_every_emulator_error_kind_is_covered():
    assert ERROR_KINDS - {"status"} == {
        "429", "529", "503_overloaded", "503", "500", "502", "401", "403", "402_billing", "minimax_520",
        "zai_1311", "zai_1113", "400_context", "413", "400"}


@pytest.mark.parametrize("status,body,cls", [
    (403, "plan limit reached", "billing"),
    (403, "", "auth"),
    (503, "over capacity", "overloaded"),
    (504, "", "server_error"),
    (520, "<html>cloudflare</html>", "server_error"),
    (400, '{"error":{"message":"billing issue with account"}}', "billing"),
    (404, '{"error":{"message":"The model `x` does not exist"}}', "config"),
    (422, '{"error":{"message":"messages: field required"}}', None),
    (408, "", "network"),
    (400, '{"error":{"code":1311,"message":"plan"}}', "billing"),
])
def test_more_classification_cases(status, body, cls):
    assert classify_error(status, body) == cls


def test_minimax_520_inside_a_200_is_a_server_error():
    assert completion_problem({"type": "api_error", "message": "unknown error, 520 (1000)"})[0] == "server_error"


@pytest.mark.parametrize("content", [
    "Paris.", "42", "Yes, that is right.",
    "The first primes are 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47.",
    "[[0, 0, 0], [0, 0, 0], [0, 0, 1]]",
    "巴黎是法国的首都，也是法国最大的城市，位于塞纳河畔。",
])
def test_real_answers_are_not_degraded(content):
    assert degraded_reason(content) is None


def test_structured_output_is_not_a_loop():
    catalog = resources.files("clawcli.data").joinpath("catalog.json").read_text()[:6000]
    assert loop_reason(catalog) is None  # JSON objects share keys, but do not repeat back to back
    table = "| model | price |\n|---|---|\n" + "".join(f"| m{i} | {i / 10} |\n" for i in range(40))
    assert loop_reason(table) is None


@pytest.mark.parametrize("content,why", [
    ("", "empty"), (" \n ", "empty"), (".", "single-character"), ("\ufffd", "single-character"),
    ("Sure. " + "the " * 300, "repeated-token"),
    ("Answer: " + "I am sorry, I cannot. " * 40, "repeated-token"),
    ("\n".join(["I will now answer the question."] * 20), "repeated-line"),
    ("答案是：" + "对不起" * 80, "repeated-token"),
    ("The boxed is the response. The response is the text.", "repeated-line"),
    ("The AI service is temporarily overloaded. Please try again in a moment.", "overloaded"),
])
def test_degraded_answers(content, why):
    assert why in (degraded_reason(content) or "")


@pytest.mark.parametrize("content", ["4", "B", "是"])
def test_a_one_character_answer_can_be_the_right_answer(content):
    assert degraded_reason(content) is None


def test_tool_calls_make_empty_content_fine():
    assert degraded_reason("", has_tool_calls=True) is None


def test_strict_prefix_check_does_not_flag_a_normal_start():
    assert loop_reason("Here is a list:\n1. one\n2. two\n3. three\n4. four\n5. five") is None
    assert loop_reason("ha ha ha ha ha ha ha ha ha ha — sorry, that joke again. The answer is 4.", strict=True) is None


def test_payment_level_rejections():
    assert is_payment_level_rejection('{"code":"PAYMENT_UNDERPAID"}')
    assert is_payment_level_rejection('{"details":"authorization expired at 17"}')
    assert is_payment_level_rejection('{"error":"transaction_simulation_failed","details":"Blockhash not found"}')
    assert is_payment_level_rejection('{"error":"Payment verification failed","details":"invalid signature"}')
    assert not is_payment_level_rejection('{"error":"Payment settlement failed"}')
    assert not is_payment_level_rejection('{"reason":"insufficient_funds"}')


def test_the_token_loop_prefilter_never_hides_a_loop():
    """loop_reason skips the periodic scan when too few tokens repeat for a loop to exist (every
    answer the proxy relays is checked): on random texts, many of them loops, the answer is the
    same as scanning every text."""
    import random
    from collections import Counter

    from clawcli.core.upstream.classify import _longest_periodic_run

    def scanned(t: str, need: float) -> bool:  # the token rule without the pre-filter
        toks = t.strip().split()
        if len(toks) < 8 or Counter(toks).most_common(1)[0][1] * 8 < need * len(toks):
            return False
        run = _longest_periodic_run(toks, 8, max(8, need * len(toks)))
        return run >= 8 and run >= need * len(toks)

    rnd = random.Random(7)
    loops = 0
    for _ in range(20000):
        words = [f"w{rnd.randrange(rnd.choice([2, 3, 5, 12, 100]))}" for _ in range(rnd.randint(8, 60))]
        if rnd.random() < 0.4:  # a block repeated back to back somewhere
            block = words[: rnd.randint(1, 9)]
            at = rnd.randint(0, len(words))
            words[at:at] = block * rnd.randint(2, 10)
        t = " ".join(words)
        for strict in (False, True):
            expected = scanned(t, 0.8 if strict else 0.5)
            loops += expected
            assert (loop_reason(t, strict=strict) == "repeated-token loop") == expected, t
    assert loops > 1000  # the property was exercised on real loops, not only on plain text


def test_two_loop_phrases_in_any_case_are_a_line_loop_and_one_is_not():
    """The phrase check runs only when the text holds _LOOP_HINT: it must be in every pair of
    phrases (else a pair without it would be missed), in any letter case, within the placeholder
    check's 400 characters (degraded_reason reuses its casefolded text for ASCII) and beyond."""
    from itertools import combinations

    from clawcli.core.upstream.classify import _LOOP_HINT, _LOOP_PHRASES

    assert all(_LOOP_HINT in a or _LOOP_HINT in b for a, b in combinations(_LOOP_PHRASES, 2))
    for a, b in combinations(_LOOP_PHRASES, 2):
        for text in (f"{a} {b}", f"{a.upper()} then {b.title()}", "x " * 250 + f"{a} {b}", f"É {a} {b}"):
            assert loop_reason(text) == "repeated-line loop", text
            assert degraded_reason(text) == "repeated-line loop", text
    for p in _LOOP_PHRASES:
        assert loop_reason(f"{p} and some ordinary words after it") is None
    # lowercased, not casefolded: the long s stays itself (casefold() would make it an "s")
    assert degraded_reason("the boxed is the re\u017fponse. the re\u017fponse is the text.") is None
