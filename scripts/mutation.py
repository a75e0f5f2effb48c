"""Mutation testing of the security-critical code, area by area, with mutmut (`pip install -e '.[mutation]'`).

    python scripts/mutation.py                  # every area: run, then report
    python scripts/mutation.py signing audit    # some areas
    python scripts/mutation.py --rerun          # only the mutants not run, or survived unexplained, last time
    python scripts/mutation.py --jobs 2         # two mutants at once
    python scripts/mutation.py --report         # report the last run, run nothing
    python scripts/mutation.py --report --markdown   # the tables of docs/security.md

mutmut ([tool.mutmut] in pyproject.toml) copies the package into mutants/, mutates the modules
it lists, runs the selected tests once to learn which test calls which function, then runs each
mutant against the tests that call its function. This script picks the functions of each area
below (a mutmut name pattern each) and runs each area on its own, in .mutation/AREA/ (the
package, tests and examples linked, pyproject.toml copied with the area's own test files as
mutmut's test selection), then counts the results per area.

Each area is judged by its own tests: the files that test what it decides. With the whole suite
as the selection, a function such as the audit trail's `append`, which every command calls,
would run hundreds of tests for every surviving mutant (hours per area on two cores); a mutant
that only an unrelated test would catch counts as surviving here, so the score is, if
anything, low. `--jobs N` runs N mutants at once (the tests use their own temporary folders
and ports).

The tests run with CI=true, so a test that skips fails the clean run instead of letting mutants
survive unseen; and, where `unshare` can make one, in a network namespace with only a loopback
interface, which proves they need no network (`--with-network` to run them without it).

Every surviving mutant must be explained in scripts/mutation_survivors.toml (an equivalent
mutant, or why it is harmless); the script exits 1 while one is not, printing its diff.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SURVIVORS = ROOT / "scripts" / "mutation_survivors.toml"
SEP = "ǁ"  # mutmut's separator between a class and its method in a mutant's name


def _methods(module: str, cls: str, *names: str) -> list[str]:
    return [f"agentcore_identity_cli.{module}.x{SEP}{cls}{SEP}{name}__mutmut_*" for name in names]


def _functions(module: str, *names: str) -> list[str]:
    return [f"agentcore_identity_cli.{module}.x_{name}__mutmut_*" for name in names]


# area -> (what it covers, mutant name patterns)
AREAS: dict[str, tuple[str, list[str]]] = {
    "signing": (
        "workload access tokens: signing key, issue, verify (backends/local/signing.py) and the data-plane "
        "calls that issue or demand them (backends/local/dataplane.py)",
        [
            "agentcore_identity_cli.backends.local.signing.*",
            *_methods(
                "backends.local.dataplane",
                "DataPlaneMixin",
                "get_workload_access_token",
                "get_workload_access_token_for_user_id",
                "get_resource_api_key",
            ),
        ],
    ),
    "trust": (
        "trusted issuers and user JWTs: trust list, JWKS, verification, audience (backends/local/trust.py); "
        "the user's JWT kept for a token exchange (backends/local/dataplane.py)",
        [
            *_functions("backends.local.trust", "fetch_json", "_unverified"),
            *_methods(
                "backends.local.trust",
                "TrustMixin",
                "add_trusted_issuer",
                "_jwks",
                "verify_user_token",
                "_check_audience",
            ),
            *_methods(
                "backends.local.dataplane",
                "DataPlaneMixin",
                "get_workload_access_token_for_jwt",
                "_keep_subject_token",
                "subject_token",
            ),
        ],
    ),
    "oauth-state": (
        "OAuth state and PKCE: authorization request and redirect check (oauth/flows.py), loopback listener "
        "(oauth/listener.py), serve's hosted callback (server/callback.py), user-federation sessions "
        "(backends/local/sessions.py), login start and finish (backends/local/oauth_tokens.py)",
        [
            *_functions("oauth.flows", "_new_client", "authorization_request", "code_from_callback", "exchange_code"),
            *_methods("oauth.listener", "_Handler", "do_GET"),
            *_methods("oauth.listener", "LoopbackListener", "__init__", "submit"),
            *_functions("server.callback", "handle", "_receive", "_page"),
            *_functions("backends.local.sessions", "_state_digest", "_with_query"),
            *_methods(
                "backends.local.sessions",
                "SessionsMixin",
                "complete_resource_token_auth",
                "receive_session_callback",
                "receive_oauth2_callback",
                "_session_by_state",
                "_check_return_url",
                "_start_session",
                "_session",
                "_set_status",
                "_session_answer",
            ),
            *_methods(
                "backends.local.oauth_tokens",
                "OAuth2TokensMixin",
                "begin_user_authorization",
                "complete_user_authorization",
            ),
        ],
    ),
    "refresh-lock": (
        "one refresh at a time: the per-token lock file (backends/local/oauth_store.py) and the "
        "check-lock-recheck of cached and user tokens (backends/local/oauth_tokens.py)",
        [
            *_functions("backends.local.oauth_store", "token_id"),
            *_methods("backends.local.oauth_store", "TokenStoreMixin", "_lock_file"),
            *_methods(
                "backends.local.oauth_tokens", "OAuth2TokensMixin", "_cached", "_user_token", "_store_user_token"
            ),
        ],
    ),
    "audit": (
        "the audit chain and its seal: hashing, walking, linking, sealing, verifying (backends/local/audit.py)",
        [
            *_methods("backends.local.audit", "Event", "canonical", "computed_hash"),
            *_methods("backends.local.audit", "Verdict", "output"),
            *_methods(
                "backends.local.audit",
                "AuditTrail",
                "genesis",
                "head",
                "append",
                "_rows",
                "_walk",
                "_links",
                "_seal_key",
                "_mac",
                "read_seal",
                "_authentic",
                "_write_seal",
                "_key_created",
                "_advance_seal",
                "reseal",
                "seal_now",
                "verify",
                "_check_seal",
            ),
        ],
    ),
    "sealing": (
        "sealing and associated data: AES-GCM, AAD, Argon2id (backends/local/crypto.py), the seal and open "
        "paths of backends/local/core.py and backends/local/keys.py, and the replay of sealed-value "
        "versions that catches a rollback (backends/local/audit.py)",
        [
            "agentcore_identity_cli.backends.local.crypto.*",
            *_methods(
                "backends.local.core",
                "LocalCore",
                "_aad",
                "seal_secret",
                "store_sealed",
                "open_sealed_value",
                "open_secret",
                "reseal_all",
                "_key_loaded",
                "upgrade_unversioned",
            ),
            *_methods("backends.local.keys", "KeyRing", "open"),
            *_methods("backends.local.audit", "SealedValues", "check", "_recorded"),
            *_functions("backends.local.audit", "_changes"),
        ],
    ),
}

# area -> the test files that judge it (mutmut's test selection for the area's run)
AREA_TESTS: dict[str, list[str]] = {
    "signing": [
        "tests/test_signature_checks.py",
        "tests/test_key_rotation_other_process.py",
        "tests/test_dataplane.py",
        "tests/test_mutation_kills_signing.py",
    ],
    "trust": [
        "tests/test_user_jwt_signature_checks.py",
        "tests/test_oauth_token_exchange.py",
        "tests/test_http_deadlines.py",
        "tests/test_mutation_kills_trust.py",
    ],
    "oauth-state": [
        "tests/test_oauth_login.py",
        "tests/test_oauth_safety.py",
        "tests/test_dataplane_oauth.py",
        "tests/test_mutation_kills_oauth_state.py",
    ],
    "refresh-lock": [
        "tests/test_refresh_lock.py",
        "tests/test_oauth_refresh.py",
        "tests/test_oauth_client_credentials.py",
        "tests/test_oauth_token_exchange.py",
        "tests/test_mutation_kills_refresh_lock.py",
    ],
    "audit": [
        "tests/test_audit_chain.py",
        "tests/test_audit.py",
        "tests/test_audit_migration.py",
        "tests/test_mutation_kills_audit.py",
    ],
    "sealing": [
        "tests/test_vault_security.py",
        "tests/test_secret_rollback.py",
        "tests/test_key_rotation.py",
        "tests/test_key_rotation_other_process.py",
        "tests/test_audit.py",
        "tests/reliability/test_sealed_value_tampering.py",
        "tests/test_mutation_kills_sealing.py",
        # A crash run of a minute and more that checks no sealing logic of its own.
        "--deselect=tests/test_key_rotation.py::test_rotation_killed_half_way_leaves_every_secret_readable",
    ],
}
WORK = ROOT / ".mutation"

# mutmut's exit codes, by what they mean (mutmut/stats.py).
KILLED, SURVIVED, TIMEOUT = "killed", "survived", "timeout"
STATUS = {1: KILLED, 3: KILLED, 0: SURVIVED, 5: "no tests", 33: "no tests", 34: "skipped", 36: TIMEOUT}
STATUS.update({-24: TIMEOUT, 24: TIMEOUT, 152: TIMEOUT, 255: TIMEOUT, 37: "type check", -11: "crash", -9: "crash"})


def status(code: int | None) -> str:
    """What a mutant's exit code means."""
    if code is None:
        return "not checked"
    return STATUS.get(code, "suspicious")


def work_dir(area: str) -> Path:
    """Where an area's run happens: its own mutants/ and its own pyproject.toml."""
    return WORK / area


def prepare(area: str) -> Path:
    """The area's work folder: links to the package, tests and examples, and the project's
    pyproject.toml with the area's tests as mutmut's test selection (rewritten only when it
    changes, as a changed selection makes mutmut forget every result)."""
    import tomli_w

    folder = work_dir(area)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("agentcore_identity_cli", "tests", "examples"):
        link = folder / name
        if not link.is_symlink():
            link.symlink_to(os.path.relpath(ROOT / name, folder), target_is_directory=True)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project["tool"]["mutmut"]["pytest_add_cli_args_test_selection"] = AREA_TESTS[area]
    text = tomli_w.dumps(project)
    target = folder / "pyproject.toml"
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return folder


def results(area: str) -> dict[str, int | None]:
    """Every mutant of the area's last run, by name, with its exit code."""
    out: dict[str, int | None] = {}
    for meta in (work_dir(area) / "mutants").rglob("*.py.meta"):
        found = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        out.update({name: code for name, code in found.items() if in_area(name, area)})
    return out


def in_area(name: str, area: str) -> bool:
    """Whether a mutant belongs to an area."""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in AREAS[area][1])


def explanations() -> dict[str, str]:
    """The explained survivors: mutant name -> why it survives harmlessly."""
    if not SURVIVORS.exists():
        return {}
    data = tomllib.loads(SURVIVORS.read_text(encoding="utf-8"))
    return {name: str(entry["why"]) for name, entry in data.get("survivor", {}).items()}


def diff(name: str, area: str) -> list[str]:
    """The changed lines of one mutant (from `mutmut show`)."""
    folder = work_dir(area)
    shown = subprocess.run(["mutmut", "show", name], cwd=folder, capture_output=True, text=True, check=False).stdout
    return [
        line
        for line in shown.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---")) and line[1:].strip()
    ]


def offline_prefix() -> list[str]:
    """A command prefix that runs in a new network namespace with only loopback up, or [] if none can be made."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return []
    probe = subprocess.run(["unshare", "-rn", "ip", "link", "set", "lo", "up"], capture_output=True, check=False)
    if probe.returncode != 0:
        return []
    return ["unshare", "-rn", "sh", "-c", 'ip link set lo up && exec "$@"', "offline"]


def _mutmut(area: str, names: list[str], with_network: bool, jobs: int) -> int:
    """`mutmut run` of one area, with `jobs` workers, over these mutant names or patterns; its exit code."""
    prefix = [] if with_network else offline_prefix()
    if not prefix and not with_network:
        print("note: no network namespace could be made (unshare); the tests run with the network", file=sys.stderr)
    command = [*prefix, "mutmut", "run", "--max-children", str(jobs), *names]
    print(f"== {area}: {AREAS[area][0]}", file=sys.stderr)
    return subprocess.run(command, cwd=prepare(area), env={**os.environ, "CI": "true"}, check=False).returncode


def run(areas: list[str], with_network: bool, rerun: bool = False, jobs: int = 1) -> int:
    """Run the areas' mutants, area by area; with `rerun`, only those not yet judged. Its exit code."""
    explained = explanations()
    for area in areas:
        if not rerun:
            code = _mutmut(area, AREAS[area][1], with_network, jobs)
            if code != 0:
                return code
            continue
        # Mutants never run first (a changed function's mutants are numbered afresh); then the
        # survivors nobody has explained, which a test added since may now kill. A mutant killed
        # once stays killed while its function is unchanged, and an explained survivor is left
        # for the next full run.
        # The names come from the last generation: the first call to mutmut numbers a changed
        # function's mutants afresh, so the mutants never run are looked for again at the end.
        passes: tuple[Callable[[int | None], bool], ...] = (
            lambda code: code is None,
            lambda code: code is not None and status(code) != KILLED,
            lambda code: code is None,
        )
        for wanted in passes:
            # A mutant never run is run even if explained: the explanation holds only for a survivor.
            names = [
                name for name, code in results(area).items() if wanted(code) and (code is None or name not in explained)
            ]
            if names:
                code = _mutmut(area, names, with_network, jobs)
                if code != 0:
                    return code
    return 0


def report(areas: list[str], markdown: bool) -> int:
    """Per-area counts and every survivor; 1 when a survivor is unexplained or a mutant unchecked."""
    why = explanations()
    unexplained: list[str] = []
    unchecked = 0
    rows = []
    survivors: dict[str, list[str]] = {}
    for area in areas:
        found = results(area)
        names = sorted(found)
        counts = Counter(status(found[name]) for name in names)
        tested = len(names) - counts["not checked"] - counts["skipped"]
        caught = counts[KILLED] + counts[TIMEOUT]
        score = f"{100 * caught / tested:.1f}%" if tested else "-"
        rows.append((area, len(names), counts[KILLED], counts[SURVIVED], counts[TIMEOUT], score, counts))
        survivors[area] = [name for name in names if status(found[name]) == SURVIVED]
        unexplained += [name for name in survivors[area] if name not in why]
        unchecked += sum(n for s, n in counts.items() if s not in (KILLED, SURVIVED, TIMEOUT))
    if markdown:
        print("| area | mutants | killed | survived | timeouts | score |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for area, total, killed, survived, timeouts, score, _ in rows:
            print(f"| {area} | {total} | {killed} | {survived} | {timeouts} | {score} |")
        for area in areas:
            if not survivors[area]:
                continue
            print(f"\n**{area}** survivors:\n")
            print("| mutant | change | why it survives |")
            print("| --- | --- | --- |")
            for name in survivors[area]:
                change = " → ".join(f"`{line[1:].strip()}`" for line in diff(name, area)).replace("|", "\\|")
                short = name.rsplit(".", 1)[1].replace(SEP, ".").removeprefix("x.").removeprefix("x_")
                reason = " ".join(why.get(name, "UNEXPLAINED").split()).replace("|", "\\|")  # one table row
                print(f"| `{short}` | {change} | {reason} |")
    else:
        print(f"{'area':<14}{'mutants':>8}{'killed':>8}{'survived':>9}{'timeout':>8}{'score':>8}  other")
        for area, total, killed, survived, timeouts, score, counts in rows:
            other = ", ".join(f"{n} {s}" for s, n in counts.items() if s not in (KILLED, SURVIVED, TIMEOUT))
            print(f"{area:<14}{total:>8}{killed:>8}{survived:>9}{timeouts:>8}{score:>8}  {other}")
        for area in areas:
            for name in survivors[area]:
                print(f"\nsurvived [{area}] {name}\n    {why.get(name, 'UNEXPLAINED')}")
                if name not in why:
                    print("\n".join("    " + line for line in diff(name, area)))
    if unexplained:
        print(f"\n{len(unexplained)} surviving mutant(s) without an explanation in {SURVIVORS.name}", file=sys.stderr)
    if unchecked:
        print(f"\n{unchecked} mutant(s) not killed, survived or timed out (see `mutmut results`)", file=sys.stderr)
    return 1 if unexplained or unchecked else 0


def main(argv: list[str] | None = None) -> int:
    """Run and report, or report only."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("areas", nargs="*", choices=[[], *AREAS], metavar="AREA", help=", ".join(AREAS))
    parser.add_argument("--report", action="store_true", help="report the last run without running")
    parser.add_argument(
        "--rerun", action="store_true", help="run only the mutants the last run neither killed nor explained"
    )
    parser.add_argument("--markdown", action="store_true", help="report as the Markdown tables of docs/security.md")
    parser.add_argument("--jobs", type=int, default=1, metavar="N", help="mutants run at once (default 1)")
    parser.add_argument("--with-network", action="store_true", help="do not isolate the tests from the network")
    args = parser.parse_args(argv)
    areas = list(args.areas) or list(AREAS)
    if not args.report:
        started = time.monotonic()
        code = run(areas, args.with_network, args.rerun, max(1, args.jobs))
        print(f"\nmutmut run: exit {code}, {time.monotonic() - started:.0f} s wall time", file=sys.stderr)
        if code != 0:
            return code
    return report(areas, args.markdown)


if __name__ == "__main__":
    sys.exit(main())
