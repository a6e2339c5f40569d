"""The one harness of the fault table (tests/workflow/test_faults.py, docs/faults.md).

A :class:`Workspace` is a copy of a workflow directory that already holds results (the default
run: every limit file, plot, table and export, published in results/). A case provokes its fault
the way a user meets it, through the workflow (a bad configuration) or through the command a rule
runs, with the rule's own arguments: its card may be replaced by a hand-edited one, an input by a
user's own file, a limit file by a mutated one. The harness then checks that the run stopped with
a handled error naming the file, field or DID, and that every earlier result, input and staged
output is byte-identical, with no new file left behind.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from click.testing import CliRunner

from dmcombine import cli
from dmcombine.catalogue import Checksums
from dmcombine.planning import cards

from ..conftest import VENV_BIN, snakemake, tool_env
from ..services.rucio_lab import RucioLab

# the trees whose every file must survive a fault byte for byte
KEPT = ("results", "resources")  # (the stage is Snakemake's: it may empty it before rerunning a job)


def commands_of(root: Path, *targets: str) -> dict[str, list[str]]:
    """rule -> the arguments of its dmcombine command, as the workflow runs it (a dry run of
    ``targets`` with every job forced, which prints the commands and changes nothing)."""
    result = snakemake(root, "--dry-run", "--printshellcmds", "--forceall", "--cores", "1", *targets)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    commands, rule = {}, None
    for line in (result.stdout + result.stderr).splitlines():
        line = line.strip()  # jobs of a group are indented
        if line.startswith(("rule ", "localrule ")):
            rule = line.split()[1].rstrip(":")
        elif "dmcombine --log " in line and rule:
            commands[rule] = shlex.split(line[line.index("dmcombine --log "):])[1:]
    return commands


@dataclass
class Workspace:
    root: Path
    commands: dict[str, list[str]]
    rucio: RucioLab | None = None  # the session's Rucio server, for the data-lake cases

    def snapshot(self) -> dict[str, bytes]:
        """Every file under results/ and resources/, by path."""
        return {p.relative_to(self.root).as_posix(): p.read_bytes()
                for top in KEPT if (self.root / top).exists() for p in (self.root / top).rglob("*") if p.is_file()}

    def user_file(self, name: str, content: bytes) -> str:
        path = self.root / "user" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return f"user/{name}"

    def card(self, rule: str) -> dict:
        """The card the rule's command names."""
        argv = self.commands[rule]
        return yaml.safe_load((self.root / argv[argv.index("--card") + 1]).read_text())

    def input_bytes(self, rule: str, role: str) -> bytes:
        return (self.root / self.card(rule)["inputs"][role]["path"]).read_bytes()

    def own_input(self, rule: str, role: str, content: bytes) -> Callable[[dict], None]:
        """A card edit: the input ``role`` is a user's own file with ``content``, recorded with its
        correct checksums (so only its content can be wrong)."""
        def edit(card: dict) -> None:
            record = card["inputs"][role]
            path = self.user_file(record["did"].replace(":", "/"), content)
            sums = Checksums.of_bytes(content)
            record.update(path=path, bytes=sums.bytes, adler32=sums.adler32, md5=sums.md5)
        return edit

    def replace_shipped(self, rule: str, role: str, content: bytes) -> None:
        path = self.root / self.card(rule)["inputs"][role]["path"]
        path.unlink()  # a hard link to the earlier workspace's copy
        path.write_bytes(content)

    def dmcombine(self, rule: str, swap: dict[str, str] | None = None, options: dict[str, str] | None = None,
                  card: Callable[[dict], None] | None = None, env: dict[str, str] | None = None) -> tuple[int, str]:
        """Run the rule's command with arguments swapped, options set, or its card edited (written to
        user/card.yaml); in-process, or as a process with ``env`` added. Returns (status, output)."""
        argv = [(swap or {}).get(a, a) for a in self.commands[rule]]
        for option, value in (options or {}).items():
            argv[argv.index(option) + 1] = value
        if card:
            doc = self.card(rule)
            card(doc)
            argv[argv.index("--card") + 1] = self.user_file("card.yaml", yaml.safe_dump(doc, sort_keys=False).encode())
        return self.run(argv, env)

    def run(self, argv: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
        """``dmcombine ARGV`` in the workspace; a traceback fails the case."""
        if env is not None:
            done = subprocess.run([str(VENV_BIN / "dmcombine"), *argv], cwd=self.root, env={**tool_env(), **env},
                                  capture_output=True, text=True, timeout=300, check=False)
            assert "Traceback" not in done.stderr, done.stderr[-3000:]
            return done.returncode, done.stdout + done.stderr
        with contextlib.chdir(self.root):
            result = CliRunner().invoke(cli.main, argv, catch_exceptions=True)
        for handler in list(logging.getLogger("dmcombine").handlers):
            handler.close()
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"unhandled {type(result.exception).__name__}: {result.exception}") from result.exception
        return result.exit_code, result.output

    def fetch(self, did: str, sums: Checksums, env: dict[str, str], attempts: int = 2) -> tuple[int, str]:
        """The fetch command of Rucio mode for one DID, to its staged place (nothing cached there)."""
        scope, name = did.split(":")
        card = cards.build("fetch_input", "fetch", {"did": did, "bytes": sums.bytes, "adler32": sums.adler32,
                                                    "md5": sums.md5, "attempts": attempts}, {}, [])
        path = self.user_file("fetch.yaml", cards.dumps(card, "fetch").encode())
        return self.run(["fetch", "--card", path, "--output", f"input=.dmcombine/stage/resources/inputs/{scope}/{name}"], env)

    def workflow(self, override: str) -> tuple[int, str]:
        (self.root / "bad.yaml").write_text(override + "\n")
        result = snakemake(self.root, "--cores", "1", "--configfile", "bad.yaml")
        return result.returncode, result.stdout + result.stderr


def workspace_from(root: Path, commands: dict[str, list[str]], dest: Path) -> Workspace:
    """A copy of a workflow directory: hard links for the results, inputs and cards (safe, because
    every writer of ours replaces a file atomically with a new inode), real copies of what others
    rewrite in place (Snakemake's metadata, the job logs)."""
    in_place = (".snakemake", "logs")
    shutil.copytree(root, dest, symlinks=True, copy_function=os.link, ignore=lambda d, names: in_place if d == str(root) else ())
    for folder in in_place:
        if (root / folder).exists():
            shutil.copytree(root / folder, dest / folder, symlinks=True)
    return Workspace(dest, commands)
