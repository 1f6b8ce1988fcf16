#!/usr/bin/env python3
"""The end-to-end load harness of performance.md.

Builds Release, starts the fast loopback upstream, the host on a fresh data folder, (with --floor) bench/MinimalHop
and (unless --no-node-red) the Node-RED 4.1.8 yardstick; checks one request end to end; warms each up (at least 15 s,
longer until the .NET JIT has settled; Node-RED as long as BotFlow took); then measures them in rounds (3 by default),
each round running wrk against each of them in turn at each connection count for a bounded time, so the machine's
drift reaches all of them alike. Prints requests/s, p50/p99, errors, CPU microseconds per request and peak RSS per
measurement, their medians over the rounds, and BotFlow's ratios to Node-RED (the median of each round's ratio).
Everything listens on 127.0.0.1 and every process it starts is stopped by its PID.

    python3 bench/run.py                 # full run (about 12 minutes)
    python3 bench/run.py --smoke         # a few hundred requests, BotFlow only (CI)
"""
import argparse, itertools, json, os, re, sqlite3, shutil, signal, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
HZ = os.sysconf("SC_CLK_TCK")
API_KEY = "bench-key-0123456789abcdef"
# As docs/configuration.md says to start the host (and the README's run command does): glibc reads it only from the
# environment the process starts with. The floor is started with it too.
NATIVE_HEAP = {"MALLOC_ARENA_MAX": "2"}
started = []


def log(*a):
    print(*a, flush=True)


def start(cmd, env=None, cwd=None):
    p = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, cwd=cwd or ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    started.append(p)
    return p


def stop_all():
    for p in started:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


def http(method, url, body=None, key=True):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    if key:
        req.add_header("X-Api-Key", API_KEY)
    with urllib.request.urlopen(req, timeout=30) as r:
        text = r.read().decode()
        return r.status, (json.loads(text) if text else None)


def wait_http(url, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def cpu_ticks(pid):
    return sum(cpu_split(pid))


def cpu_split(pid):
    """The process's (user, kernel) CPU ticks so far."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])  # utime, stime


def machine_ticks():
    """The whole machine's (all, steal) CPU ticks so far: steal is time the hypervisor gave this VM's CPUs to others."""
    fields = [int(f) for f in open("/proc/stat").readline().split()[1:]]
    return sum(fields[:8]), fields[7]


def steal_share(before, after):
    """The share of the machine's CPU time between two machine_ticks() readings that was stolen."""
    return (after[1] - before[1]) / max(1, after[0] - before[0])


def jit_ticks(pid):
    """CPU ticks of each of the .NET runtime's tiered-compilation threads by thread id; None for a process without one
    (Node-RED). The runtime ends the thread when it has been idle a while and starts a new one when work comes."""
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            stat = open(f"/proc/{pid}/task/{tid}/stat").read()
        except OSError:
            continue  # the thread ended
        if stat[stat.index("(") + 1:stat.rindex(")")].startswith(".NET Tiered"):
            threads[tid] = sum(int(f) for f in stat.rsplit(")", 1)[1].split()[11:13])
    return threads if threads or is_dotnet(pid) else None


def is_dotnet(pid):
    """Whether the process runs the .NET runtime (its own threads are named ".NET …")."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            if open(f"/proc/{pid}/task/{tid}/comm").read().startswith(".NET"):
                return True
        except OSError:
            continue
    return False


def jit_delta(before, after):
    """JIT ticks between two readings; a thread that ended in between takes its last ticks with it (counted short)."""
    return None if before is None or after is None else sum(max(0, v - before.get(t, 0)) for t, v in after.items())


def peak_rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


# Every wrk run gets its own number, from which boleto.lua numbers its contacts: no run repeats another's contact.
RUNS = itertools.count()


def wrk(url, connections, seconds, prefix, key):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", os.path.join(BENCH, "boleto.lua"), url, "--",
                          prefix, key, str(next(RUNS))],
                         capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))

    def pct(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        if not m:
            return float("nan")
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v

    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    # wrk's socket errors by kind; "timeout" counts requests that took longer than wrk's 2 s, not error answers.
    sock = {k: int(v) for k, v in re.findall(r"(connect|read|write|timeout) (\d+)", out)} if "Socket errors" in out else {}
    return {"rps": rps, "requests": total, "p50_ms": pct(50), "p99_ms": pct(99), "errors": non2xx + sum(sock.values()),
            "non2xx": non2xx, "socket_errors": sock}


def check_new_contacts(db, runs):
    """Every answered request must have made a contact of its own (the workload is a new contact per request)."""
    answered = sum(r["requests"] - r["errors"] for r in runs)
    with sqlite3.connect(db, timeout=30) as con:
        stored = con.execute("select count(*) from contacts where id like 'bench-%' and id <> 'bench-check'").fetchone()[0]
    # wrk counts only answers it read before its time was up; the host may have stored a few more.
    if stored < answered:
        raise SystemExit(f"{answered} requests answered but only {stored} contacts stored: the load repeated contacts")
    log(f"new-contact check: {stored} contacts stored for {answered} answered requests")


def measure(name, pid, url, prefix, key, connections, seconds):
    (user_before, kernel_before), jit_before, machine_before = cpu_split(pid), jit_ticks(pid), machine_ticks()
    r = wrk(url, connections, seconds, prefix, key)
    (user_after, kernel_after), jit_after, machine_after = cpu_split(pid), jit_ticks(pid), machine_ticks()
    ticks = user_after - user_before + kernel_after - kernel_before
    r["cpu_us_per_req"] = ticks / HZ * 1e6 / max(1, r["requests"])
    # The kernel's part of the process's CPU (sockets, the WAL's writes) and the machine's stolen time in the point:
    # what moves when this shared machine is busy, shown so two runs can be told apart by more than their figures.
    r["kernel_share"] = (kernel_after - kernel_before) / max(1, ticks)
    r["steal_share"] = steal_share(machine_before, machine_after)
    r["rss_mb"] = peak_rss_mb(pid)
    # How much of that CPU the tiered JIT still took (it settles slowly under load): part of the figure, shown apart.
    jit_used = jit_delta(jit_before, jit_after)
    r["jit_share"] = None if jit_used is None else jit_used / max(1, ticks)
    shares = f" (kernel {100 * r['kernel_share']:.0f}%" + ("" if r["jit_share"] is None else f", JIT {100 * r['jit_share']:.1f}%") + ")"
    log(f"  {name:<22} c={connections:<3} {r['rps']:>9.0f} req/s  p50 {r['p50_ms']:7.2f} ms  p99 {r['p99_ms']:7.2f} ms  "
        f"errors {r['errors']:<4} cpu {r['cpu_us_per_req']:7.0f} us/req{shares}  peak RSS {r['rss_mb']:6.0f} MB  steal {100 * r['steal_share']:.1f}%")
    if r["errors"]:
        log(f"    errors: {r['non2xx']} non-2xx answers, socket errors {r['socket_errors'] or 'none'}")
    return r


def warm_up(name, pid, url, prefix, key, args, seconds=None):
    """Load at 64 connections before anything is measured: at least args.warmup s, then on in 5 s slices until the
    tiered JIT took less than args.jit_settled of the host's CPU in the last slice, at most args.warmup_max s in all.
    A .NET host still compiles its hot methods 15–25 s into this load (bench/results: 33, 15, 5, then 0.6% of its CPU in
    consecutive 10 s points after 15 s), and a point measured while it does weighs that transient, not the steady
    state. A process whose JIT cannot be read (Node-RED) gets `seconds` (what BotFlow took), so both warm equally.
    Returns wrk's figures summed over the slices (for check_new_contacts) and the seconds it ran."""
    slice_s = 5
    fixed = seconds is not None or args.warmup_max <= args.warmup or pid is None or jit_ticks(pid) is None
    total = seconds if seconds is not None else args.warmup if fixed else max(args.warmup, slice_s)
    log(f"warming up {name} for {total} s{'' if fixed else f' or more, until the JIT takes < {100 * args.jit_settled:g}% of its CPU'}…")
    runs = [wrk(url, 64, total if fixed else total - slice_s, prefix, key)] if fixed or total > slice_s else []
    while not fixed:
        before, jit_before = cpu_ticks(pid), jit_ticks(pid)
        runs.append(wrk(url, 64, slice_s, prefix, key))
        share = (jit_delta(jit_before, jit_ticks(pid)) or 0) / max(1, cpu_ticks(pid) - before)
        if share < args.jit_settled or total + slice_s > args.warmup_max:
            log(f"  {name} warmed up for {total} s (JIT {100 * share:.1f}% of its CPU in the last {slice_s} s)")
            break
        total += slice_s
    return {"requests": sum(r["requests"] for r in runs), "errors": sum(r["errors"] for r in runs), "seconds": total}


def measure_many(name, hosts, prefix, connections, seconds):
    """wrk against every host at once (connections split between them); CPU summed over the hosts."""
    import concurrent.futures
    before, machine_before = [cpu_split(h.pid) for h in hosts], machine_ticks()
    with concurrent.futures.ThreadPoolExecutor(len(hosts)) as pool:
        runs = list(pool.map(lambda i: wrk(f"http://127.0.0.1:{5199 + i}", max(2, connections // len(hosts)), seconds, prefix, API_KEY), range(len(hosts))))
    after, machine_after = [cpu_split(h.pid) for h in hosts], machine_ticks()
    ticks = sum(a[0] - b[0] + a[1] - b[1] for a, b in zip(after, before))
    total = sum(r["requests"] for r in runs)
    r = {"rps": sum(r["rps"] for r in runs), "requests": total, "p50_ms": max(r["p50_ms"] for r in runs), "p99_ms": max(r["p99_ms"] for r in runs),
         "errors": sum(r["errors"] for r in runs), "cpu_us_per_req": ticks / HZ * 1e6 / max(1, total), "rss_mb": max(peak_rss_mb(h.pid) for h in hosts),
         "kernel_share": sum(a[1] - b[1] for a, b in zip(after, before)) / max(1, ticks),
         "steal_share": steal_share(machine_before, machine_after)}
    log(f"  {name:<22} c={connections:<3} {r['rps']:>9.0f} req/s  p50 {r['p50_ms']:7.2f} ms  p99 {r['p99_ms']:7.2f} ms  "
        f"errors {r['errors']:<4} cpu {r['cpu_us_per_req']:7.0f} us/req (all hosts)  peak RSS {r['rss_mb']:6.0f} MB (largest host)")
    return r


def curves(base, pid, boleto, seconds):
    """Scale with work (performance.md): the boleto step with a bigger flow, a bigger response, a longer mapping script."""
    out = {"flow_blocks": {}, "response_kib": {}, "script_lines": {}}
    log("flow size (the boleto path is the same; the other blocks hang off the integration's failure exit):")
    for n in (10, 100, 500, 2000):
        flow = json.loads(json.dumps(boleto))
        flow["id"] = f"boleto-n{n}"
        flow["blocks"][0]["exits"]["failure"] = "m1"
        flow["blocks"] += [{"id": f"m{i}", "type": "message", "config": {"text": f"Mensagem {i} para {{{{ contact.name }}}}"},
                            "next": f"m{i + 1}" if i < n - 2 else "fim"} for i in range(1, n - 1)]
        t0 = time.time()
        status, _ = http("PUT", f"{base}/api/flows/{flow['id']}", flow)
        saved_ms = (time.time() - t0) * 1000
        if status >= 300:
            raise SystemExit(f"flow of {n} blocks refused: {status}")
        r = measure(f"{n} blocks", pid, base, f"/api/flows/{flow['id']}/conversations/", API_KEY, 64, seconds)
        r["save_ms"] = saved_ms
        log(f"    saving the {n}-block flow (validate + store): {saved_ms:.0f} ms")
        out["flow_blocks"][n] = r
    log("response size:")
    for kib in (1, 16, 256, 1000):  # 1000 KiB: the largest below the default 1 MiB cap
        flow = json.loads(json.dumps(boleto))
        flow["id"] = f"boleto-kb{kib}"
        flow["blocks"][0]["config"]["url"] = f"http://127.0.0.1:18080/boletos/segunda-via-kb/{kib}"
        http("PUT", f"{base}/api/flows/{flow['id']}", flow)
        out["response_kib"][kib] = measure(f"{kib} KiB response", pid, base, f"/api/flows/{flow['id']}/conversations/", API_KEY, 64, seconds)
    log("mapping script length (cached; each line one statement):")
    for lines in (10, 100, 1000):
        flow = json.loads(json.dumps(boleto))
        flow["id"] = f"boleto-js{lines}"
        flow["blocks"][0]["config"]["script"] = "\n".join(
            ["var v = response.body.data.amount;"] + ["v = v + 1;"] * (lines - 2) + ["setVar('valor', v); return 'success';"])
        http("PUT", f"{base}/api/flows/{flow['id']}", flow)
        out["script_lines"][lines] = measure(f"{lines}-line script", pid, base, f"/api/flows/{flow['id']}/conversations/", API_KEY, 64, seconds)
    return out


def upstream_stats():
    """bench/upstream.js's counters: calls answered, requests rejected (wrong body or token)."""
    return http("GET", "http://127.0.0.1:18080/stats", key=False)[1]


def end_to_end_check(base):
    """One request end to end: exact reply, exactly one upstream call."""
    calls_before = upstream_stats()["calls"]
    status, answer = http("POST", f"{base}/api/flows/boleto-bench/conversations/bench-check/messages",
                          {"text": "quero a segunda via do boleto", "fields": {"name": "João Conceição", "cpf": "52998224725", "email": "cliente@example.com.br"}})
    calls_after = upstream_stats()["calls"]
    if [r["text"] for r in answer["replies"]] != ["Seu boleto: https://pay.example/b/52998224725"] or calls_after - calls_before != 1:
        raise SystemExit(f"end-to-end check failed at {base}: {answer}, upstream calls {calls_after - calls_before}")
    log("end-to-end check: OK (exact reply, one upstream call)")


def start_floor(data, args, prefix):
    """bench/MinimalHop on its own data folder, checked end to end and warmed up like BotFlow; (process, base, warm-up)."""
    log("building bench/MinimalHop (the floor)…")
    subprocess.run(["dotnet", "build", os.path.join(BENCH, "MinimalHop"), "-c", "Release", "-v", "q", "-nologo"], check=True, stdout=subprocess.DEVNULL)
    hop = start(["dotnet", os.path.join(BENCH, "MinimalHop", "bin", "Release", "net10.0", "MinimalHop.dll"), "--urls", "http://127.0.0.1:5299"],
                {"DataFolder": os.path.join(data, "floor"), **NATIVE_HEAP})  # started like BotFlow
    base = "http://127.0.0.1:5299"
    wait_http(f"{base}/health")
    end_to_end_check(base)
    return hop, base, warm_up("the floor", hop.pid, base, prefix, "", args)


def start_node_red(args, prefix, seconds):
    """Node-RED 4.1.8 (installed from npm into bench/.cache once) with the workload as a flow, warmed up for `seconds`."""
    cache = os.path.join(BENCH, ".cache", "node-red-4.1.8")
    if not os.path.exists(os.path.join(cache, "node_modules", "node-red")):
        log("installing node-red@4.1.8 (npm)…")
        os.makedirs(cache, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", cache, "node-red@4.1.8"], check=True, stdout=subprocess.DEVNULL)
    user = tempfile.mkdtemp(prefix="node-red-")
    flow = os.path.join(user, "flows.json")
    shutil.copy(os.path.join(BENCH, "node-red-flow.json"), flow)
    red = start(["node", os.path.join(cache, "node_modules", "node-red", "red.js"), "--settings", os.path.join(BENCH, "node-red-settings.js")],
                {"NODE_RED_PORT": "1899", "NODE_RED_FLOW": flow, "NODE_RED_USER_DIR": user})
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            http("POST", f"http://127.0.0.1:1899{prefix}x/messages",
                 {"text": "x", "fields": {"name": "João Conceição", "cpf": "52998224725", "email": "c@example.com.br"}}, key=False)
            break
        except Exception:
            time.sleep(0.3)
    warm_up("Node-RED", red.pid, "http://127.0.0.1:1899", prefix, "", args, seconds=seconds)
    return red


def median(values):
    values = sorted(values)
    n = len(values)
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


def summarise(rounds):
    """One point's figures over the rounds: medians, the errors and requests of all rounds, the highest peak RSS."""
    out = {k: median([r[k] for r in rounds]) for k in ("rps", "p50_ms", "p99_ms", "cpu_us_per_req", "kernel_share", "steal_share")}
    out.update(requests=sum(r["requests"] for r in rounds), errors=sum(r["errors"] for r in rounds), rss_mb=max(r["rss_mb"] for r in rounds),
               rounds=rounds)
    return out


def ratios(ours, theirs, key):
    """BotFlow's figure over the other's, round by round (each pair measured minutes apart at most), and their median."""
    per_round = [a[key] / b[key] for a, b in zip(ours["rounds"], theirs["rounds"]) if b[key]]
    return median(per_round), per_round


def start_host(dll, i, data, extra=None):
    """Host number i on port 5199 + i in Production, its own data folder under data, the bench API key; waits for /health."""
    host = start(["dotnet", dll, "--urls", f"http://127.0.0.1:{5199 + i}"], {
        "ASPNETCORE_ENVIRONMENT": "Production",
        "BotFlow__Storage__DataFolder": os.path.join(data, f"host{i}"),
        "BotFlow__Flows__ImportSamples": "false",
        "BotFlow__Auth__ApiKeys__0__Name": "bench", "BotFlow__Auth__ApiKeys__0__Role": "admin", "BotFlow__Auth__ApiKeys__0__Key": API_KEY,
        "BotFlow__Integration__AllowedHosts__0": "127.0.0.1",
        "Logging__LogLevel__Default": "Warning",
        **NATIVE_HEAP,
        **(extra or {}),
    }, cwd=os.path.dirname(dll))
    wait_http(f"http://127.0.0.1:{5199 + i}/health")
    return host


def import_bench_flows(base):
    """The fields and the four scenarios' flows (boleto, boleto with a script, boleto with a 256 KiB answer, the step); answers the boleto flow."""
    http("PUT", f"{base}/api/fields/cpf", {"label": "CPF", "type": "cpf"})
    http("PUT", f"{base}/api/fields/email", {"label": "E-mail", "type": "email"})
    boleto = json.load(open(os.path.join(BENCH, "boleto-bench.flow.json")))
    http("PUT", f"{base}/api/flows/boleto-bench", boleto)
    script = json.loads(json.dumps(boleto)); script["id"] = "boleto-script"
    script["blocks"][0]["config"]["script"] = "if (response.status === 200 && response.body.data) { setVar('valor', response.body.data.amount); return 'success'; } return 'failure';"
    http("PUT", f"{base}/api/flows/boleto-script", script)
    big = json.loads(json.dumps(boleto)); big["id"] = "boleto-big"
    big["blocks"][0]["config"]["url"] = "http://127.0.0.1:18080/boletos/segunda-via-big"
    http("PUT", f"{base}/api/flows/boleto-big", big)
    http("PUT", f"{base}/api/flows/step-bench", {"id": "step-bench", "start": "ola", "blocks": [
        {"id": "ola", "type": "message", "config": {"text": "Olá, {{ contact.name }}!"}, "next": "cpf"},
        {"id": "cpf", "type": "question", "config": {"text": "Qual é o seu CPF?", "field": "cpf"}}]})
    return boleto


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true", help="a few hundred requests, BotFlow only")
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=15, help="seconds of load before measuring, at least (see --jit-settled)")
    ap.add_argument("--warmup-max", type=int, default=60, help="seconds of warm-up at most")
    ap.add_argument("--jit-settled", type=float, default=0.01, help="warm a .NET host on in 5 s slices until its tiered JIT takes less than this share of its CPU")
    ap.add_argument("--connections", default="16,64")
    ap.add_argument("--rounds", type=int, default=3, help="every participant measured once per round, the rounds one after another; figures are medians")
    ap.add_argument("--scenarios", default="boleto,step,script,big")
    ap.add_argument("--no-node-red", action="store_true")
    ap.add_argument("--floor", action="store_true", help="also measure bench/MinimalHop (the workload with nothing but ASP.NET Core, HttpClient and SQLite group commit) and print BotFlow's ratios to it")
    ap.add_argument("--postgres", metavar="ADMIN_CONNECTION", help="run the hosts on PostgreSQL: an admin connection string (Host=;Port=;Username=), a fresh database is created")
    ap.add_argument("--seed-contacts", type=int, default=0, help="SQLite only: contacts (with a finished conversation each) stored before the load, to show a step stays O(1) in stored rows")
    ap.add_argument("--curves", action="store_true", help="BotFlow only: how a step's cost changes with flow size, response size and script length (64 connections)")
    ap.add_argument("--hosts", type=int, default=1, help="hosts sharing the database (PostgreSQL only); wrk splits the connections between them")
    args = ap.parse_args()
    if args.rounds < 1 or args.duration < 1 or args.warmup < 1 or not 0 < args.jit_settled < 1:
        ap.error("--rounds, --duration and --warmup must be at least 1, and --jit-settled a share between 0 and 1 (e.g. 0.01)")
    if args.smoke:
        args.duration, args.warmup, args.warmup_max, args.connections, args.scenarios, args.no_node_red, args.rounds = 1, 1, 1, "16", "boleto,step", True, 1
    if not shutil.which("wrk"):
        raise SystemExit("wrk is required: apt-get install -y wrk")

    log("building Release…")
    subprocess.run(["dotnet", "build", os.path.join(ROOT, "host", "BotFlow.Host"), "-c", "Release", "-v", "q", "-nologo"], check=True,
                   env={**os.environ, "BOTFLOW_SKIP_EDITOR": "true"}, stdout=subprocess.DEVNULL)
    data = tempfile.mkdtemp(prefix="botflow-bench-")
    upstream = start(["node", os.path.join(BENCH, "upstream.js")], {"UPSTREAM_PORT": "18080"})
    wait_http("http://127.0.0.1:18080/stats")
    host_dll = os.path.join(ROOT, "host", "BotFlow.Host", "bin", "Release", "net10.0", "BotFlow.Host.dll")
    storage = {}
    if args.postgres:
        name = "botflow_bench_" + str(int(time.time()))
        admin = dict(p.split("=", 1) for p in args.postgres.split(";") if p)
        subprocess.run(["psql", f"host={admin.get('Host', '127.0.0.1')} port={admin.get('Port', '5432')} user={admin.get('Username', 'postgres')} dbname=postgres",
                        "-qc", f"create database {name}"], check=True)
        storage = {"BotFlow__Storage__Provider": "PostgreSql", "ConnectionStrings__BotFlow": f"{args.postgres};Database={name};Maximum Pool Size=64"}
        log(f"PostgreSQL database {name}, {args.hosts} host(s)")
    hosts = [start_host(host_dll, i, data, storage) for i in range(args.hosts if args.postgres else 1)]
    host = hosts[0]
    base = "http://127.0.0.1:5199"
    boleto = import_bench_flows(base)

    if args.seed_contacts and not args.postgres:
        db = os.path.join(data, "host0", "botflow.db")
        t0 = time.time()
        subprocess.run(["sqlite3", db, f"""
            pragma busy_timeout=10000;
            insert into contacts (id, fields, created_at, updated_at)
              select 'seed-' || value, '{{"name":"Seed","cpf":"52998224725"}}', '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:00:00.0000000Z' from generate_series(1, {args.seed_contacts});
            insert into conversations (contact_created_at, flow_id, contact_id, id, flow_version, status, block_id, waiting, vars, response, department, started_at, updated_at)
              select '2026-01-01T00:00:00.0000000Z', 'step-bench', 'seed-' || value, 'c' || value, 1, 'waiting', 'cpf', 1, '{{}}', null, null, '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:00:00.0000000Z' from generate_series(1, {args.seed_contacts});
            insert into messages (contact_id, contact_created_at, flow_id, conversation_id, block_id, direction, text, status, channel, created_at)
              select 'seed-' || value, '2026-01-01T00:00:00.0000000Z', 'step-bench', 'c' || value, 'cpf', 'out', 'Qual é o seu CPF?', 'delivered', 'test', '2026-01-01T00:00:00.0000000Z' from generate_series(1, {args.seed_contacts});
            """], check=True)
        log(f"seeded {args.seed_contacts} contacts with waiting conversations and messages in {time.time() - t0:.1f} s")

    end_to_end_check(base)

    connections = [int(c) for c in args.connections.split(",")]
    results = {"botflow": {}, "node-red": {}}
    prefixes = {"boleto": "/api/flows/boleto-bench/conversations/", "step": "/api/flows/step-bench/conversations/",
                "script": "/api/flows/boleto-script/conversations/", "big": "/api/flows/boleto-big/conversations/"}
    if len(hosts) == 1:
        warmup = warm_up("BotFlow", host.pid, base, prefixes["boleto"], API_KEY, args)
    else:
        # Every host takes its share of the load, as in the measurements (the first one alone used to be warmed).
        log(f"warming up the {len(hosts)} hosts for {args.warmup} s…")
        warmup = {**measure_many("warm-up", hosts, prefixes["boleto"], 64, args.warmup), "seconds": args.warmup}
    results["warmup_s"] = warmup["seconds"]

    # The others start now and stay up, so every round measures all of them within a few minutes: this shared machine
    # drifts by up to 2x in CPU per request over the quarter of an hour a run takes, and a ratio of two figures
    # measured ten minutes apart carried that drift (bench/results …T224844: Node-RED 1,998 us/req, its previous run 1,530).
    floor = start_floor(data, args, prefixes["boleto"]) if args.floor else None
    red = None if args.no_node_red else start_node_red(args, prefixes["boleto"], warmup["seconds"])
    runs = {"botflow": {}, "floor": {}, "node-red": {}}

    def point(who, key, run):
        before = upstream_stats()["rejected"]
        r = run()
        if upstream_stats()["rejected"] != before:
            raise SystemExit(f"the upstream rejected request(s) from {who}: a wrong body or token")
        runs[who].setdefault(key, []).append(r)

    for n in range(args.rounds):
        log(f"round {n + 1} of {args.rounds}:")
        for scenario in args.scenarios.split(","):
            for c in connections:
                if len(hosts) == 1:
                    point("botflow", f"{scenario}@{c}", lambda: measure(f"BotFlow {scenario}", host.pid, base, prefixes[scenario], API_KEY, c, args.duration))
                else:
                    point("botflow", f"{scenario}@{c}", lambda: measure_many(f"BotFlow {scenario}", hosts, prefixes[scenario], c, args.duration))
        for c in connections if floor else []:
            point("floor", f"boleto@{c}", lambda: measure("the floor boleto", floor[0].pid, floor[1], prefixes["boleto"], "", c, args.duration))
        for c in connections if red else []:
            point("node-red", f"boleto@{c}", lambda: measure("Node-RED boleto", red.pid, "http://127.0.0.1:1899", prefixes["boleto"], "", c, args.duration))

    results["rounds"] = args.rounds
    if args.curves:
        results["curves"] = curves(base, host.pid, boleto, args.duration)
    for who in runs:
        if runs[who]:
            results[who] = {key: summarise(rounds) for key, rounds in runs[who].items()}
    if not args.postgres:
        check_new_contacts(os.path.join(data, "host0", "botflow.db"), [warmup, *(r for rounds in runs["botflow"].values() for r in rounds)])
    if floor:
        check_new_contacts(os.path.join(data, "floor", "botflow.db"), [floor[2], *(r for rounds in runs["floor"].values() for r in rounds)])

    log(f"medians of {args.rounds} round(s); ratios are the median of each round's ratio (the rounds' own in brackets):")
    for who, figures in results.items():
        if who in ("botflow", "floor", "node-red") and figures:
            for key, f in figures.items():
                log(f"  {who:<9} {key:<10} {f['rps']:>9.0f} req/s  p50 {f['p50_ms']:7.2f} ms  p99 {f['p99_ms']:7.2f} ms  errors {f['errors']:<4} "
                    f"cpu {f['cpu_us_per_req']:7.0f} us/req (kernel {100 * f['kernel_share']:.0f}%)  peak RSS {f['rss_mb']:6.0f} MB  steal {100 * f['steal_share']:.1f}%")

    def shown(pair):
        return f"{pair[0]:.2f}x ({', '.join(f'{v:.2f}' for v in pair[1])})"

    for other, title in (("floor", "BotFlow / the floor"), ("node-red", "BotFlow / Node-RED")):
        if other not in results or not results[other]:
            continue
        log(f"{title} (same rounds):")
        for c in connections:
            b, o = results["botflow"].get(f"boleto@{c}"), results[other][f"boleto@{c}"]
            if not b:
                continue
            rps, cpu, p99 = ratios(b, o, "rps"), ratios(b, o, "cpu_us_per_req"), ratios(b, o, "p99_ms")
            results.setdefault("ratios", {}).setdefault(other, {})[f"boleto@{c}"] = {"rps": rps[0], "cpu_us_per_req": cpu[0], "p99_ms": p99[0]}
            if other == "node-red":
                log(f"  c={c:<3} throughput {shown(rps)} (target >= 5)  cpu/req {shown(cpu)} (target <= 0.2)  "
                    f"p99 {shown(p99)} (target <= 0.3)  BotFlow peak RSS {b['rss_mb']:.0f} MB (target <= 200)")
            else:
                log(f"  c={c:<3} throughput {shown(rps)}  cpu/req {shown(cpu)}  p99 {shown(p99)}")
    if results.get("floor") and results.get("node-red"):
        # The floor's own ratios say how much room the targets leave on the machine of the moment: over 29 runs of
        # 2026-12-05/06 the bare hop used 0.14-0.19x Node-RED's CPU per request (docs/benchmarks.md, fifteenth pass).
        log("the floor / Node-RED (same rounds; how close to the targets a hop with nothing but the persistence comes):")
        for c in connections:
            f, n = results["floor"].get(f"boleto@{c}"), results["node-red"].get(f"boleto@{c}")
            if f and n:
                rps, cpu, p99 = ratios(f, n, "rps"), ratios(f, n, "cpu_us_per_req"), ratios(f, n, "p99_ms")
                results.setdefault("ratios", {}).setdefault("floor/node-red", {})[f"boleto@{c}"] = {"rps": rps[0], "cpu_us_per_req": cpu[0], "p99_ms": p99[0]}
                log(f"  c={c:<3} throughput {shown(rps)}  cpu/req {shown(cpu)}  p99 {shown(p99)}")
    b = results["botflow"]
    if "boleto@64" in b and "step@64" in b:
        step = ratios(b["step@64"], b["boleto@64"], "rps")
        results.setdefault("ratios", {})["step/boleto@64"] = step[0]
        log(f"step without integration / boleto: {shown(step)} (target >= 2)")
    os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
    out = os.path.join(BENCH, "results", time.strftime("%Y-%m-%dT%H%M%S") + ("-smoke" if args.smoke else "") + ".json")
    json.dump(results, open(out, "w"), indent=2)
    log(f"results: {os.path.relpath(out, ROOT)}")
    shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    finally:
        stop_all()
