"""The ``ptlab`` command line: ``serve`` (the default), ``run``, ``replay``, ``relay`` and ``doctor``.

Click parses the words; the settings themselves stay in the one pydantic-settings model
(app/settings.py): every field is a flag of the same name on every command that starts a
server, given before or after the command's name, and the model validates the values, so
a bad flag gets the same message as a bad ``PTLAB_*`` variable.
"""

from __future__ import annotations

import os
import re
import secrets
import types
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic.fields import FieldInfo

from . import __version__
from .settings import Settings, SettingsError, load

F = TypeVar("F", bound=Callable[..., Any])
# Values a setting's flag takes, as the help shows them.
KINDS = {int: "N", float: "NUMBER", str: "TEXT", bool: "yes|no"}
# "... (default: generated and printed at start)", "...; default: the built-in lesson"
DEFAULT_SAID = re.compile(r"\s*[;(]\s*default: ([^)]*)\)?$")
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _metavar(field: FieldInfo) -> str:
    kind = field.annotation
    args = [a for a in typing.get_args(kind) if a is not type(None)]
    if typing.get_origin(kind) is typing.Literal:
        return "|".join(str(a) for a in args)
    if typing.get_origin(kind) is tuple:
        return "A,B,..."
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        kind = args[0]
    return KINDS.get(kind, "TEXT")  # type: ignore[arg-type]


def _help(field: FieldInfo) -> str:
    """The description, capitalised, with its default in click's brackets."""
    text = field.description or ""
    said = DEFAULT_SAID.search(text)
    if said:
        text, default = text[: said.start()], said.group(1)
    elif isinstance(field.default, bool):
        default = "yes" if field.default else "no"
    elif field.default in ("", ()):
        default = "none"
    elif isinstance(field.default, float) and field.default.is_integer():
        default = str(int(field.default))
    else:
        default = str(field.default)
    return f"{text[:1].upper()}{text[1:]}  [default: {default}]"


def settings_flags(f: F) -> F:
    """One flag per setting. Values stay text here: the settings model checks and converts them."""
    for name, field in reversed(Settings.model_fields.items()):
        f = click.option(
            "--" + name.replace("_", "-"),
            name,
            default=None,
            metavar=_metavar(field),
            help=_help(field),
        )(f)
    return f


def given(params: dict[str, Any]) -> dict[str, Any]:
    """The settings flags actually given (the rest come from PTLAB_* variables or the defaults)."""
    return {k: v for k, v in params.items() if k in Settings.model_fields and v is not None}


def settings_of(ctx: click.Context, params: dict[str, Any], quiet_token: bool = False) -> Settings:
    """The settings: variables, then flags before the command, then flags after it; exit 2 if bad."""
    flags = {**(ctx.obj or {}), **given(params)}
    if "token" in flags and not quiet_token:
        click.echo(
            "ptlab: warning: a token on the command line can be read by every user of this machine "
            "(ps, /proc/PID/cmdline): set PTLAB_TOKEN or use --token-file instead",
            err=True,
        )
    try:
        return load(flags)
    except SettingsError as exc:
        click.echo(f"ptlab: {exc}", err=True)
        raise SystemExit(2) from exc


@click.group(context_settings=CONTEXT, invoke_without_command=True)
@click.version_option(__version__, "-V", "--version", prog_name="ptlab", message="%(prog)s %(version)s")
@settings_flags
@click.pass_context
def ptlab(ctx: click.Context, **params: Any) -> None:
    """The Process & Thread Lab: real processes and threads, drawn live from /proc.

    With no command, serves the lab (as ``ptlab serve``). Every setting is also a PTLAB_*
    environment variable (README: Settings); flags win over variables.
    """
    ctx.obj = given(params)
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve)


@ptlab.command(context_settings=CONTEXT, short_help="Serve the lab (what plain `ptlab` does).")
@settings_flags
@click.pass_context
def serve(ctx: click.Context, **params: Any) -> None:
    """Serve the lab: the presenter's page, the students' view, and the lab processes behind them."""
    from .serve import serve as start

    raise SystemExit(start(settings_of(ctx, params)))


@ptlab.command(
    context_settings={**CONTEXT, "allow_interspersed_args": False, "ignore_unknown_options": True},
    short_help="Run a Python script under the lab, its output here.",
)
@click.option(
    "--server",
    metavar="URL",
    help="Run it on a ptlab server that is already running (token from PTLAB_TOKEN).",
)
@click.option(
    "--exit",
    "exit_after",
    is_flag=True,
    help="Quit as soon as the script ends, instead of keeping the page up until Ctrl-C.",
)
@settings_flags
@click.argument("script", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def run(
    ctx: click.Context,
    script: Path,
    args: tuple[str, ...],
    server: str | None,
    exit_after: bool,
    **params: Any,
) -> None:
    """Run SCRIPT under the lab, as `python SCRIPT ARGS` would, and draw every process and thread it makes.

    Its output shows here and on the page; ptlab's exit status is the script's. Flags for ptlab
    go before SCRIPT, everything after it is the script's.
    """
    from .run.local import read_script

    program = read_script(script, list(args))
    if server is not None:
        from .run.remote import run_remote

        raise SystemExit(run_remote(server, program.code, program.name, program.args))
    from .serve import serve as start

    if params.get("log_level") is None and "log_level" not in (ctx.obj or {}):
        # the terminal is the script's: uvicorn's start and stop lines only if asked for
        params["log_level"] = os.environ.get("PTLAB_LOG_LEVEL") or "warning"
    raise SystemExit(start(settings_of(ctx, params), script=program, exit_after=exit_after))


@ptlab.command(context_settings=CONTEXT, short_help="Serve a recording (.ptlab) read-only.")
@settings_flags
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def replay(ctx: click.Context, file: Path, **params: Any) -> None:
    """Serve a recording (FILE.ptlab, saved from the page) read-only: no lab, every command refused."""
    from .recording import MAX_FILE_BYTES, RecordingError
    from .recording import read as read_recording
    from .serve import serve as start

    settings = settings_of(ctx, params)
    try:
        with file.open("rb") as f:
            recording = read_recording(f.read(MAX_FILE_BYTES + 1))
    except OSError as exc:
        click.echo(f"ptlab: cannot read {file}: {exc.strerror}", err=True)
        raise SystemExit(2) from exc
    except RecordingError as exc:
        click.echo(f"ptlab: {file}: {exc}", err=True)
        raise SystemExit(2) from exc
    raise SystemExit(start(settings, recording=recording))


@ptlab.command(context_settings=CONTEXT, short_help="Serve a lab server's picture to viewers, through Redis.")
@click.option(
    "--redis",
    "redis",
    metavar="URL",
    default=None,
    help="The Redis the lab server publishes to (its PTLAB_REDIS_URL), e.g. redis://10.0.0.5:6379/0.",
)
@settings_flags
@click.pass_context
def relay(ctx: click.Context, redis: str | None, **params: Any) -> None:
    """Serve the page and the stream to viewers, read-only, from a lab server started with
    PTLAB_REDIS_URL: as many relays as needed, on other machines, behind any load balancer.

    Viewers see the same pictures as the lab server's own; their votes are counted there. No
    command and no token is accepted on a relay.
    """
    from .serve import serve as start

    if redis is not None:
        params["redis_url"] = redis
    before = ctx.obj or {}
    if any(params.get(k) is not None or k in before for k in ("token", "token_file")):
        click.echo("ptlab: a relay takes no token: nobody can control the lab from one", err=True)
        raise SystemExit(2)
    # A token nobody knows: the settings' rule against a guessable one is kept, and no one is a
    # presenter here (the relay refuses commands before it looks at any token anyway).
    ctx.obj = {**(ctx.obj or {}), "token": secrets.token_urlsafe(24), "token_file": ""}
    settings = settings_of(ctx, params, quiet_token=True)
    if not settings.redis_url:
        click.echo("ptlab: a relay needs the lab server's Redis: --redis URL (or PTLAB_REDIS_URL)", err=True)
        raise SystemExit(2)
    raise SystemExit(start(settings, relay=True))


@ptlab.command(context_settings=CONTEXT, short_help="What this machine lets the lab show.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8000,
    envvar="PTLAB_PORT",
    show_default=True,
    help="The port the students' addresses are given with.",
)
def doctor(as_json: bool, port: int) -> None:
    """Say what this machine lets the lab show, and why not where it does not: read it before class."""
    from .doctor import examine, report

    findings = examine(port)
    if as_json:
        click.echo(findings.model_dump_json(indent=2))
    else:
        click.echo(report(findings))


def settings_from(argv: Sequence[str]) -> Settings:
    """The settings ``ptlab serve ARGV`` would start with; SettingsError if they are bad."""
    with serve.make_context("serve", list(argv)) as ctx:
        return load(given(ctx.params))


def main(argv: list[str] | None = None) -> None:
    """``ptlab`` and ``python -m app``."""
    ptlab.main(args=argv, prog_name="ptlab")
