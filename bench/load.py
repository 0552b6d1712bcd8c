"""Load test: N concurrent dashboard sessions against a server on 127.0.0.1, for a bounded time.

    .venv/bin/python bench/load.py                 # 10, 25 and 50 sessions, 20 s each
    .venv/bin/python bench/load.py --sessions 30 --seconds 15 --url http://127.0.0.1:8501
    .venv/bin/python bench/load.py --via-proxy --sessions 25 100   # 2 replicas behind HAProxy

Each session is a websocket client speaking Streamlit's own protocol (what a browser tab does,
without drawing): it connects, runs the map page, then every few seconds (``--think``) changes a filter
(another year, another région) and waits for the script to finish, until the time is up.  Reported: sessions
held, script runs, errors (failed connections, timeouts, exceptions shown by the app), latency
percentiles of a run, and the server's peak memory.  Writes bench/load_results.json
(``--via-proxy``: ``territoires serve --replicas``, N replicas behind HAProxy, and bench/load_proxy_results.json,
with the replica count and the replicas' summed peak memory).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # serverproc
from serverproc import start_background

ROOT = Path(__file__).resolve().parents[1]
REGIONS = ["", "82", "31", "11", "72", "53", "93"]
MAX_CONNECTIONS_PER_LEVEL = 100  # a bound: this is a test of our own server, never of anything else


async def session(url: str, deadline: float, stats: dict, rng: random.Random, think: float) -> None:
    origin = url.replace("ws://", "http://").split("/_stcore")[0]
    try:
        async with websockets.connect(
            url, subprotocols=["streamlit"], max_size=None, origin=origin, open_timeout=20
        ) as ws:
            stats["held"] += 1
            first = True
            while time.monotonic() < deadline or first:
                q = "" if first else f"annee={rng.randint(1996, 2012)}&region={rng.choice(REGIONS)}"
                msg = BackMsg()
                msg.rerun_script.query_string = q
                msg.rerun_script.page_script_hash = ""
                t0 = time.perf_counter()
                await ws.send(msg.SerializeToString())
                while True:
                    raw = await asyncio.wait_for(ws.recv(), 60)
                    stats["bytes"] += len(raw)
                    fm = ForwardMsg()
                    fm.ParseFromString(raw)
                    kind = fm.WhichOneof("type")
                    if (
                        kind == "delta"
                        and fm.delta.WhichOneof("type") == "new_element"
                        and fm.delta.new_element.WhichOneof("type") == "exception"
                    ):
                        stats["errors"].append("exception affichée par l'application")
                    if kind == "script_finished":
                        break
                stats["latencies"].append(time.perf_counter() - t0)
                first = False
                await asyncio.sleep(rng.uniform(0.5, 1.5) * think)  # a viewer looks before changing a filter
    except (OSError, TimeoutError, websockets.WebSocketException) as exc:
        stats["errors"].append(f"{type(exc).__name__}: {exc}")


async def level(url: str, n: int, seconds: float, think: float) -> dict:
    stats = {"held": 0, "latencies": [], "errors": [], "bytes": 0}
    deadline = time.monotonic() + seconds
    rng = random.Random(n)
    t0 = time.perf_counter()
    await asyncio.gather(*(session(url, deadline, stats, rng, think) for _ in range(n)))
    lat = sorted(stats["latencies"])

    def pct(p: float) -> float:
        return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000) if lat else float("nan")

    return {
        "sessions": n,
        "held": stats["held"],
        "runs": len(lat),
        "errors": len(stats["errors"]),
        "error_kinds": sorted(set(stats["errors"]))[:5],
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.mean(lat) * 1000) if lat else None,
        "runs_per_s": round(len(lat) / (time.perf_counter() - t0), 1),
        "mb_sent": round(stats["bytes"] / 1e6, 1),
    }


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def record(results: dict, via_proxy: bool, path: Path = ROOT / "bench" / "results.json") -> None:
    """Add each level's p50, p90 and errors to bench/results.json (issue 19's budgets are read there),
    e.g. ``proxy_100_sessions_p90_s``; the other figures of that file are kept."""
    prefix = "proxy" if via_proxy else "single"
    merged = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for r in results["levels"]:
        key = f"{prefix}_{r['sessions']}_sessions"
        merged[f"{key}_p50_s"] = round(r["p50_ms"] / 1000, 2)
        merged[f"{key}_p90_s"] = round(r["p90_ms"] / 1000, 2)
        merged[f"{key}_errors"] = r["errors"]
    if via_proxy:
        merged["proxy_replicas"] = results.get("replicas")
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(merged, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)  # atomic: a reader never sees half a file


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, nargs="*", default=[10, 25, 50])
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--think", type=float, default=3.0, help="mean seconds a viewer waits between filter changes")
    ap.add_argument("--url", help="a server already running on 127.0.0.1 (default: start one)")
    ap.add_argument("--output", type=Path, help="default: bench/load_results.json (bench/load_proxy_results.json)")
    ap.add_argument("--via-proxy", action="store_true", help="N replicas behind HAProxy (or --url, a proxy)")
    ap.add_argument("--replicas", type=int, default=2, help="with --via-proxy: how many replicas to start")
    ap.add_argument("--warmup", action="store_true", help="one unmeasured first run per server before the levels")
    args = ap.parse_args()
    name = "load_proxy_results.json" if args.via_proxy else "load_results.json"
    args.output = args.output or ROOT / "bench" / name
    if any(n > MAX_CONNECTIONS_PER_LEVEL for n in args.sessions):
        ap.error(f"au plus {MAX_CONNECTIONS_PER_LEVEL} sessions par palier")
    proc = cluster = None
    if args.url:
        base = args.url.rstrip("/")
        if not base.startswith(("http://127.", "http://localhost")):
            ap.error("seulement un serveur local (127.0.0.1 ou localhost)")
    elif args.via_proxy:
        from territoires.replicas import Cluster, free_ports

        cluster = Cluster(args.replicas, free_ports(1)[0], "127.0.0.1", quiet=True)
        cluster.start()
        base = cluster.url
    else:
        proc, base, _ = start_background()
    url = base.replace("http://", "ws://") + "/_stcore/stream"
    results: dict = {"machine": f"{os.cpu_count()} cœurs", "seconds_per_level": args.seconds}
    if args.via_proxy:  # --url: the replica count is not known here
        results |= {"replicas": args.replicas if cluster is not None else None, "proxy": "HAProxy"}
    try:
        if args.warmup:  # a meeting's servers are started before the room arrives: their data already loaded
            results["warmup"] = asyncio.run(level(url, args.replicas if cluster else 1, 1, args.think))["runs"]
        results["levels"] = []
        for n in args.sessions:
            r = asyncio.run(level(url, n, args.seconds, args.think))
            if proc is not None:
                r["server_rss_mb"] = peak_rss_mb(proc.pid)
            if cluster is not None:  # the room's cost: every replica's peak, summed
                r["server_rss_mb"] = round(sum(peak_rss_mb(p.pid) for p in cluster.procs.values()), 1)
            results["levels"].append(r)
            print(" ".join(f"{k}={v}" for k, v in r.items() if k != "error_kinds"), r["error_kinds"] or "")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)
        if cluster is not None:
            cluster.stop()
    args.output.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if not args.url:  # a server this script started: its figures join bench/results.json
        record(results, args.via_proxy)
    return 0 if all(r["errors"] == 0 for r in results["levels"]) else 1


if __name__ == "__main__":
    sys.exit(main())
