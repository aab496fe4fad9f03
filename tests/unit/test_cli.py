"""The command line as people type it: ``-v`` and ``-q`` before or after the command."""

import pytest

from opencyber import cli, logs


@pytest.mark.parametrize(
    ("argv", "level"),
    [
        (["fetch"], 0),
        (["-q", "fetch"], -1),
        (["fetch", "-q"], -1),
        (["-v", "fetch"], 1),
        (["fetch", "--verbose"], 1),
    ],
)
def test_loudness_is_taken_before_or_after_the_command(monkeypatch, argv, level):
    seen = []
    monkeypatch.setattr(logs, "console", seen.append)
    monkeypatch.setattr(cli, "run_fetch", lambda args: 0)
    assert cli.main(argv) == 0
    assert seen == [level]


def test_quiet_and_verbose_together_are_refused_on_one_side(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["fetch", "-q", "-v"])
    assert exc.value.code == 2 and "not allowed with" in capsys.readouterr().err
