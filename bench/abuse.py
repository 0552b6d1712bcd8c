"""Reliability benchmark (issue 14, item 7): hostile inputs replayed against a running dashboard and the CLI.

    .venv/bin/python bench/abuse.py                 # every case (≈ 5-10 minutes), needs /usr/bin/chromium
    .venv/bin/python bench/abuse.py --only 1,7,15   # some cases (« 7 » selects 7a, 7b, 7c)

Everything runs on a copy of data/geo and data/registry in a temporary directory (the repository's
data/ is checked unchanged at the end), with two staff accounts created there.  For each case:
what was tried, whether it was refused cleanly (non-zero exit or a French message on the page, no
traceback) or handled (a valid input), what the user saw, the time, the peak memory of the process
that did the work (the CLI under /usr/bin/time; the server's process tree sampled every 50 ms), and
whether the registry and the store are byte-identical afterwards (sha256 of every file).  A case
that legitimately writes records is checked instead by « territoires data check » (exit 0) and the
number of new change-log records, and the copy is restored before the next case.

Done when every case is refused or handled in under 10 s, under 600 MB, the registry and the store
intact.  Writes bench/abuse_results.json (atomically) and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import abuse_cli as c
import abuse_fetch as f
import abuse_web as w
from abuse_env import ROOT, Ctx, Workspace, data_check, log_records
from abuse_files import zip_bomb

MAX_SECONDS = 10.0
MAX_MB = 600.0

CASES: list[tuple[str, Callable[[Ctx], dict]]] = [
    ("1", w.anonymous),
    ("2", w.wrong_password),
    ("3", c.concurrent),
    ("4", c.duplicate_ids),
    ("5", c.huge_note),
    ("6", c.big_csv),
    ("7a", c.zip_bomb_cli),
    ("7b", lambda ctx: w.form_zip_bomb(ctx, zip_bomb(ctx.ws.files))),
    ("7c", c.lying_zip_bomb_cli),
    ("8a", c.rows_10k),
    ("8b", c.rows_10001),
    ("8c", c.rows_100k),
    ("9", c.control_characters),
    ("10", c.formula),
    ("11a", c.changes_markup),
    ("11b", c.changes_raw_escape),
    ("12", w.au_fuzz),
    ("13a", c.blank_file),
    ("13b", c.utf16_file),
    ("13c", c.malformed_csv),
    ("13d", c.ragged_csv),
    ("13e", c.binary_file),
    ("14a", c.export_to_directory),
    ("14b", c.export_to_proc),
    ("15a", f.endless_body),
    ("15b", f.trickling),
    ("15c", f.other_host),
    ("15d", f.sevenzip),
    ("16", w.repeated_imports),
]
DOCS = {"7b": w.form_zip_bomb.__doc__}


def selected(only: str | None) -> list[tuple[str, Callable]]:
    if not only:
        return CASES
    wanted = {x.strip() for x in only.split(",") if x.strip()}
    return [(cid, fn) for cid, fn in CASES if cid in wanted or re.sub(r"[a-z]$", "", cid) in wanted]


def run_case(ctx: Ctx, cid: str, fn: Callable[[Ctx], dict]) -> dict:
    ws = ctx.ws
    tried = (DOCS.get(cid) or fn.__doc__ or "").strip().splitlines()[0]
    reg0, geo0 = ws.sha("registry"), ws.sha("geo")
    log_path = ws.data / "registry" / "changelog.csv"
    log0 = log_records(log_path)
    t0 = time.perf_counter()
    try:
        r = fn(ctx)
    except Exception as exc:
        r = {
            "refused_cleanly": False,
            "message": f"le banc n'a pas pu jouer ce cas : {type(exc).__name__}: {exc}"[:200],
            "seconds": round(time.perf_counter() - t0, 2),
            "peak_mb": float("nan"),
            "bench_error": traceback.format_exc()[-2000:],
        }
    expected = r.pop("expect_new_log_lines", None)
    reg1, geo1 = ws.sha("registry"), ws.sha("geo")
    out = {"id": cid, "tried": tried, **r}
    out["registry_identical"] = reg1 == reg0
    out["store_identical"] = geo1 == geo0
    if not out["registry_identical"]:
        out["registry_changed_files"] = sorted(k for k in reg0.keys() | reg1.keys() if reg0.get(k) != reg1.get(k))
    registry_ok = out["registry_identical"]
    if expected is not None:  # a case that writes records: the registry must be consistent instead
        check = data_check(ws)
        new = log_records(log_path) - log0
        registry_ok = check.code == 0 and new == expected
        out["registry_consistent"] = {
            "data_check_exit": check.code,
            "new_log_records": new,
            "expected_new_log_records": expected,
            "ok": registry_ok,
        }
        if check.code != 0:
            out["registry_consistent"]["data_check_said"] = check.text[-600:]
    if not (out["registry_identical"] and out["store_identical"]):
        ctx.stale = True  # restored below: a running server will load it again
    ws.restore()
    checks = out.get("checks", {})
    peak = out.get("peak_mb")
    if not isinstance(peak, (int, float)) or peak != peak:  # not measured (NaN): not ok
        peak = out["peak_mb"] = None
    out["ok"] = bool(
        out["refused_cleanly"]
        and out["seconds"] < MAX_SECONDS
        and peak is not None
        and peak < MAX_MB
        and registry_ok
        and out["store_identical"]
        and not out.get("page_errors")
        and all(checks.values())
    )
    if not out["ok"]:
        out["failed"] = [k for k, v in checks.items() if not v] + [
            k
            for k, bad in (
                ("refused_cleanly", not out["refused_cleanly"]),
                ("seconds", not out["seconds"] < MAX_SECONDS),
                ("peak_mb", peak is None or not peak < MAX_MB),
                ("registry", not registry_ok),
                ("store", not out["store_identical"]),
            )
            if bad
        ]
    return out


def table(cases: list[dict]) -> str:
    head = f"{'cas':<4} {'ok':<3} {'propre':<8} {'s':>6} {'Mo':>6} {'reg':<5} {'geo':<4}  message"
    lines = [head, "-" * len(head)]
    for r in cases:
        reg = "=" if r["registry_identical"] else ("cons" if r.get("registry_consistent", {}).get("ok") else "✗")
        mb = "—" if r["peak_mb"] is None else f"{r['peak_mb']:.0f}"
        clean = (
            r["refused_cleanly"]
            if isinstance(r["refused_cleanly"], str)
            else ("oui" if r["refused_cleanly"] else "NON")
        )
        lines.append(
            f"{r['id']:<4} {'✓' if r['ok'] else '✗':<3} {clean:<8} {r['seconds']:>6.1f} {mb:>6} "
            f"{reg:<5} {'=' if r['store_identical'] else '✗':<4}  {r['message'][:90]}"
        )
        if not r["ok"]:
            lines.append(f"{'':<9}échec : {', '.join(r.get('failed', []))}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", help="cas à jouer, séparés par des virgules (ex. 1,7,15b)")
    ap.add_argument("--output", type=Path, default=ROOT / "bench" / "abuse_results.json")
    ap.add_argument("--keep", action="store_true", help="garder le dossier temporaire (journal du serveur)")
    args = ap.parse_args()
    todo = selected(args.only)
    if not todo:
        ap.error("aucun cas ne correspond à --only")
    t0 = time.perf_counter()
    ws = Workspace()
    ctx = Ctx(ws)
    results = []
    try:
        for cid, fn in todo:
            r = run_case(ctx, cid, fn)
            results.append(r)
            print(
                f"[{time.perf_counter() - t0:6.0f} s] {cid}: {'ok' if r['ok'] else 'ÉCHEC'} "
                f"({r['seconds']} s, {r['peak_mb']} Mo) {r['message'][:100]}",
                flush=True,
            )
    finally:
        server_start = ctx._server.start_s if ctx._server else None
        server_log = ctx._server.log_text()[-3000:] if ctx._server else ""
        ctx.close()
        real_unchanged = ws.real_sha() == ws.real_before and not list((ROOT / "data").glob(".geo-*"))
        if args.keep:
            print(f"dossier gardé : {ws.root}")
        else:
            ws.cleanup()
    doc = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpu_count": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        "limits": {"seconds": MAX_SECONDS, "peak_mb": MAX_MB},
        "server_start_s": server_start,
        "server_warmups": ctx.warmups,  # untimed visits after a start or a restore of the registry
        "server_log_tail": server_log,
        "total_seconds": round(time.perf_counter() - t0, 1),
        "real_data_unchanged": real_unchanged,
        "cases": results,
        "all_ok": all(r["ok"] for r in results) and real_unchanged,
    }
    tmp = args.output.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, args.output)
    print()
    print(table(results))
    print(
        f"\n{sum(r['ok'] for r in results)}/{len(results)} cas conformes ; données du dépôt inchangées : "
        f"{'oui' if real_unchanged else 'NON'} ; durée totale {doc['total_seconds']} s ; → {args.output}"
    )
    return 0 if doc["all_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
