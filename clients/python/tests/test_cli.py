"""The n2n command line without a gateway: its arguments, and its exit statuses against a scripted
loopback server (a refusal, a failed job, a wait that ends first) and no server at all."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from conftest import Answer, ScriptedServer
from noise2noise_client import __version__
from noise2noise_client.cli import DEFAULT_URL, Exit, build_parser, main, output_format


def test_denoise_takes_its_options_and_the_environment() -> None:
    environ = {"N2N_URL": "http://gateway:8080", "N2N_API_KEY": "k-env"}
    args = build_parser(environ).parse_args(
        ["denoise", "in.jpg", "-o", "out.png", "--model", "poisson", "--strength", "0.4", "--upload-threshold", "1"]
    )

    assert (args.command, args.input, args.output) == ("denoise", Path("in.jpg"), Path("out.png"))
    assert (args.model, args.strength, args.upload_threshold) == ("poisson", 0.4, 1)
    assert (args.url, args.api_key) == ("http://gateway:8080", "k-env")


def test_options_win_over_the_environment_and_the_url_has_a_default() -> None:
    args = build_parser({"N2N_API_KEY": "k-env"}).parse_args(["status", "j1", "--api-key", "k-option"])

    assert (args.url, args.api_key, args.job_id) == (DEFAULT_URL, "k-option", "j1")


@pytest.mark.parametrize("command", ["status", "cancel"])
def test_an_id_beginning_with_a_hyphen_is_taken_after_a_double_dash(command: str) -> None:
    args = build_parser({}).parse_args([command, "--", "-bZqOofmODrsVrvwLJAqXA"])

    assert args.job_id == "-bZqOofmODrsVrvwLJAqXA"


@pytest.mark.parametrize(
    "argv",
    [["denoise", "in.png"], ["jobs", "--status", "sleeping"], ["denoise", "in.png", "-o", "x", "--strength", "a"], []],
)
def test_bad_usage_exits_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser({}).parse_args(argv)

    assert exited.value.code == Exit.USAGE


def test_version_names_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser({}).parse_args(["--version"])

    assert exited.value.code == Exit.OK
    assert capsys.readouterr().out == f"n2n {__version__}\n"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["-o", "out.png"], "png"),
        (["-o", "out.JPG"], "jpeg"),
        (["-o", "out.tif"], "tiff"),
        (["-o", "out.png", "--format", "bmp"], "bmp"),
        (["-o", "out"], None),
        (["-o", "out.webp"], None),
    ],
)
def test_the_output_format_comes_from_format_else_the_output_suffix(argv: list[str], expected: str | None) -> None:
    assert output_format(build_parser({}).parse_args(["denoise", "in.png", *argv])) == expected


def test_no_gateway_exits_unreachable(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    assert main(["status", "j1", "--url", f"http://127.0.0.1:{closed_port}"], {}) == Exit.UNREACHABLE
    assert "unreachable" in capsys.readouterr().err


def test_a_refusal_exits_refused_with_the_gateways_detail(
    server: ScriptedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = {"title": "Unprocessable Entity", "status": 422, "detail": "strength must be between 0 and 1"}
    server.script("POST", "/v1/jobs", Answer.json(422, document, "application/problem+json"))
    (tmp_path / "in.png").write_bytes(b"png")

    code = main(
        ["denoise", str(tmp_path / "in.png"), "-o", str(tmp_path / "out.png"), "--strength", "2", "--url", server.url],
        {},
    )

    assert code == Exit.REFUSED
    assert "422 strength must be between 0 and 1" in capsys.readouterr().err
    assert not (tmp_path / "out.png").exists()


def test_a_failed_job_exits_job_failed_with_its_error(
    server: ScriptedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script("POST", "/v1/jobs", Answer.json(202, {"id": "j1", "status": "queued"}))
    failed = {"id": "j1", "status": "failed", "error": {"code": "invalid_image", "message": "the pixels are damaged"}}
    server.script("GET", "/v1/jobs/j1", Answer.json(200, failed))
    (tmp_path / "in.png").write_bytes(b"png")

    code = main(["denoise", str(tmp_path / "in.png"), "-o", str(tmp_path / "out.png"), "--url", server.url], {})

    assert code == Exit.JOB_FAILED
    assert "job j1 failed: invalid_image: the pixels are damaged" in capsys.readouterr().err
    assert json.loads(server.requests_to("POST", "/v1/jobs")[0].body)["format"] == "png"


def test_a_job_still_running_when_the_wait_ends_exits_timed_out(
    server: ScriptedServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script("POST", "/v1/jobs", Answer.json(202, {"id": "j1", "status": "queued"}))
    server.script("GET", "/v1/jobs/j1", Answer.json(200, {"id": "j1", "status": "running"}))
    (tmp_path / "in.png").write_bytes(b"png")

    code = main(
        ["denoise", str(tmp_path / "in.png"), "-o", str(tmp_path / "out.png"), "--wait", "0.5", "--url", server.url], {}
    )

    assert code == Exit.TIMED_OUT
    assert "n2n status j1" in capsys.readouterr().err


def test_a_missing_input_exits_local_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["denoise", str(tmp_path / "absent.png"), "-o", str(tmp_path / "out.png")], {})

    assert code == Exit.LOCAL_ERROR
    assert "absent.png" in capsys.readouterr().err


def test_models_prints_the_catalogue_as_a_table(server: ScriptedServer, capsys: pytest.CaptureFixture[str]) -> None:
    catalogue = {
        "models": [
            {
                "name": "gaussian",
                "default": True,
                "available": True,
                "workers": 2,
                "lastSeen": "2026-12-04T12:00:00Z",
                "card": {},
            },
            {
                "name": "text",
                "default": False,
                "available": False,
                "workers": 0,
                "lastSeen": "2026-12-04T11:00:00Z",
                "card": {},
            },
        ]
    }
    server.script("GET", "/v1/models", Answer.json(200, catalogue))

    assert main(["models", "--url", server.url], {}) == Exit.OK

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["MODEL", "DEFAULT", "AVAILABLE", "WORKERS", "LAST", "SEEN"]
    assert lines[1].split() == ["gaussian", "yes", "yes", "2", "2026-12-04T12:00:00Z"]
    assert lines[2].split() == ["text", "no", "0", "2026-12-04T11:00:00Z"]


def test_jobs_asks_for_the_filter_and_names_the_next_page(
    server: ScriptedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    page = {
        "jobs": [
            {
                "id": "j2",
                "status": "failed",
                "created_at": "2026-12-04T12:00:01Z",
                "model_used": "gaussian",
                "error": {"code": "invalid_image", "message": "damaged"},
            }
        ],
        "nextPageToken": "tok-2",
    }
    server.script("GET", "/v1/jobs?status=failed&limit=1", Answer.json(200, page))

    assert main(["jobs", "--status", "failed", "--limit", "1", "--url", server.url], {}) == Exit.OK

    captured = capsys.readouterr()
    assert captured.out.splitlines()[1].split() == [
        "j2",
        "failed",
        "2026-12-04T12:00:01Z",
        "gaussian",
        "invalid_image:",
        "damaged",
    ]
    assert "n2n jobs --page-token tok-2" in captured.err
