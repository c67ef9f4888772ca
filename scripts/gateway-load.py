#!/usr/bin/env python3
"""Load generator for `smskit gateway` (stdlib only: raw asyncio streams, HTTP/1.1 keep-alive).

Used by scripts/bench-gateway.sh; each mode prints one JSON object on stdout.

  accept   closed loop: C keep-alive connections send N `POST /v1/messages` as fast as the gateway
           answers; reports accepted (202) per second and the status counts.
  e2e      posts M messages as fast as possible (C connections), then polls
           `GET /v1/messages?status=delivered&after=…` until every one is delivered (or --timeout);
           reports M / (first POST → last delivered seen), and the gateway's own timestamps; gives up
           after --timeout, or when nothing was delivered for --stall seconds.
  latency  open loop: one POST every 1/R s for D s regardless of answers (a pool of connections,
           a new one opened when none is idle); latency runs from the *scheduled* send time to the
           end of the response, so a stall is charged to every request it delays (no coordinated
           omission). Reports p50/p90/p99/p99.9/max and how late the client itself sent.

  usage: gateway-load.py MODE --url URL --token T [options]   (see --help)
"""
import argparse
import asyncio
import datetime
import json
import os
import sys
import time
from urllib.parse import urlsplit

TEXT = "Your one-time code is 482913. It expires in 5 minutes."


class HTTPError(Exception):
    pass


class Connection:
    """One keep-alive HTTP/1.1 connection; one request at a time."""

    def __init__(self, host, port, token):
        self.host, self.port, self.token = host, port, token
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            import socket
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    async def request(self, method, path, body=None):
        """Sends one request; returns (status, body bytes). Reopens once if the server closed an idle connection."""
        for attempt in (0, 1):
            if self.writer is None:
                await self.open()
            head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                    f"Authorization: Bearer {self.token}\r\n")
            if body is not None:
                head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            data = (head + "\r\n").encode() + (body or b"")
            try:
                self.writer.write(data)
                return await self._response()
            except (ConnectionError, asyncio.IncompleteReadError) as e:
                self.close()
                if attempt == 1:
                    raise HTTPError(f"connection failed: {e!r}")

    async def _response(self):
        line = await self.reader.readuntil(b"\r\n")
        parts = line.split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise HTTPError(f"bad status line {line!r}")
        status = int(parts[1])
        length, chunked, close = None, False, False
        while True:
            h = await self.reader.readuntil(b"\r\n")
            if h == b"\r\n":
                break
            name, _, value = h.partition(b":")
            name = name.strip().lower()
            value = value.strip()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and value.lower() == b"close":
                close = True
        if chunked:
            body = bytearray()
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                body += await self.reader.readexactly(size + 2)
                del body[-2:]
            body = bytes(body)
        elif length is not None:
            body = await self.reader.readexactly(length)
        else:
            body = await self.reader.read()
            close = True
        if close:
            self.close()
        return status, body


def message_body(i, prefix):
    # Distinct recipients (the gateway keeps per-recipient order, so one recipient would serialize sending).
    return json.dumps({"to": f"{prefix}{i % 1_000_000:06d}", "text": TEXT}).encode()


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * (len(sorted_values) - 1)))))
    return sorted_values[k]


def summary_ms(values):
    v = sorted(values)
    out = {f"p{str(p).replace('.', '_')}_ms": round(percentile(v, p) * 1000, 3) if v else None
           for p in (50, 90, 99, 99.9)}
    out["max_ms"] = round(v[-1] * 1000, 3) if v else None
    out["mean_ms"] = round(sum(v) / len(v) * 1000, 3) if v else None
    return out


def parse_time(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp() if s else None


def proc_cpu(pid):
    """CPU seconds (user+system) of process `pid` so far, None without a pid."""
    if not pid:
        return None
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds():
    t = os.times()
    return t.user + t.system


async def post_many(host, port, token, n, connections, prefix, ids=None, pid=None):
    """Closed loop: `connections` workers share a counter up to n. Returns stats."""
    counter = iter(range(n))
    statuses = {}
    latencies = []
    errors = []
    first_send = [None]
    last_done = [0.0]

    async def worker():
        conn = Connection(host, port, token)
        try:
            for i in counter:
                body = message_body(i, prefix)
                t = time.perf_counter()
                if first_send[0] is None:
                    first_send[0] = t
                try:
                    status, reply = await conn.request("POST", "/v1/messages", body)
                except HTTPError as e:
                    errors.append(str(e))
                    statuses["error"] = statuses.get("error", 0) + 1
                    continue
                done = time.perf_counter()
                last_done[0] = max(last_done[0], done)
                latencies.append(done - t)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                if status == 202 and ids is not None:
                    ids.append(json.loads(reply)["id"])
                elif status != 202 and len(errors) < 5:
                    errors.append(f"{status}: {reply[:200]!r}")
        finally:
            conn.close()

    cpu0 = cpu_seconds()
    gateway_cpu_start = proc_cpu(pid)
    await asyncio.gather(*(worker() for _ in range(connections)))
    cpu1 = cpu_seconds()
    elapsed = last_done[0] - first_send[0] if first_send[0] else 0.0
    return {"requests": n, "connections": connections, "statuses": statuses, "accepted": statuses.get("202", 0),
            "elapsed_s": round(elapsed, 3),
            "accepted_per_s": round(statuses.get("202", 0) / elapsed, 1) if elapsed > 0 else 0,
            "latency": summary_ms(latencies), "client_cpu_s": round(cpu1 - cpu0, 3), "errors": errors[:5],
            "_first_send": first_send[0], "_gateway_cpu_start": gateway_cpu_start}


async def mode_accept(a, host, port):
    r = await post_many(host, port, a.token, a.requests, a.connections, a.prefix)
    r.pop("_first_send"); r.pop("_gateway_cpu_start")
    r["mode"] = "accept"
    return r


async def mode_e2e(a, host, port):
    ids = []
    t_start = time.perf_counter()
    post = await post_many(host, port, a.token, a.messages, a.connections, a.prefix, ids, a.pid)
    t_posted = time.perf_counter()
    first = post.pop("_first_send") or t_start
    cpu_post_start = post.pop("_gateway_cpu_start", None)
    mine = sorted(ids)
    pending = set(mine)
    delivered = {}
    conn = Connection(host, port, a.token)
    watermark = None   # every one of our ids <= watermark is delivered
    polls = pages = 0
    last_seen = None
    deadline = t_posted + a.timeout
    cpu_last = None
    last_progress = time.perf_counter()
    while pending and time.perf_counter() < deadline and time.perf_counter() - last_progress < a.stall:
        polls += 1
        before = len(pending)
        if len(pending) <= 20:
            # A few left: ask for each (paging from an old watermark would re-read every later message).
            for mid in sorted(pending):
                status, body = await conn.request("GET", f"/v1/messages/{mid}")
                pages += 1
                m = json.loads(body) if status == 200 else {}
                if m.get("status") == "delivered":
                    pending.discard(mid)
                    delivered[mid] = m
                    last_seen = time.perf_counter()
                    cpu_last = proc_cpu(a.pid)
        else:
            after = watermark
            while True:
                q = "/v1/messages?status=delivered&limit=500" + (f"&after={after}" if after else "")
                status, body = await conn.request("GET", q)
                pages += 1
                if status != 200:
                    raise HTTPError(f"GET {q}: {status} {body[:200]!r}")
                page = json.loads(body)
                for m in page["messages"]:
                    if m["id"] in pending:
                        pending.discard(m["id"])
                        delivered[m["id"]] = m
                        last_seen = time.perf_counter()
                if not page["messages"] or not page.get("next"):
                    break
                after = page["next"]
        if len(pending) < before:
            cpu_last = proc_cpu(a.pid)
            last_progress = time.perf_counter()
        if not pending:
            break
        # Advance the watermark over the prefix of our ids that is all delivered.
        low = min(pending)
        done_before = [x for x in mine if x < low]
        watermark = done_before[-1] if done_before else None
        await asyncio.sleep(a.poll_interval)
    stalled = bool(pending) and time.perf_counter() - last_progress >= a.stall
    # Where did the undelivered ones stop?
    stuck = {}
    stuck_examples = []
    for mid in sorted(pending)[:200]:
        status, body = await conn.request("GET", f"/v1/messages/{mid}")
        s = json.loads(body).get("status", f"http {status}") if status == 200 else f"http {status}"
        stuck[s] = stuck.get(s, 0) + 1
        if len(stuck_examples) < 3:
            stuck_examples.append(json.loads(body) if status == 200 else {"id": mid, "http": status})
    conn.close()

    created = [parse_time(m.get("created_at")) for m in delivered.values()]
    sent = [parse_time(m.get("sent_at")) for m in delivered.values()]
    dlv = [parse_time(m.get("delivered_at")) for m in delivered.values()]
    server = {}
    if delivered and all(created) and all(dlv):
        span = max(dlv) - min(created)
        server = {"first_created_to_last_delivered_s": round(span, 3),
                  "delivered_per_s": round(len(delivered) / span, 1) if span > 0 else None,
                  "first_created_to_last_sent_s": round(max(s for s in sent if s) - min(created), 3) if all(sent) else None,
                  "queue_wait": summary_ms([s - c for s, c in zip(sent, created) if s and c]),
                  "sent_to_delivered": summary_ms([d - s for d, s in zip(dlv, sent) if d and s])}
    e2e = (last_seen - first) if last_seen else None
    return {"mode": "e2e", "messages": a.messages, "accepted": post["accepted"], "post": post,
            "post_phase_s": round(t_posted - first, 3), "delivered": len(delivered), "undelivered": len(pending),
            "stalled_after_s": a.stall if stalled else None,
            "gateway_cpu_ms_per_delivered": round(1000 * (cpu_last - cpu_post_start) / len(delivered), 2)
            if cpu_last is not None and cpu_post_start is not None and delivered else None,
            "undelivered_status_sample": stuck, "undelivered_examples": stuck_examples, "polls": polls, "pages": pages,
            "first_post_to_last_delivered_s": round(e2e, 3) if e2e else None,
            "delivered_per_s": round(len(delivered) / e2e, 1) if e2e else 0, "server": server}


async def mode_latency(a, host, port):
    n = int(a.rate * a.duration)
    interval = 1.0 / a.rate
    idle = []
    opened = [0]
    results = []           # (latency from scheduled time, client lag = actual send - scheduled)
    statuses = {}
    errors = []

    async def new_conn():
        opened[0] += 1
        return await Connection(host, port, a.token).open()

    for _ in range(a.connections):
        idle.append(await new_conn())

    async def one(i, scheduled):
        conn = idle.pop() if idle else await new_conn()
        lag = time.perf_counter() - scheduled
        try:
            status, reply = await conn.request("POST", "/v1/messages", message_body(i, a.prefix))
        except HTTPError as e:
            statuses["error"] = statuses.get("error", 0) + 1
            errors.append(str(e))
            conn.close()
            return
        results.append((time.perf_counter() - scheduled, lag, i))
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        if status != 202 and len(errors) < 5:
            errors.append(f"{status}: {reply[:200]!r}")
        idle.append(conn)

    tasks = []
    cpu0 = cpu_seconds()
    t0 = time.perf_counter() + 0.05
    for i in range(n):
        scheduled = t0 + i * interval
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, scheduled)))
    await asyncio.gather(*tasks)
    cpu1 = cpu_seconds()
    wall = time.perf_counter() - t0
    for c in idle:
        c.close()
    lat = [r[0] for r in results]
    lags = [r[1] for r in results]
    out = {"mode": "latency", "rate_per_s": a.rate, "duration_s": a.duration, "requests": n,
           "statuses": statuses, "accepted": statuses.get("202", 0), "connections_opened": opened[0],
           "achieved_per_s": round(len(results) / wall, 1), "client_cpu_s": round(cpu1 - cpu0, 3),
           "errors": errors[:5]}
    out.update(summary_ms(lat))
    out["client_send_lag"] = summary_ms(lags)
    # The trend inside the run (a queue that grows in the store makes the last seconds slower).
    fifth = max(1, n // 5)
    out["first_fifth"] = summary_ms([r[0] for r in results if r[2] < fifth])
    out["last_fifth"] = summary_ms([r[0] for r in results if r[2] >= n - fifth])
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["accept", "e2e", "latency"])
    p.add_argument("--url", required=True)
    p.add_argument("--token", default=os.environ.get("SMSKIT_TOKEN"))
    p.add_argument("--connections", "-c", type=int, default=32)
    p.add_argument("--requests", "-n", type=int, default=20000, help="accept: requests to send")
    p.add_argument("--messages", "-m", type=int, default=5000, help="e2e: messages to send")
    p.add_argument("--timeout", type=float, default=120, help="e2e: seconds to wait for delivery after posting")
    p.add_argument("--poll-interval", type=float, default=0.2, help="e2e: seconds between delivery polls")
    p.add_argument("--stall", type=float, default=20, help="e2e: give up when nothing was delivered for this many seconds")
    p.add_argument("--pid", type=int, help="e2e: the gateway's pid, to report its CPU per delivered message")
    p.add_argument("--rate", type=float, default=500, help="latency: requests per second")
    p.add_argument("--duration", type=float, default=10, help="latency: seconds")
    p.add_argument("--prefix", default="+1999", help="recipient prefix (virtual phones answer at +1999…)")
    a = p.parse_args()
    if not a.token:
        p.error("--token (or SMSKIT_TOKEN) is required")
    u = urlsplit(a.url)
    host, port = u.hostname, u.port or 80
    fn = {"accept": mode_accept, "e2e": mode_e2e, "latency": mode_latency}[a.mode]
    print(json.dumps(asyncio.run(fn(a, host, port))))


if __name__ == "__main__":
    sys.exit(main())
