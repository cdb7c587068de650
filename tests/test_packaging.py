"""The built wheel works away from the checkout, as a clinic's IT person would install it.

Builds the wheel, installs it into a fresh virtual environment in an empty folder (its
dependencies come from the package index), and from that folder, with the checkout on no
path, runs `init-db`, `invite` and gunicorn. A plain HTTP client then opens the patient's
link, the first questionnaire page, its stylesheet and the doctor login page.

Slow (a build and a dependency install), and never skipped: a wheel without its templates,
stylesheet, questionnaire, rules or migrations installs cleanly and fails only when served.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit
from zipfile import ZipFile

from packaging.requirements import Requirement

from screening.questionnaire import QUESTIONNAIRE
from tests.reliability.server import HttpPatient, free_port, request

REPO = Path(__file__).resolve().parents[1]
# What a fresh clone does not have: building from a copy without them keeps stale build/lib
# files (setuptools packs whatever is there) out of the wheel, and the checkout untouched.
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git", ".venv", "venv", "build", "dist", "*.egg-info", "instance", "__pycache__", "*.pyc",
    ".*_cache", ".hypothesis", "node_modules",
)
# Only what a clean machine's shell would pass on: no PYTHONPATH, no app settings.
PASSED_ON = {"HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ", "SSL_CERT_FILE", "SSL_CERT_DIR"}
PASSED_ON_PREFIXES = ("PIP_", "XDG_")
SECRET = "packaging-test-secret-0123456789abcdef0123456789"
H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')


def test_the_built_wheel_serves_patients_and_doctors_from_site_packages(tmp_path):
    wheel = _build_wheel(tmp_path)
    _assert_wheel_holds_everything_the_app_reads(wheel)

    clinic = tmp_path / "clinic"  # the IT person's empty folder
    clinic.mkdir()
    venv = clinic / ".venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=clinic, env=_clean_env(venv), timeout=180)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
         cwd=clinic, env=_clean_env(venv), timeout=1200)

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = _clean_env(venv, SECRET_KEY=SECRET, PUBLIC_BASE_URL=base_url)
    _assert_runs_from_site_packages(venv, clinic, env)

    # The commands on the development defaults: with INSTANCE_PATH and SECRET_KEY unset, an
    # installed package keeps its generated secret and SQLite database in ./instance.
    flask = [str(venv / "bin" / "flask"), "--app", "screening"]
    defaults = _clean_env(venv, PUBLIC_BASE_URL=base_url)
    _run([*flask, "init-db"], cwd=clinic, env=defaults, timeout=120)
    assert {path.name for path in (clinic / "instance").iterdir()} >= {"secret_key", "screening.sqlite3"}
    link = _run([*flask, "invite", "--patient", "WHEEL-1"], cwd=clinic, env=defaults, timeout=120).stdout.strip()
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == base_url and parts.path.startswith("/i/"), link
    token = parts.path.removeprefix("/i/")

    log = tmp_path / "gunicorn.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [str(venv / "bin" / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}", "--timeout", "60",
             "--graceful-timeout", "5", "screening:create_app()"],
            cwd=clinic, env={**env, "INSTANCE_PATH": str(clinic / "instance")}, stdout=sink, stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_answering(server, port, log)
        _visit_as_patient_and_doctor(port, token, log)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


def _build_wheel(tmp_path: Path) -> Path:
    """`pip wheel --no-deps` on a clean copy of the repository (see NOT_IN_A_CLONE)."""
    source, wheelhouse = tmp_path / "source", tmp_path / "wheelhouse"
    shutil.copytree(REPO, source, ignore=NOT_IN_A_CLONE)
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheelhouse), str(source)]
    built = None
    if _build_requirements_installed():  # no download for the build itself
        built = subprocess.run([*command, "--no-build-isolation"], capture_output=True, text=True, timeout=600,
                               check=False)
    if built is None or built.returncode != 0:  # the isolated build, as `pip install .` does
        built = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    wheels = list(wheelhouse.glob("ldn_screening-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _build_requirements_installed() -> bool:
    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["build-system"]["requires"]
    for line in requires:
        requirement = Requirement(line)
        try:
            version = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            return False
        if not requirement.specifier.contains(version, prereleases=True):
            return False
    return True


def _assert_wheel_holds_everything_the_app_reads(wheel: Path) -> None:
    """Every file of the package (code, questionnaire, rules and their cases, lexicon,
    migrations) and every template and static file, the last two mapped into the package."""
    with ZipFile(wheel) as archive:
        names = set(archive.namelist())
    expected = {
        f"{into}/{path.relative_to(REPO / folder).as_posix()}"
        for folder, into in (("screening", "screening"), ("templates", "screening/templates"),
                             ("static", "screening/static"))
        for path in _files(REPO / folder) if path.suffix != ".md"
    }
    assert {"screening/questionnaire/definition.yaml", "screening/rules/sources.yaml",
            "screening/migrations/script.py.mako", "screening/templates/base.html",
            "screening/static/app.css"} <= expected
    assert sorted(expected - names) == []


def _files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file() and "__pycache__" not in path.parts
            and not path.name.startswith(".") and path.suffix != ".pyc"]


def _clean_env(venv: Path, **settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key in PASSED_ON or key.startswith(PASSED_ON_PREFIXES) or key.lower().endswith("_proxy")}
    path = [entry for entry in os.environ.get("PATH", os.defpath).split(os.pathsep)
            if entry and not Path(entry).resolve().is_relative_to(REPO)]
    env["PATH"] = os.pathsep.join([str(venv / "bin"), *path])
    return {**env, **settings}


def _run(command: list[str], cwd: Path, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


def _assert_runs_from_site_packages(venv: Path, clinic: Path, env: dict[str, str]) -> None:
    """The installed package, not the checkout, is what runs; its app serves the packaged
    templates and stylesheet (site-packages has no top-level templates/ to find)."""
    probe = ("import sys, screening; app = screening.create_app(); "
             "print(screening.__file__); print(app.template_folder); print(app.static_folder); print(sys.path)")
    output = _run([str(venv / "bin" / "python"), "-c", probe], cwd=clinic, env=env, timeout=120).stdout
    package_file, templates, static, _sys_path = output.splitlines()[-4:]
    package = Path(package_file).resolve().parent
    assert str(REPO) not in output, output
    assert package.is_relative_to(venv.resolve()) and package.parent.name == "site-packages", package
    assert not (package.parent / "templates").exists()
    assert (Path(templates), Path(static)) == (package / "templates", package / "static")
    assert (package / "templates" / "base.html").is_file() and (package / "static" / "app.css").is_file()


def _wait_until_answering(server: subprocess.Popen[bytes], port: int, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited:\n" + log.read_text(errors="replace")
        try:
            if request(port, "GET", "/", timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("gunicorn did not answer:\n" + log.read_text(errors="replace"))


def _visit_as_patient_and_doctor(port: int, token: str, log: Path) -> None:
    patient = HttpPatient(port, token)
    status, headers, _ = patient.call("GET", f"/i/{token}")
    assert status == 302, log.read_text(errors="replace")
    status, _, start = patient.call("GET", urlsplit(headers["location"]).path)
    assert status == 200 and _heading(start) == "Health questions before your LDN appointment"

    first = QUESTIONNAIRE.pages[0]
    assert f'href="/questionnaire/page/{first.id}"' in start
    status, _, page = patient.call("GET", f"/questionnaire/page/{first.id}")
    assert status == 200 and _heading(page) == first.title, page

    stylesheet = STYLESHEET.search(page)
    assert stylesheet, page
    status, headers, css = request(port, "GET", stylesheet.group(1))
    assert status == 200 and headers["content-type"].startswith("text/css") and css.strip()

    status, _, login = request(port, "GET", "/doctor/login")
    assert status == 200 and 'type="password"' in login, login


def _heading(page: str) -> str:
    found = H1.search(page)
    assert found, page
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).split())
