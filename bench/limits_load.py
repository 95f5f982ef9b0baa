#!/usr/bin/python3
"""The abuse limits under a flood (bench/limits.sh runs it): a legitimate
client (its own API key, one keep-alive connection, 50 requests a second,
one after another) measures its latency alone, then while FLOOD connections hammer
the API with another key whose rate limit they exceed (and which is
refused 429), then alone again. The client runs in a process of its own, as
a real one would: a thread beside the flood's event loop would wait for
Python's interpreter lock (up to 5 ms at a time) and measure that instead.
One raw line per phase:
  run=N load=alone|flood|after p50=MS p99=MS legit_non2xx=K [flood_429=K flood_200=K flood_other=K]
Everything runs on 127.0.0.1 and ends with the script.
Usage: limits_load.py PORT LEGIT_KEY FLOOD_KEY RUN [--flood 1000] [--secs 10]
"""
import argparse
import asyncio
import concurrent.futures
import http.client
import multiprocessing
import statistics
import time


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else None


LEGIT_RATE = 50  # the legitimate client's requests per second, within its key's limit


def legit_phase(port, key, secs):
    """Requests one after another, LEGIT_RATE a second, for `secs`:
    latencies (ms) and non-2xx count."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, bad = [], 0
    end = time.monotonic() + secs
    due = time.monotonic()
    while time.monotonic() < end:
        due += 1 / LEGIT_RATE
        time.sleep(max(0.0, due - time.monotonic()))
        start = time.perf_counter()
        conn.request("GET", "/v1/messages?limit=1", headers={"Authorization": f"Bearer {key}"})
        r = conn.getresponse()
        r.read()
        latencies.append((time.perf_counter() - start) * 1000)
        bad += r.status // 100 != 2
    conn.close()
    return latencies, bad


async def hammer(port, key, stop, codes):
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        codes["other"] += 1
        return
    request = f"GET /v1/messages?limit=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n\r\n".encode()
    try:
        while not stop.is_set():
            writer.write(request)
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            codes[429 if status == 429 else 200 if status == 200 else "other"] += 1
    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
        codes["other"] += 1
    finally:
        writer.close()


async def flood_phase(client, port, legit, abuser, flood, secs):
    stop = asyncio.Event()
    codes = {200: 0, 429: 0, "other": 0}
    tasks = [asyncio.create_task(hammer(port, abuser, stop, codes)) for _ in range(flood)]
    await asyncio.sleep(1)  # the flood is under way before the client measures
    try:
        result = await asyncio.get_running_loop().run_in_executor(client, legit_phase, port, legit, secs)
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 60)
    return result, codes


def line(run, load, latencies, bad, codes=None):
    out = (f"run={run} load={load} requests={len(latencies)} p50={statistics.median(latencies):.3f}ms "
           f"p99={percentile(latencies, 0.99):.3f}ms legit_non2xx={bad}")
    if codes:
        out += f" flood_429={codes[429]} flood_200={codes[200]} flood_other={codes['other']}"
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("legit")
    ap.add_argument("abuser")
    ap.add_argument("run", type=int)
    ap.add_argument("--flood", type=int, default=1000)
    ap.add_argument("--secs", type=float, default=10)
    a = ap.parse_args()
    # The legitimate client's process, the same for the three phases.
    with concurrent.futures.ProcessPoolExecutor(1, multiprocessing.get_context("spawn")) as client:
        alone = client.submit(legit_phase, a.port, a.legit, a.secs).result()
        print(line(a.run, "alone", *alone), flush=True)
        (latencies, bad), codes = asyncio.run(flood_phase(client, a.port, a.legit, a.abuser, a.flood, a.secs))
        print(line(a.run, "flood", latencies, bad, codes), flush=True)
        after = client.submit(legit_phase, a.port, a.legit, a.secs).result()
        print(line(a.run, "after", *after), flush=True)


if __name__ == "__main__":
    main()
