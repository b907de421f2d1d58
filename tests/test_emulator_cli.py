"""`python -m clawcli.testing` (the emulator by hand): bad flags are usage errors, never tracebacks."""

from __future__ import annotations

import pytest

from clawcli.testing.__main__ import main


@pytest.mark.parametrize("argv", [["--port", "99999"], ["--port", "-5"], ["--price", "-1"],
                                  ["--price", "nan"], ["--chunk-delay", "-1"]])
def test_out_of_range_flags_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    assert "must be" in capsys.readouterr().err


@pytest.mark.parametrize("item", ["garbage", "0xabc=zz"])
def test_bad_balance_says_what_is_expected(item, capsys):
    assert main(["--port", "0", "--balance", item]) == 2
    err = capsys.readouterr().err
    assert "--balance expects ADDRESS=USDC" in err and "ConversionSyntax" not in err
