"""Configuration files: discovery by walking up, every key checked, flags over file, `drmigrate config`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from drmigrate.cli import main
from drmigrate.config import ConfigFileError, find_config, load

LEGACY = "digitalriver.createSource({type: 'wireTransfer', amount: 1, currency: 'EUR', wireTransfer: {}});\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "web" / "js").mkdir(parents=True)
    (tmp_path / "web" / "js" / "pay.js").write_text(LEGACY, "utf-8")
    (tmp_path / "web" / "js" / "legacy.js").write_text(LEGACY, "utf-8")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "shop"\n\n[tool.drmigrate]\nsession-id = "checkout.payment.session.id"\n'
        'ignore = ["DR101"]\nper-file-ignores = {"web/js/legacy.js" = ["DR100"]}\nmax-file-size = "1MB"\n',
        "utf-8")
    return tmp_path


def test_found_by_walking_up_and_applied(project: Path) -> None:
    assert find_config(project / "web" / "js" / "pay.js") == project / "pyproject.toml"
    code, _out, _ = run("fix", str(project / "web"))
    assert code == 0  # fixed, and the ignored codes are not reported: nothing remains
    pay = (project / "web" / "js" / "pay.js").read_text("utf-8")
    assert "sessionId: checkout.payment.session.id" in pay and "amount: 1" in pay  # DR101 ignored
    assert (project / "web" / "js" / "legacy.js").read_text("utf-8") == LEGACY  # per-file DR100 ignored


def test_drmigrate_toml_wins_and_flags_override(project: Path) -> None:
    (project / "web" / ".drmigrate.toml").write_text('select = ["DR101"]\n', "utf-8")
    _, out, _ = run("check", str(project / "web"))
    assert "DR101" in out and "DR100" not in out
    _code, out, _ = run("check", "--select", "DR100", str(project / "web"))
    assert "DR100" in out and "DR101" not in out


def test_config_command_shows_origins(project: Path) -> None:
    code, out, _ = run("config", str(project / "web"))
    assert code == 0
    assert f"# configuration file: {project / 'pyproject.toml'}" in out
    assert f"session-id = 'checkout.payment.session.id'  # {project / 'pyproject.toml'}" in out
    assert "max-file-size = 1000000" in out
    assert "unsafe-fixes = false  # default" in out


@pytest.mark.parametrize(
    ("body", "named"),
    [
        pytest.param('selct = ["DR1"]\n', "unknown key `selct`", id="unknown-key"),
        pytest.param('select = "DR1"\n', "`select` must be a list of strings", id="ill-typed-list"),
        pytest.param("unsafe-fixes = 1\n", "`unsafe-fixes` must be true or false", id="ill-typed-bool"),
        pytest.param('max-file-size = "big"\n', "`max-file-size` must be a positive number", id="bad-size"),
        pytest.param("per-file-ignores = 3\n", "`per-file-ignores` must be a table", id="bad-table"),
        pytest.param("select = [\n", "not valid TOML", id="bad-toml"),
    ],
)
def test_bad_config_exit_2_naming_key_and_file(tmp_path: Path, body: str, named: str) -> None:
    cfg = tmp_path / ".drmigrate.toml"
    cfg.write_text(body, "utf-8")
    (tmp_path / "a.js").write_text(LEGACY, "utf-8")
    code, _, err = run("check", str(tmp_path))
    assert code == 2
    assert named in err and str(cfg) in err and "Traceback" not in err
    with pytest.raises(ConfigFileError):
        load(cfg)


def test_explicit_config_and_bad_session_id_in_config(tmp_path: Path) -> None:
    cfg = tmp_path / "ci.toml"
    cfg.write_text('session-id = "a b"\n', "utf-8")
    (tmp_path / "a.js").write_text(LEGACY, "utf-8")
    code, _, err = run("check", "--config", str(cfg), str(tmp_path))
    assert code == 2 and "`session-id` in" in err and str(cfg) in err
    code, _, err = run("check", "--config", str(tmp_path / "nope.toml"), str(tmp_path))
    assert code == 2 and "no such configuration file" in err


def test_unknown_code_in_config_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / ".drmigrate.toml").write_text('ignore = ["DR999"]\n', "utf-8")
    (tmp_path / "a.js").write_text(LEGACY, "utf-8")
    code, _, err = run("check", str(tmp_path))
    assert code == 2 and "unknown rule code DR999" in err


def test_server_session_ids_and_receivers(tmp_path: Path) -> None:
    (tmp_path / ".drmigrate.toml").write_text(
        'python-session-id = "request.session[\\"sid\\"]"\nphp-session-id = "1 +"\n', "utf-8")
    (tmp_path / "a.js").write_text(LEGACY, "utf-8")
    code, _, err = run("check", str(tmp_path))
    assert code == 2 and "php-session-id" in err and "PHP expression" in err
    (tmp_path / ".drmigrate.toml").write_text('receiver-names = ["payments"]\n', "utf-8")
    (tmp_path / "a.js").write_text(LEGACY.replace("digitalriver.", "payments."), "utf-8")
    code, out, _ = run("check", str(tmp_path))
    assert code == 1 and "DR100" in out and "low confidence" not in out


@pytest.mark.parametrize(
    ("key", "suggested"),
    [
        pytest.param("session_id", "session-id", id="underscores"),
        pytest.param("sesion-id", "session-id", id="typo"),
        pytest.param("extend-excludes", "extend-exclude", id="plural"),
        pytest.param("colour", None, id="nothing-near"),
    ],
)
def test_unknown_key_suggests_the_nearest_key(tmp_path: Path, key: str, suggested: str | None) -> None:
    cfg = tmp_path / ".drmigrate.toml"
    cfg.write_text(f'{key} = "x"\n', "utf-8")
    (tmp_path / "a.js").write_text(LEGACY, "utf-8")
    code, _, err = run("check", str(tmp_path))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"{cfg}: unknown key `{key}`" in err and "known keys: session-id," in err
    if suggested is None:
        assert "did you mean" not in err
    else:
        assert f"unknown key `{key}` (did you mean `{suggested}`?)" in err


@pytest.mark.parametrize(
    ("args", "config", "message"),
    [
        pytest.param(["--select", "DR1011"], "", "unknown rule code DR1011 (did you mean DR101?)", id="select-typo"),
        pytest.param(["--ignore", "legacy-amount-currency"], "",
                     "unknown rule code LEGACY-AMOUNT-CURRENCY (did you mean DR101 (legacy-amount-currency)?)",
                     id="ignore-code-name"),
        pytest.param([], 'ignore = ["DR2022"]\n', "unknown rule code DR2022 (`ignore` in", id="config"),
        pytest.param(["--select", "DR9"], "", "unknown rule code DR9; `drmigrate rules` lists the codes",
                     id="nothing-near"),
    ],
)
def test_unknown_code_suggests_the_nearest_code(tmp_path: Path, args: list[str], config: str,
                                                message: str) -> None:
    if config:
        (tmp_path / ".drmigrate.toml").write_text(config, "utf-8")
    (tmp_path / "a.js").write_text(LEGACY, "utf-8")
    code, _, err = run("check", *args, str(tmp_path))
    assert code == 2 and message in err
    if config:
        assert "(did you mean DR202?)" in err


def test_extend_receiver_keeps_the_default_names(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text(LEGACY.replace("digitalriver.", "payments."), "utf-8")
    (tmp_path / "b.js").write_text(LEGACY, "utf-8")
    (tmp_path / "c.js").write_text(LEGACY.replace("digitalriver.", "gateway."), "utf-8")

    def confidence(*args: str) -> dict[str, str]:
        out = CliRunner().invoke(main, ["check", "--format", "json", *args, str(tmp_path)]).stdout
        found = json.loads(out)["findings"]
        return {Path(f["path"]).name: f["confidence"] for f in found}

    assert confidence() == {"a.js": "low", "b.js": "high", "c.js": "low"}
    assert confidence("--receiver", "payments") == {"a.js": "high", "b.js": "low", "c.js": "low"}  # replaced
    assert confidence("--extend-receiver", "payments") == {"a.js": "high", "b.js": "high", "c.js": "low"}
    assert confidence("--extend-receiver", "payments", "--extend-receiver", "gateway") == {
        "a.js": "high", "b.js": "high", "c.js": "high"}
    (tmp_path / ".drmigrate.toml").write_text('extend-receiver-names = ["gateway"]\n', "utf-8")
    assert confidence() == {"a.js": "low", "b.js": "high", "c.js": "high"}
    # the flag replaces the file's extensions, as every flag does; --receiver replaces the base list
    assert confidence("--extend-receiver", "payments") == {"a.js": "high", "b.js": "high", "c.js": "low"}
    assert confidence("--receiver", "payments") == {"a.js": "high", "b.js": "low", "c.js": "high"}
    code, out, _ = run("config", str(tmp_path))
    assert code == 0
    assert f"extend-receiver-names = ['gateway']  # {tmp_path / '.drmigrate.toml'}" in out
    assert "receiver-names = ['digitalriver', 'digitalRiver'," in out
    assert out.rstrip("\n").endswith(", drClient, gateway")
    assert "# receiver names in effect: digitalriver, digitalRiver, " in out
