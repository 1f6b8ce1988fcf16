#!/usr/bin/env python3
"""Two BotFlow builds side by side under the same load at the same time: an A/B of CPU per request that the machine's
drift between runs cannot bias (on this shared box two runs of one build minutes apart differ by up to 10%; two hosts
measured together differ by about ±2.5% per 10 s point, and the mean of four points by about 1%).

Each host gets its own data folder and its own wrk (64 connections by default), both against one loopback upstream;
both are warmed up together (45 s by default: two hosts share the CPU, so the tiered JIT settles about half as fast),
then measured together several times. It prints both hosts' requests/s, CPU µs per request and the share the JIT still
took, and B's CPU per request relative to A's. Build each checkout first
(`BOTFLOW_SKIP_EDITOR=true dotnet build host/BotFlow.Host -c Release`), e.g. the previous commit in a worktree:

    git worktree add /tmp/botflow-a HEAD~1 && (cd /tmp/botflow-a && BOTFLOW_SKIP_EDITOR=true dotnet build host/BotFlow.Host -c Release)
    python3 bench/ab.py --a /tmp/botflow-a --b .                   # old build against this one
    python3 bench/ab.py --b-env DOTNET_TieredPGO=0                 # one build, a runtime setting on B only

Everything listens on 127.0.0.1 and every process it starts is stopped by its PID.
"""
import argparse, os, tempfile, threading
import run as R


def start_checkout(i, checkout, extra, data):
    dll = os.path.join(os.path.abspath(checkout), "host", "BotFlow.Host", "bin", "Release", "net10.0", "BotFlow.Host.dll")
    if not os.path.exists(dll):
        raise SystemExit(f"{dll} is missing: build {checkout} in Release first")
    host, base = R.start_host(dll, i, data, extra), f"http://127.0.0.1:{5199 + i}"
    R.import_bench_flows(base)
    R.end_to_end_check(base)
    return host, base


def together(hosts, prefix, connections, seconds, names=("warm-up A", "warm-up B")):
    """bench/run.py's measurement of both hosts at once, each with its own wrk; its results (CPU µs per request, JIT share)."""
    out = [None] * len(hosts)

    def one(i):
        host, base = hosts[i]
        out[i] = R.measure(names[i], host.pid, base, prefix, R.API_KEY, connections, seconds)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(hosts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if any(o is None for o in out):
        raise SystemExit("a wrk run failed")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", default=R.ROOT, help="checkout of build A (default: this one)")
    ap.add_argument("--b", default=R.ROOT, help="checkout of build B (default: this one)")
    ap.add_argument("--a-env", nargs="*", default=[], metavar="NAME=VALUE", help="environment for host A only")
    ap.add_argument("--b-env", nargs="*", default=[], metavar="NAME=VALUE", help="environment for host B only")
    ap.add_argument("--scenario", default="boleto", choices=["boleto", "step"])
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--warmup", type=int, default=45)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--points", type=int, default=4)
    args = ap.parse_args()

    data = tempfile.mkdtemp(prefix="botflow-ab-")
    R.start(["node", os.path.join(R.BENCH, "upstream.js")], {"UPSTREAM_PORT": "18080"})
    R.wait_http("http://127.0.0.1:18080/stats")
    hosts = [start_checkout(0, args.a, dict(kv.split("=", 1) for kv in args.a_env), data),
             start_checkout(1, args.b, dict(kv.split("=", 1) for kv in args.b_env), data)]
    prefix = f"/api/flows/{args.scenario}-bench/conversations/"
    R.log(f"warming both up for {args.warmup} s…")
    together(hosts, prefix, args.connections, args.warmup)
    a_sum = b_sum = 0.0
    for point in range(args.points):
        a, b = together(hosts, prefix, args.connections, args.duration, (f"A, point {point + 1}", f"B, point {point + 1}"))
        a_sum, b_sum = a_sum + a["cpu_us_per_req"], b_sum + b["cpu_us_per_req"]
        R.log(f"  point {point + 1}: B/A {b['cpu_us_per_req'] / a['cpu_us_per_req']:.3f}")
    R.log(f"mean CPU per request: A {a_sum / args.points:.0f} us, B {b_sum / args.points:.0f} us, B/A {b_sum / a_sum:.3f}")


if __name__ == "__main__":
    try:
        main()
    finally:
        R.stop_all()
