#!/usr/bin/python3
"""Machine-readable benchmark results: bench/results/<benchmark>.json.

Each benchmark keeps its raw lines (one per run and cell, "key=value ...")
and, at its end, hands them to this file, which writes one JSON document and
prints its table. bench/render.py renders BENCHMARKS.md from the documents.
Standard library only: run with /usr/bin/python3.

A document:
  schema      1
  benchmark   file name without .json; title: the section's heading
  source      {"kind": "measured"} or {"kind": "transcribed", "from": TEXT}
  machine     {"cpu", "cores", "kernel", "memory", "notes"?}
  date, commit, command, runs
  load        what the load is (one sentence); peer: who Postern is set
              beside, measured in the same run (null when the target is a
              plain number)
  labels      the names of the columns that tell cells apart, in order
  postern_label, peer_label   column headings of the two figures
  extras      [{"key", "label"}]: further figures of each cell, in order
  cells       [{"labels": {...}, "postern": FIGURE, "peer": FIGURE|null,
                "ratio": FIGURE|null, "extras": {key: FIGURE},
                "target": {"text", "any_of": [[CHECK...]...]}|null,
                "met": true|false|null}]
  missing     what the run did not measure that a target asks for
  notes       sentences printed under the table
A FIGURE is {"value", "low"?, "high"?, "runs"?, "unit"?, "note"?, "basis"?}:
the median over the runs, its range and the runs' own figures. A ratio (a
figure without a unit) is the median of each run's Postern figure over the
peer's of the same run; "basis": "medians" marks one that a transcribed run
gave only as the ratio of two medians. A CHECK is
{"figure": "postern"|"ratio"|EXTRA_KEY, "of": "value"|"high",
"at_least"|"below"|"at_most": NUMBER}; a target is met when every check of one of its
alternatives holds, unknown (null) when a figure it needs is missing.

Usage: results.py BENCHMARK RAW_FILE --command CMD [--out DIR] [--param K=V]...
       results.py judge FILE...   (re-applies the targets below to documents)
"""
import argparse
import datetime
import json
import math
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS_DIR = os.path.join(HERE, "results")
SCHEMA = 1

# --- targets: DESIGN.md, "Numbers to reach" ------------------------------------


def check(name, op, bound, of="value"):
    return {"figure": name, "of": of, op: bound}


def target_for(benchmark, labels, doc):
    """The target of one cell, or None where DESIGN.md sets none."""
    if benchmark == "http_intake":
        if labels.get("connections") not in (64, 200):
            return None  # the table judges 64 and 200 connections only
        if labels.get("delivery") == "on":
            return {"text": "≥ 0.25× nginx", "any_of": [[check("ratio", "at_least", 0.25)]]}
        return {"text": "≥ 0.35× nginx, p99 < 20 ms",
                "any_of": [[check("ratio", "at_least", 0.35), check("p99", "below", 20, of="high")]]}
    if benchmark == "smtp_intake":
        sink = [check("ratio", "at_least", 0.6)]
        if labels.get("size") == "4 KiB" and labels.get("sessions") == 10:
            # Where a durable server's own ceiling is below 0.6 of smtp-sink.
            return {"text": "≥ 0.6× smtp-sink; or ≥ 0.8× durable, ≥ 3× Postfix",
                    "any_of": [sink, [check("vs_durable", "at_least", 0.8), check("vs_postfix", "at_least", 3)]]}
        return {"text": "≥ 0.6× smtp-sink", "any_of": [sink]}
    if benchmark == "end_to_end":
        return {"text": "≥ 10,000 msg/s", "any_of": [[check("postern", "at_least", 10000)]]}
    if benchmark == "cluster":
        if labels.get("store") != CLUSTER_PG:
            return None
        if labels.get("nodes") == 1:
            return {"text": "≥ 0.5× SQLite", "any_of": [[check("ratio", "at_least", 0.5)]]}
        if labels.get("nodes") == 3:
            return {"text": "≥ 1× one node", "any_of": [[check("vs_one", "at_least", 1.0)]]}
        return None
    if benchmark == "failover":
        measure = labels.get("measure")
        if measure == FAILOVER_MOVED:
            return {"text": "< 1 s", "any_of": [[check("postern", "below", 1, of="high")]]}
        if measure == FAILOVER_IDLE:
            interval = doc.get("probe_interval_s", 1)
            return {"text": f"< 2 probe intervals ({2 * interval:g} s)",
                    "any_of": [[check("postern", "below", 2 * interval, of="high")]]}
        return None
    if benchmark == "imap":
        # The targets speak of a 100,000-message mailbox: a smaller one is not judged.
        measure = labels.get("measure")
        if doc.get("messages", 0) < 100000:
            return None
        if measure == IMAP_SELECT:
            return {"text": "< 100 ms", "any_of": [[check("postern", "below", 100, of="high")]]}
        if measure == IMAP_MIX:
            return {"text": "≥ 1× Dovecot", "any_of": [[check("ratio", "at_least", 1.0)]]}
        if measure == IMAP_RSS:
            return {"text": "< 200 MB (190.7 MiB)", "any_of": [[check("postern", "below", 200e6 / 2**20, of="high")]]}
        return None
    if benchmark == "queued_memory":
        # The target holds with 1,000,000 queued: a smaller run is not judged.
        intake = next((c for c in doc["cells"] if c["labels"].get("moment") == MEMORY_AFTER_INTAKE), {})
        queued = (intake.get("extras", {}).get("queued") or {}).get("value") or 0
        if labels.get("moment") == MEMORY_EMPTY or queued < 1000000:
            return None
        return {"text": "< 200 MB RSS (190.7 MiB)", "any_of": [[check("postern", "below", 200e6 / 2**20)]]}
    if benchmark == "ui" and labels.get("measure") == UI_BUNDLE:
        return {"text": "< 300 KB", "any_of": [[check("postern", "below", 300, of="high")]]}
    if benchmark == "message_search":
        # The target speaks of a million messages: a smaller store is not judged.
        if doc.get("messages", 0) < 1000000:
            return None
        return {"text": "p99 < 50 ms", "any_of": [[check("postern", "below", 50, of="high")]]}
    if benchmark == "events":
        offered = labels.get("offered")
        if labels.get("webhooks") not in (EVENTS_SENDGRID, EVENTS_MAILGUN):
            return None
        if offered == EVENTS_MAX:
            return {"text": "≥ 5,000 events/s", "any_of": [[check("postern", "at_least", 5000)]]}
        if not isinstance(offered, (int, float)) or offered < 5000:
            return None
        # All it was offered taken (2% for the edges of the counting window),
        # and "intake p99 unchanged within the box's spread": no higher than
        # the higher of the run's two intake-alone cells.
        return {"text": "takes what is offered; intake p99 ≤ alone's",
                "any_of": [[check("postern", "at_least", 0.98 * offered), check("p99_vs_alone", "at_most", 1.0)]]}
    if benchmark == "bigmsg":
        # The target speaks of 200 x 25 MB over SMTP and 200 x 10 MB over HTTP at once.
        issue = {"smtp": 200, "smtp_mib": 25, "http": 200, "http_mib": 10}
        if any(doc.get(k, 0) < v for k, v in issue.items()):
            return None
        return {"text": "< 512 MB RSS (488 MiB), every message intact",
                "any_of": [[check("postern", "below", 512e6 / 2**20, of="high"),
                            check("lost", "at_most", 0, of="high")]]}
    if benchmark == "disk_use":
        return {"text": "≤ 2× content kept + 2 segments", "any_of": [[check("ratio", "at_most", 1.0)]]}
    if benchmark == "limits":
        if labels.get("load") != LIMITS_FLOOD:
            return None
        return {"text": "p99 ≤ 2× alone; legitimate requests all 2xx",
                "any_of": [[check("p99_vs_alone", "at_most", 2.0, of="high"),
                            check("legit_non2xx", "at_most", 0, of="high")]]}
    return None


def figure_of(cell, name):
    if name in ("postern", "peer", "ratio"):
        return cell.get(name)
    return cell.get("extras", {}).get(name)


def holds(c, cell):
    """One check: True, False, or None when its figure was not measured."""
    value = (figure_of(cell, c["figure"]) or {}).get(c.get("of", "value"))
    if value is None:
        return None
    if "at_least" in c:
        return value >= c["at_least"]
    return value <= c["at_most"] if "at_most" in c else value < c["below"]


def judge(target, cell):
    """True or False as the cell meets the target; None if it cannot tell."""
    if target is None:
        return None
    verdicts = []
    for alternative in target["any_of"]:
        checks = [holds(c, cell) for c in alternative]
        verdicts.append(False if False in checks else None if None in checks else True)
    if True in verdicts:
        return True
    return None if None in verdicts else False


def apply_targets(doc):
    for cell in doc["cells"]:
        cell["target"] = target_for(doc["benchmark"], cell["labels"], doc)
        cell["met"] = judge(cell["target"], cell)
    return doc


# --- figures -------------------------------------------------------------------


def figure(values, unit=None, digits=0):
    """Median, range and runs of a list of numbers (others left out). The
    median of an even count is the lower middle one, a figure that was
    measured, as the scripts' own summaries print it."""
    # Not "None" nor "" of a raw line, nor the +Inf bucket bound (JSON has no infinity).
    values = [v for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    out = {"value": None, "note": "not measured"}
    if values:
        r = lambda v: round(v, digits) if digits else round(v)
        out = {"value": r(statistics.median_low(values)), "low": r(min(values)), "high": r(max(values)),
               "runs": [r(v) for v in values]}
    if unit:
        out["unit"] = unit
    return out


def paired_ratio(mine, theirs):
    """Per run mine/theirs (dicts run -> figure), as a figure of 2 digits."""
    return figure([mine[r] / theirs[r] for r in sorted(mine) if theirs.get(r)], digits=2)


def parse_line(line):
    """"key=value key=value" -> dict; numbers as floats where they parse."""
    out = {}
    for word in line.split():
        key, sep, value = word.partition("=")
        if not sep:
            continue
        try:
            out[key] = float(value)
        except ValueError:
            out[key] = value
    return out


def raw_rows(path):
    with open(path) as f:
        return [parse_line(l) for l in f if l.strip() and not l.startswith("#") and "=" in l]


def duration_ms(text):
    """wrk's latency ("812.00us", "9.80ms", "1.20s") in milliseconds."""
    text = str(text)
    for suffix, scale in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if text.endswith(suffix):
            try:
                return float(text[: -len(suffix)]) * scale
            except ValueError:  # nothing measured ("s"), or not a number
                return None
    return None


def by_run(rows, key, **match):
    return {int(r["run"]): r[key] for r in rows if all(r.get(k) == v for k, v in match.items()) and key in r}


def ordered(values):
    return list(dict.fromkeys(values))


# --- one summariser per benchmark: raw rows -> cells ------------------------------


def http_intake(rows, params):
    cells = []
    for conns in ordered(int(r["conns"]) for r in rows):
        nginx = by_run(rows, "req_per_s", peer="nginx", conns=conns)
        for delivery in ("off", "on"):
            peer = f"postern-delivery-{delivery}"
            mine = by_run(rows, "req_per_s", peer=peer, conns=conns)
            if not mine:
                continue
            p99 = by_run(rows, "p99", peer=peer, conns=conns)
            cells.append({
                "labels": {"connections": conns, "delivery": delivery},
                "postern": figure(mine.values(), "msg/s"), "peer": figure(nginx.values(), "202/s"),
                "ratio": paired_ratio(mine, nginx),
                "extras": {"p99": figure([duration_ms(v) for v in p99.values()], "ms", 1),
                           "flushes": figure(by_run(rows, "fsync_per_s", peer=peer, conns=conns).values(), "/s"),
                           "cpu": figure(by_run(rows, "cpu", peer=peer, conns=conns).values(), "%")}})
    return {"title": "HTTP intake", "peer": "nginx answering a bare 202 (bench/peers/nginx_202.sh), same wrk load",
            "load": "wrk -t2, keep-alive, a 4 KiB JSON message per request with an API key; each Postern cell "
                    "measured right after nginx's cell of the same connections",
            "labels": ["connections", "delivery"], "postern_label": "Postern msg/s", "peer_label": "nginx 202/s",
            "extras": [{"key": "p99", "label": "p99 (runs)"}, {"key": "flushes", "label": "flushes/s"},
                       {"key": "cpu", "label": "box CPU"}], "cells": cells}


SMTP_EXTRAS = (  # key, label, the target measured, the target it is set beside
    ("vs_on", "delivery on / sink", "postern-on", "sink"),
    ("durable_ceiling", "durable sink / sink", "durable", "sink"),
    ("vs_durable", "off / durable sink", "postern-off", "durable"),
    ("vs_postfix", "off / Postfix", "postern-off", "postfix"),
    ("vs_nofsync", "no fsync / sink", "postern-nofsync", "sink"),
)


def smtp_intake(rows, params):
    cells, measured = [], {r["target"] for r in rows}
    for size, sessions, mode in ordered((int(r["size"]), int(r["sessions"]), r["mode"]) for r in rows):
        def runs(target):
            return by_run(rows, "msg_per_s", target=target, size=size, sessions=sessions, mode=mode)
        cells.append({
            "labels": {"size": f"{size // 1024} KiB", "sessions": sessions, "mode": mode},
            "postern": figure(runs("postern-off").values(), "msg/s"), "peer": figure(runs("sink").values(), "msg/s"),
            "ratio": paired_ratio(runs("postern-off"), runs("sink")),
            "extras": {key: paired_ratio(runs(mine), runs(theirs))
                       for key, _, mine, theirs in SMTP_EXTRAS if {mine, theirs} <= measured}})
    errors = sum(1 for r in rows if r.get("rc", 0) != 0)
    return {"title": "SMTP intake", "peer": "smtp-sink (answers at once, stores nothing), same smtp-source load",
            "load": "Postfix's smtp-source; conn: a new connection per message, reuse: sessions keep theirs; "
                    "Postern with delivery off on a warmed-up fresh store per cell",
            "labels": ["size", "sessions", "mode"], "postern_label": "Postern msg/s", "peer_label": "smtp-sink msg/s",
            "extras": [{"key": key, "label": label} for key, label, mine, theirs in SMTP_EXTRAS
                       if {mine, theirs} <= measured],
            "cells": cells, "notes": [f"Runs with errors: {errors}."]}


def end_to_end(rows, params):
    runs = lambda key: [r.get(key) for r in rows]
    le_ms = lambda v: None if v is None else duration_ms(v) if str(v).endswith("s") else None
    cell = {"labels": {"connections": int(params.get("conns", 0)) or None},
            "postern": figure(runs("e2e_msg_per_s"), "msg/s"), "peer": None, "ratio": None,
            "extras": {"accepted": figure(runs("accepted_per_s"), "msg/s"),
                       "delivery_p99": figure([le_ms(v) for v in runs("delivery_p99_le")], "ms ≤"),
                       "intake_p99": figure([duration_ms(v) for v in runs("intake_p99")], "ms", 1),
                       "cpu": figure(runs("cpu"), "%")}}
    return {"title": "End to end", "peer": None,
            "load": "wrk posts 1.6 KiB JSON messages; Postern delivers them through two simulated providers "
                    "(postern-sim: Mailgun, SendGrid); rate from the start of the load to the last provider receipt",
            "labels": ["connections"], "postern_label": "delivered msg/s", "peer_label": None,
            "extras": [{"key": "accepted", "label": "accepted/s"},
                       {"key": "delivery_p99", "label": "delivery p99 (bucket)"},
                       {"key": "intake_p99", "label": "intake p99"}, {"key": "cpu", "label": "box CPU"}],
            "cells": [cell]}


CLUSTER_PG = "PostgreSQL"
CLUSTER_SQLITE = "SQLite"


def cluster(rows, params):
    def runs(key, store, nodes):
        return by_run(rows, key, store=store, nodes=nodes)

    sqlite = runs("accepted_per_s", "sqlite", 1)
    one = runs("accepted_per_s", "postgres", 1)
    cells = []
    for store, nodes in ordered((r["store"], int(r["nodes"])) for r in rows):
        mine = runs("accepted_per_s", store, nodes)
        pg = store == "postgres"
        extras = {"e2e": figure(runs("e2e_msg_per_s", store, nodes).values(), "msg/s"),
                  "vs_one": paired_ratio(mine, one) if pg and nodes > 1 and one else None,
                  "p99": figure([duration_ms(v) for v in runs("intake_p99", store, nodes).values()], "ms", 1),
                  "commits": figure(runs("commits_per_s", store, nodes).values(), "/s") if pg else None,
                  "per_commit": figure(runs("msgs_per_commit", store, nodes).values(), "messages", 1) if pg else None,
                  "cpu": figure(runs("cpu", store, nodes).values(), "%"),
                  "nodes_cpu": figure(runs("nodes_cpu", store, nodes).values(), "%"),
                  "pg_cpu": figure(runs("pg_cpu", store, nodes).values(), "%") if pg else None,
                  "haproxy_cpu": figure(runs("haproxy_cpu", store, nodes).values(), "%")}
        cells.append({"labels": {"store": CLUSTER_PG if pg else CLUSTER_SQLITE, "nodes": nodes},
                      "postern": figure(mine.values(), "msg/s"),
                      "peer": figure(sqlite.values(), "msg/s") if pg else None,
                      "ratio": paired_ratio(mine, sqlite) if pg and sqlite else None,
                      "extras": {k: v for k, v in extras.items() if v is not None}})
    late = sum(max(0, int(r.get("accepted", 0)) - int(r.get("delivered", 0))) for r in rows)
    refused = sum(int(r.get("non2xx", 0)) for r in rows)
    return {"title": "Cluster", "peer": "one node on SQLite behind the same HAProxy, the same load in the same run",
            "load": f"wrk -t2, {params.get('conns', '?')} keep-alive connections, {params.get('secs', '?')} s of "
                    "1.5 KiB JSON messages with an API key through HAProxy (HTTP mode, send-proxy-v2) to N nodes "
                    "on one PostgreSQL 15 (scripts/cluster-up.sh, a new database per cell, synchronous_commit on), "
                    "delivering through postern-sim's Mailgun and SendGrid; end to end: from the load's start to "
                    "the simulator's receipt of the last accepted message",
            "labels": ["store", "nodes"], "postern_label": "intake msg/s", "peer_label": "SQLite msg/s",
            "extras": [{"key": "vs_one", "label": "/ one node"}, {"key": "e2e", "label": "end to end msg/s"},
                       {"key": "p99", "label": "intake p99"}, {"key": "commits", "label": "PG commits/s"},
                       {"key": "per_commit", "label": "messages per commit"}, {"key": "cpu", "label": "box CPU"},
                       {"key": "nodes_cpu", "label": "nodes CPU"}, {"key": "pg_cpu", "label": "PG CPU"},
                       {"key": "haproxy_cpu", "label": "HAProxy CPU"}],
            "cells": cells,
            "notes": [f"Answers not 2xx: {refused}; accepted messages the simulator had not received at the end "
                      f"(two minutes after the load): {late}. CPU is % of one core: the nodes' processes together, "
                      "PostgreSQL's server and backends, HAProxy."]}


FAILOVER_IDLE = "idle: down → out of service"
FAILOVER_MOVED = "under load: down → last attempt on it"
FAILOVER_MEASURES = (  # key of the raw line, label, unit, digits
    ("idle_detect_s", FAILOVER_IDLE, "s", 2),
    ("idle_recover_s", "idle: back → healthy", "s", 2),
    ("failover_s", FAILOVER_MOVED, "s", 2),
    ("eject_s", "under load: down → ejected", "s", 2),
    ("return_s", "back → first accepted message", "s", 2),
    ("msg_per_s", "delivered msg/s", "msg/s", 0),
    ("lost", "lost", "messages", 0),
    ("duplicates", "duplicates", "messages", 0),
)


def failover(rows, params):
    cells = [{"labels": {"measure": label}, "postern": figure([r.get(key) for r in rows], unit, digits),
              "peer": None, "ratio": None, "extras": {}} for key, label, unit, digits in FAILOVER_MEASURES]
    return {"title": "Failover", "peer": None, "probe_interval_s": float(params.get("probe_interval_s", 1)),
            "load": "three simulated providers, round robin; wrk posts 1.6 KiB messages; one provider refuses "
                    "connections from a third to two thirds of the load; the same outage first with no traffic",
            "labels": ["measure"], "postern_label": "per run", "peer_label": None, "extras": [],
            "cells": cells}


MEMORY_EMPTY = "started, empty store"
MEMORY_AFTER_INTAKE = "after intake"
MEMORY_MOMENTS = (("started", MEMORY_EMPTY), ("after_intake", MEMORY_AFTER_INTAKE),
                  ("restarted", "restarted over the full store"), ("later", "30 s later, deferring"))


def queued_memory(rows, params):
    cells = []
    for key, label in MEMORY_MOMENTS:
        row = next((r for r in rows if r.get("moment") == key), {})
        cells.append({"labels": {"moment": label}, "postern": figure([row.get("rss_mib")], "MiB"),
                      "peer": None, "ratio": None,
                      "extras": {"queued": figure([row.get("queued")], "messages"),
                                 "peak": figure([row.get("hwm_mib")], "MiB")}})
    return {"title": "Memory with a deep queue", "peer": None,
            "load": "wrk posts 1 KiB messages over 200 connections, delivery off, until the count is queued; "
                    "then a restart with delivery on and the only provider an SMTP relay on a closed port",
            "labels": ["moment"], "postern_label": "VmRSS", "peer_label": None,
            "extras": [{"key": "queued", "label": "messages queued"}, {"key": "peak", "label": "VmHWM (peak)"}],
            "cells": cells}


def store_intake(rows, params):
    cells = []
    for messages, producers, window in ordered((int(r["messages"]), int(r["producers"]), int(r["window"]))
                                               for r in rows):
        mine = [r for r in rows if (r["messages"], r["producers"], r["window"]) == (messages, producers, window)]
        cells.append({"labels": {"messages": messages, "producers": producers, "window": window},
                      "postern": figure([r["msg_per_s"] for r in mine], "msg/s"), "peer": None, "ratio": None,
                      "extras": {"per_commit": figure([r["msgs_per_commit"] for r in mine], "messages", 1),
                                 "flush": figure([r["mean_flush_ms"] for r in mine], "ms", 2)}})
    return {"title": "Store ceiling (no network)", "peer": None,
            "load": "store_intake: producers keep a window of 4 KiB writes each in flight against the SQLite "
                    "store's group commit, with no HTTP in front",
            "labels": ["messages", "producers", "window"], "postern_label": "msg/s", "peer_label": None,
            "extras": [{"key": "per_commit", "label": "messages per commit"},
                       {"key": "flush", "label": "mean flush"}], "cells": cells}


def message_search(rows, params):
    seeds = [r for r in rows if "enqueue_s" in r]
    pages = [r for r in rows if "filter" in r]
    cells = []
    for name, page in ordered((r["filter"], r["page"]) for r in pages):
        mine = [r for r in pages if (r["filter"], r["page"]) == (name, page)]
        cells.append({"labels": {"filter": name, "page": page},
                      "postern": figure([r["p99_ms"] for r in mine], "ms", 2), "peer": None, "ratio": None,
                      "extras": {"p50": figure([r["p50_ms"] for r in mine], "ms", 2),
                                 "rows": figure([r["rows"] for r in mine], "messages")}})
    messages = int(max([r.get("messages", 0) for r in seeds] or [0]))
    seeding = ", ".join(f"enqueued in {r['enqueue_s']:g} s, delivered in {r['deliver_s']:g} s" for r in seeds[:1])
    return {"title": "Message log search", "peer": None, "messages": messages,
            "load": f"message_search: a SQLite store seeded with {messages:,} messages through the store API "
                    f"({seeding}): 20,000 recipients, one address on a tenth of all, 50 tags and a rare one, four "
                    "providers; 90% sent, 4% failed, 4% deferred, 2% queued. Each filter's first page and a deep "
                    "page (its cursor 90% of the way back), 50 messages a page, timed one after another on one "
                    "reader (store.list_messages, no HTTP)",
            "labels": ["filter", "page"], "postern_label": "p99", "peer_label": None,
            "extras": [{"key": "p50", "label": "p50"}, {"key": "rows", "label": "rows on the page"}],
            "cells": cells}


# The table shows the peer's figure without its unit: the unit is in the label.
IMAP_SELECT = "SELECT INBOX, ms"
IMAP_FETCH = "FETCH 1:* (ENVELOPE), ms"
IMAP_SEARCH = "UID SEARCH HEADER Subject, ms"
IMAP_MIX = "mix of UID FETCH/STORE/SEARCH, commands/s"
IMAP_RSS = "peak RSS during the mix, MiB"
IMAP_MEASURES = (  # measure of the raw line, its key, label, unit, digits
    ("select", "ms", IMAP_SELECT, "ms", 1),
    ("fetch_envelope", "ms", IMAP_FETCH, "ms", 0),
    ("search_header", "ms", IMAP_SEARCH, "ms", 0),
    ("mix", "mix_cmd_per_s", IMAP_MIX, "cmd/s", 0),
    ("mix", "rss_mib", IMAP_RSS, "MiB", 0),
)


def imap(rows, params):
    def runs(server, measure, key):
        return by_run(rows, key, server=server, measure=measure)

    cells = []
    for measure, key, label, unit, digits in IMAP_MEASURES:
        mine, theirs = runs("postern", measure, key), runs("dovecot", measure, key)
        extras = {}
        if label in (IMAP_FETCH, IMAP_SEARCH, IMAP_MIX):
            extras = {f"{server}_cpu": figure(runs(server, measure, "server_cpu_pct").values(), "%")
                      for server in ("postern", "dovecot")}
        if label == IMAP_MIX:
            extras["client_cpu"] = figure([r for server in ("postern", "dovecot")
                                           for r in runs(server, measure, "client_cpu_pct").values()], "%")
        cells.append({"labels": {"measure": label}, "postern": figure(mine.values(), unit, digits),
                      "peer": figure(theirs.values(), unit, digits),
                      "ratio": paired_ratio(mine, theirs) if mine and theirs else None, "extras": extras})
    notes = []
    mixes = [r for r in rows if r.get("measure") == "mix"]
    if mixes:
        r = mixes[0]
        notes.append(f"Mix: {int(r.get('sessions', 0))} sessions, each a client process on its own connection, "
                     f"for {r.get('mix_secs', 0):g} s: 30% a page of 50 (UID FLAGS RFC822.SIZE ENVELOPE), "
                     "20% one message's BODY.PEEK[], 30% a +/-FLAGS.SILENT (\\Seen or \\Flagged) of one message, "
                     "20% UID SEARCH (FLAGGED, or SUBJECT a common word within 1,000 UIDs). "
                     "Ratios are Postern's figure over Dovecot's: below 1 is faster for times, above 1 better for "
                     "commands/s. CPU is % of one core, the server's whole process tree; client CPU is the "
                     "10 client processes' own.")
    rss = {r.get("server"): str(r.get("rss_counted", "")).replace("_", " ") for r in mixes}
    if rss:
        notes.append("RSS: " + "; ".join(f"{server}: {what}" for server, what in sorted(rss.items())) + ".")
    loads = [f"{r['server']} run {int(r['run'])} {r['load1']:g}" for r in rows
             if r.get("measure") == "select" and "load1" in r]
    if loads:
        notes.append("Load average (1 min) as each server's measures began: " + ", ".join(loads) + ".")
    wrong = [f"{r['server']} run {int(r['run'])} found {int(r['hits'])} of {int(r['expected'])}"
             for r in rows if r.get("measure") == "search_header" and r.get("hits") != r.get("expected")]
    errors = sum(int(r.get("mix_errors", 0)) for r in mixes)
    notes.append(f"Commands answered NO or BAD in the mix: {errors}. "
                 + ("Header searches that missed: " + "; ".join(wrong) + "." if wrong
                    else "Every header search found the messages it should."))
    messages = int(rows[0].get("messages", 0)) if rows else 0
    return {"title": "IMAP", "messages": messages,
            "peer": "Dovecot (Debian's dovecot-imapd and its defaults, a private configuration, maildir), "
                    "the same messages and client in the same run",
            "load": f"a mailbox of {messages:,} generated messages (plain, alternative, mixed with an attachment; "
                    "some non-ASCII headers), Postern's caught through SMTP; each server warmed with one SELECT and "
                    "one FETCH 1:* (ENVELOPE); SELECT: median of 7 fresh sessions, FETCH and SEARCH: median of 3",
            "labels": ["measure"], "postern_label": "Postern", "peer_label": "Dovecot",
            "extras": [{"key": "postern_cpu", "label": "Postern CPU"}, {"key": "dovecot_cpu", "label": "Dovecot CPU"},
                       {"key": "client_cpu", "label": "client CPU"}],
            "cells": cells, "notes": notes}


EVENTS_SENDGRID = "SendGrid, batches of 100"
EVENTS_MAILGUN = "Mailgun, single events"
EVENTS_MAX = "all Postern takes"
# No webhooks: intake offered as many more messages a second as the paced
# cells offer events (shown in "offered"), the same added requests made of
# intake alone.
EVENTS_MORE_INTAKE = "none: more intake instead"
EVENTS_CELLS = (("alone-before", "none (before)"), ("sendgrid-max", EVENTS_SENDGRID),
                ("sendgrid-paced", EVENTS_SENDGRID), ("mailgun-max", EVENTS_MAILGUN),
                ("mailgun-paced", EVENTS_MAILGUN), ("more-intake", EVENTS_MORE_INTAKE),
                ("alone-after", "none (after)"))


def events(rows, params):
    cells_rows = [r for r in rows if "load" in r]
    alone = {}  # run -> the higher intake p99 of its two alone cells, ms
    intake_cost = {}  # run -> Postern's CPU per intake message in its alone cells, s
    for r in cells_rows:
        p99 = duration_ms(r.get("p99"))
        if str(r["load"]).startswith("alone") and p99 is not None:
            alone[int(r["run"])] = max(alone.get(int(r["run"]), 0), p99)
        if str(r["load"]).startswith("alone") and "postern_cpu" in r and r.get("intake_per_s"):
            intake_cost.setdefault(int(r["run"]), []).append(r["postern_cpu"] / 100 / r["intake_per_s"])

    def vs_alone(r):
        p99 = duration_ms(r.get("p99"))
        return p99 / alone[int(r["run"])] if p99 is not None and alone.get(int(r["run"])) else None

    def cpu_per_event(r):
        """Postern's CPU less what the cell's intake costs (at the run's
        alone cells' cost per message), per event, µs."""
        cost = intake_cost.get(int(r["run"]))
        if not cost or not r.get("events_per_s") or "postern_cpu" not in r:
            return None
        webhooks = r["postern_cpu"] / 100 - statistics.mean(cost) * r.get("intake_per_s", 0)
        return webhooks / r["events_per_s"] * 1e6

    cells = []
    for key, label in EVENTS_CELLS:
        mine = [r for r in cells_rows if r["load"] == key]
        if not mine:
            continue
        runs = lambda name: [r.get(name) for r in mine]
        webhooks = not key.startswith("alone") and key != "more-intake"
        offered = "—"
        if webhooks:
            offered = EVENTS_MAX if key.endswith("-max") else int(mine[0].get("offered", 0))
        if key == "more-intake":
            offered = int(mine[0].get("intake_target", 0) - float(params.get("paced", 0)))
        extras = {"intake": figure(runs("intake_per_s"), "msg/s"),
                  "p50": figure([duration_ms(v) for v in runs("p50")], "ms", 2),
                  "p99": figure([duration_ms(v) for v in runs("p99")], "ms", 1)}
        if not key.startswith("alone"):
            extras["p99_vs_alone"] = figure([vs_alone(r) for r in mine], digits=2)
        if webhooks:
            extras["cpu_per_event"] = figure([cpu_per_event(r) for r in mine], "µs", 1)
        extras["postern_cpu"] = figure(runs("postern_cpu"), "%")
        extras["cpu"] = figure(runs("cpu"), "%")
        cells.append({"labels": {"webhooks": label, "offered": offered},
                      "postern": figure(runs("events_per_s"), "events/s") if webhooks else {"value": None},
                      "peer": None, "ratio": None, "extras": extras})
    notes = [f"Intake alone, closed loop (wrk -t2, 64 connections, {params.get('calibrate', '5')} s) took "
             f"{float(params.get('intake_max', 0)):,.0f} msg/s; every cell offers half of it, "
             f"{float(params.get('paced', 0)):,.0f} msg/s. p99 / alone: each run's intake p99 over the higher of "
             "its two alone cells'. Postern CPU per event: Postern's CPU less its intake's (at the cost per message "
             "of the run's alone cells), over the events/s. More intake instead: no webhooks, intake offered "
             "as many more messages a second as a paced cell offers events."]
    loads = [f"run {int(r['run'])} {r['load1']:g}" for r in rows if "load1" in r]
    if loads:
        notes.append("Load average (1 min) as each run began: " + ", ".join(loads) + ".")
    webhook_rows = [r for r in cells_rows if "events_per_s" in r]
    # wrk checks the first request without sending it.
    ran_out = [f"run {int(r['run'])} {r['load']}" for r in webhook_rows
               if r.get("made") and r.get("sent", 0) >= r["made"] - 1]
    failed = sum(int(r.get("webhook_non2xx", 0)) + int(r.get("refused", 0)) for r in webhook_rows)
    intake_failed = sum(int(r.get("intake_non2xx", 0)) for r in cells_rows)
    notes.append(f"Webhook requests refused or not 2xx: {failed}; intake answers not 2xx: {intake_failed}. "
                 f"Events left unmatched in the store: {params.get('unmatched', '?')}; addresses suppressed: "
                 f"{params.get('suppressed', '?')}."
                 + (" Pre-made requests ran out (the rate is a floor) in: " + ", ".join(ran_out) + "." if ran_out
                    else ""))
    return {"title": "Provider events in",
            "peer": None,
            "load": f"Postern, delivery off, over a store of {int(float(params.get('messages', 0))):,} messages × "
                    f"{int(float(params.get('recipients', 0)))} recipients sent through postern-sim's Mailgun and "
                    "SendGrid. Intake: 4 KiB JSON messages at a constant rate, half its closed-loop rate (wrk, 64 "
                    "connections). Webhooks: signed beforehand, each event about one of those recipients (80% "
                    "delivered, 10% deferred, 7% bounced, 3% complained) and sent once, as fast as answered or at "
                    "a constant rate (bench/wrk_requests.lua), over "
                    f"{int(float(params.get('mailgun_conns', 0)))} (Mailgun) or "
                    f"{int(float(params.get('sendgrid_conns', 0)))} (SendGrid) connections; events/s as Postern "
                    "counts them (postern_webhook_events_total)",
            "labels": ["webhooks", "offered"], "postern_label": "events/s", "peer_label": None,
            "extras": [{"key": "intake", "label": "intake msg/s"}, {"key": "p50", "label": "intake p50"},
                       {"key": "p99", "label": "intake p99"}, {"key": "p99_vs_alone", "label": "p99 / alone"},
                       {"key": "cpu_per_event", "label": "Postern CPU per event"},
                       {"key": "postern_cpu", "label": "Postern CPU"}, {"key": "cpu", "label": "box CPU"}],
            "cells": cells, "notes": notes}


UI_BUNDLE = "first load of /: JS + CSS, Brotli"
UI_MEASURES = (  # phase of the raw line, its key, label, unit, digits
    ("bundle", "br_kb", UI_BUNDLE, "KB", 1),
    ("bundle", "gzip_kb", "first load of /: JS + CSS, gzip", "KB", 1),
    ("bundle", "raw_kb", "first load of /: JS + CSS, uncompressed", "KB", 1),
    ("cold", "fcp_ms", "cold cache: first contentful paint", "ms", 0),
    ("cold", "lcp_ms", "cold cache: largest contentful paint", "ms", 0),
    ("cold", "dcl_ms", "cold cache: DOMContentLoaded", "ms", 0),
    ("cold", "load_ms", "cold cache: load", "ms", 0),
    ("cold", "transfer_kb", "cold cache: bytes transferred", "KB", 1),
    ("warm", "fcp_ms", "warm cache: first contentful paint", "ms", 0),
    ("warm", "lcp_ms", "warm cache: largest contentful paint", "ms", 0),
    ("warm", "dcl_ms", "warm cache: DOMContentLoaded", "ms", 0),
    ("warm", "load_ms", "warm cache: load", "ms", 0),
    ("warm", "transfer_kb", "warm cache: bytes transferred", "KB", 1),
    ("live", "intake_per_s", "under load: messages accepted", "/s", 0),
    ("live", "delivered_per_s", "under load: messages delivered", "/s", 0),
    ("live", "toggles", "under load: pauses and resumes made", "events", 0),
    ("live", "events", "under load: events the page read", "events", 0),
    ("live", "event_lag_p50_ms", "under load: event lag, p50", "ms", 0),
    ("live", "event_lag_p99_ms", "under load: event lag, p99", "ms", 0),
    ("live", "event_lag_last10s_p99_ms", "under load: event lag, p99 of the last 10 s", "ms", 0),
    ("live", "loop_lag_p99_ms", "under load: main thread late, p99", "ms", 0),
    ("live", "long_task_ms", "under load: main thread in long tasks (≥ 50 ms), total", "ms", 0),
    ("live", "heap_start_mib", "under load: JS heap at the start", "MiB", 1),
    ("live", "heap_half_mib", "under load: JS heap at half time", "MiB", 1),
    ("live", "heap_end_mib", "under load: JS heap at the end", "MiB", 1),
    ("live", "heap_peak_mib", "under load: JS heap, highest sample", "MiB", 1),
)


def ui(rows, params):
    cells = [{"labels": {"measure": label},
              "postern": figure([r.get(key) for r in rows if r.get("phase") == phase], unit, digits),
              "peer": None, "ratio": None, "extras": {}} for phase, key, label, unit, digits in UI_MEASURES]
    live = next((r for r in rows if r.get("phase") == "live"), {})
    loads = len([r for r in rows if r.get("phase") == "cold"])
    return {"title": "Web UI", "peer": None,
            "load": f"the built UI served by the gateway; {loads} cold loads of / (a new browser context each) "
                    f"and {loads} warm ones (reloads), headless Debian chromium, medians of the loads; then the "
                    f"dashboard open {number_text(live.get('secs'))} s while wrk posts 1.5 KiB messages over "
                    f"{number_text(live.get('conns'))} connections (delivery on, through postern-sim's Mailgun "
                    "and SendGrid) and provider sg is paused and resumed ten times a second; event lag: from the "
                    "event's `at` to the page's main thread reading it",
            "labels": ["measure"], "postern_label": "median (loads)", "peer_label": None, "extras": [],
            "cells": cells}


def number_text(value):
    return "—" if value is None else f"{value:g}"


DISK_MOMENTS = (("peak", "peak during the run"), ("closest_to_bound", "closest to the bound"),
                ("end", "end: only the deferred kept"))


def disk_use(rows, params):
    cells = []
    for key, label in DISK_MOMENTS:
        row = next((r for r in rows if r.get("moment") == key), {})
        content, bound = row.get("content_mib"), row.get("bound_mib")
        cells.append({"labels": {"moment": label}, "postern": figure([content], "MiB", 1),
                      "peer": figure([bound], "MiB", 1),
                      "ratio": figure([content / bound] if content is not None and bound else [], digits=2),
                      "extras": {"kept": figure([row.get("kept")], "messages"),
                                 "at": figure([row.get("t")], "s")}})
    last = rows[-1] if rows else {}
    count, deferred = int(float(params.get("count", 0))), int(float(params.get("deferred", 0)))
    notes = [f"{int(last.get('samples', 0)):,} samples, one a second, {int(last.get('over_bound', 0))} over the "
             f"bound; {int(last.get('compacted_segments', 0))} segments compacted, "
             f"{last.get('compacted_bytes', 0) / 2**20:.1f} MiB of live content moved, "
             f"{last.get('reclaimed_bytes', 0) / 2**30:.2f} GiB of segment files removed; "
             f"{int(last.get('per_message', 0)):,} bytes of content per message."] if rows else []
    return {"title": "Disk that follows the live mail", "peer": None,
            "load": f"{count:,} messages of 1 KiB (wrk, 50 connections) delivered through postern-sim's SMTP "
                    f"relay while {deferred} others, spread over the run, are deferred by it throughout; "
                    f"store.retention {params.get('retention', '?')}, 64 MiB segments; the content files' size "
                    "sampled every second beside the bound: twice the content of the messages kept (the most "
                    "over the 5 s before) plus two segments",
            "labels": ["moment"], "postern_label": "content files, MiB", "peer_label": "bound, MiB",
            "extras": [{"key": "kept", "label": "messages kept"}, {"key": "at", "label": "at"}],
            "cells": cells, "notes": notes}


LIMITS_ALONE = "alone"
LIMITS_FLOOD = "during the flood"
LIMITS_LOADS = (("alone", LIMITS_ALONE), ("flood", LIMITS_FLOOD), ("after", "after the flood"))


def limits(rows, params):
    alone = {int(r["run"]): duration_ms(r.get("p99")) for r in rows if r.get("load") == "alone"}
    cells = []
    for key, label in LIMITS_LOADS:
        mine = [r for r in rows if r.get("load") == key]
        if not mine:
            continue
        extras = {"p50": figure([duration_ms(r.get("p50")) for r in mine], "ms", 2),
                  "p99": figure([duration_ms(r.get("p99")) for r in mine], "ms", 2),
                  "legit_non2xx": figure([r.get("legit_non2xx") for r in mine], "answers")}
        if key == "flood":
            extras["p99_vs_alone"] = figure(
                [duration_ms(r.get("p99")) / alone[int(r["run"])] for r in mine if alone.get(int(r["run"]))],
                digits=2)
            extras["flood_429"] = figure([r.get("flood_429") for r in mine], "answers")
            extras["flood_200"] = figure([r.get("flood_200") for r in mine], "answers")
        cells.append({"labels": {"load": label}, "postern": figure([r.get("requests") for r in mine], "requests"),
                      "peer": None, "ratio": None, "extras": extras})
    return {"title": "Abuse limits under a flood", "peer": None,
            "load": f"a legitimate client (its own key, one keep-alive connection, 50 requests/s one after another, "
                    f"GET /v1/messages?limit=1) for {params.get('secs', '?')} s alone, then while "
                    f"{params.get('flood', '?')} keep-alive connections hammer the same route with another key "
                    "limited to 100 requests/s (burst 100, 64 in flight), then alone again",
            "labels": ["load"], "postern_label": "legitimate requests",
            "peer_label": None,
            "extras": [{"key": "p50", "label": "p50"}, {"key": "p99", "label": "p99"},
                       {"key": "p99_vs_alone", "label": "p99 / alone"},
                       {"key": "legit_non2xx", "label": "legitimate non-2xx"},
                       {"key": "flood_429", "label": "flood 429s"}, {"key": "flood_200", "label": "flood 2xx"}],
            "cells": cells,
            "notes": ["The flood's 1,000 connections are driven by one Python asyncio process on the same cores as "
                      "Postern and the client: what the client feels includes the CPU the flood generator takes."]}


def bigmsg(rows, params):
    cells = []
    for r in rows:
        acked = r.get("acked") or 0
        cells.append({"labels": {"load": f"{int(r['smtp_sessions'])} x {r['smtp_mib']:g} MiB SMTP + "
                                          f"{int(r['http_clients'])} x {r['http_mib']:g} MiB HTTP",
                                 "budget": f"{r['inflight_mib']:g} MiB"},
                      "postern": figure([r.get("peak_rss_mib")], "MiB"), "peer": None, "ratio": None,
                      "extras": {"idle": figure([r.get("idle_rss_mib")], "MiB"),
                                 "seconds": figure([r.get("seconds")], "s", 1),
                                 "refusals": figure([(r.get("refusals_smtp") or 0) + (r.get("refusals_http") or 0)],
                                                    "answers"),
                                 "lost": figure([acked - (r.get("intact") or 0)], "messages")}})
    size = {k: float(params.get(k, 0)) for k in ("smtp", "smtp_mib", "http", "http_mib")}
    return {"title": "Big messages in bounded memory", "peer": None, **size,
            "load": "SMTP sessions (smtplib) each sending one big message and HTTP clients (http.client) each "
                    "posting one as message/rfc822, all at once, relayed to postern-sim's SMTP relay; refused "
                    "ones (452 4.3.1, 503) retried; every acknowledged message's SHA-256 compared at the "
                    "simulator; VmRSS sampled every 50 ms until the last was delivered",
            "labels": ["load", "budget"], "postern_label": "peak VmRSS", "peer_label": None,
            "extras": [{"key": "idle", "label": "idle VmRSS"}, {"key": "seconds", "label": "load time"},
                       {"key": "refusals", "label": "refusals retried"},
                       {"key": "lost", "label": "acknowledged, not intact"}],
            "cells": cells}


SUMMARISERS = {f.__name__: f for f in (http_intake, smtp_intake, end_to_end, failover, queued_memory, store_intake,
                                       imap, events, disk_use, message_search, limits, ui, bigmsg, cluster)}

# --- the machine and the document ---------------------------------------------------


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        kib = int(next(l for l in f if l.startswith("MemTotal")).split()[1])
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": os.uname().release, "memory": f"{kib / 2**20:.0f} GiB"}


def commit():
    git = ["git", "-C", os.path.join(HERE, "..")]
    try:
        head = subprocess.run(git + ["rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    dirty = subprocess.run(git + ["diff", "--quiet", "HEAD"], capture_output=True).returncode != 0
    return head + ("+dirty" if dirty else "")


def document(benchmark, rows, command, params, notes=()):
    doc = {"schema": SCHEMA, "benchmark": benchmark, "source": {"kind": "measured"}, "machine": machine(),
           "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ"), "commit": commit(),
           "command": command, "runs": len({r.get("run", 1) for r in rows})}
    doc.update(SUMMARISERS[benchmark](rows, params))
    doc["notes"] = list(doc.get("notes", [])) + list(notes)
    doc.setdefault("missing", [])
    return apply_targets(doc)


def write(doc, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, doc["benchmark"] + ".json")
    with open(path + ".tmp", "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False, allow_nan=False)
        f.write("\n")
    os.replace(path + ".tmp", path)
    return path


def load(path):
    with open(path) as f:
        return json.load(f)


def main(argv):
    if argv[:1] == ["judge"]:
        for path in argv[1:]:
            write(apply_targets(load(path)), os.path.dirname(os.path.abspath(path)))
        return 0
    ap = argparse.ArgumentParser(description="Summarise a benchmark's raw lines into bench/results/BENCHMARK.json")
    ap.add_argument("benchmark", choices=sorted(SUMMARISERS))
    ap.add_argument("raw")
    ap.add_argument("--command", required=True, help="the command line that ran the benchmark")
    ap.add_argument("--out", default=os.environ.get("POSTERN_BENCH_RESULTS", RESULTS_DIR))
    ap.add_argument("--param", action="append", default=[], help="KEY=VALUE the summariser needs")
    ap.add_argument("--note", action="append", default=[], help="a sentence printed under the table")
    ap.add_argument("--machine-note", help="what else the run measured of the machine (an fsync probe)")
    args = ap.parse_args(argv)
    params = dict(p.split("=", 1) for p in args.param)
    doc = document(args.benchmark, raw_rows(args.raw), args.command, params, args.note)
    if args.machine_note:
        doc["machine"]["notes"] = args.machine_note
    path = write(doc, args.out)
    sys.path.insert(0, HERE)
    import render
    print(render.section(doc))
    print(f"# written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
