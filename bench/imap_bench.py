#!/usr/bin/python3
"""The IMAP benchmark's mail and client (bench/imap.sh runs it).

  messages   a deterministic mailbox: message i is the same bytes on every
             run and machine (random.Random seeded by i), of varied shapes:
             plain text, text + HTML alternatives, mixed with a base64
             attachment; some headers non-ASCII (RFC 2047 words)
  smtp-load  sends messages [0, N) over SMTP with AUTH PLAIN, several
             sessions in as many processes
  maildir    writes the same messages into a maildir (Dovecot's peer),
             file names in message order so that UIDs follow it
  wait       until STATUS INBOX (MESSAGES) reaches N over IMAP (bounded)
  measure    warms a server (one SELECT and one FETCH 1:* (ENVELOPE)), then
             measures SELECT latency, FETCH 1:* (ENVELOPE), UID SEARCH on a
             header, and a mix of FETCH/STORE/SEARCH from SESSIONS client
             processes for SECONDS; prints one "key=value ..." line per
             measure, with the server's CPU and peak RSS and the client's CPU

The client speaks raw IMAP over sockets (no imaplib: its per-line regex
work would make the client the bottleneck); each mix session is its own
process, so that the GIL serialises nothing. Standard library only: run
with /usr/bin/python3.
"""
import argparse
import base64
import multiprocessing
import os
import random
import resource
import smtplib
import socket
import statistics
import sys
import time
from email.header import Header

SEED = 27
DATE_BASE = 1796083200  # 2026-12-01T00:00Z: message i is dated DATE_BASE + 30 i

# The header word UID SEARCH looks for: in the subject of one message in 97.
RARE = "quarterly"
WORDS = ("account update report meeting invoice order shipping notice review draft "
         "project status team weekly plan budget customer support ticket release build "
         "deploy server backup welcome reminder payment receipt password reset verify "
         "newsletter offer summary agenda minutes feedback survey launch design issue "
         "request approval contract schedule travel booking confirmation delivery").split()
ASCII_NAMES = ("Alice Walker", "Bob Stone", "Carol Diaz", "Dan Okafor", "Eve Martin",
               "Frank Li", "Grace Hopper", "Heidi Klum", "Ivan Petrov", "Judy Chen")
UTF8_NAMES = ("Jürgen Müller", "Zoë Brontë", "José Núñez", "Åsa Lindström", "山田 太郎",
              "Renée Côté", "Łukasz Wiśniewski", "Ελένη Παππά")
UTF8_SUBJECTS = ("Grüße aus München", "Réunion de l'équipe", "Año nuevo, código nuevo",
                 "Доставка заказа", "会議の議事録", "Smörgåsbord på fredag")
DOMAINS = ("example.com", "example.org", "mail.example.net", "staging.example.io")


def _address(rng, non_ascii):
    name = rng.choice(UTF8_NAMES if non_ascii else ASCII_NAMES)
    local = "".join(c for c in name.lower() if c.isascii() and c.isalpha()) or "user"
    addr = f"{local}{rng.randrange(100)}@{rng.choice(DOMAINS)}"
    shown = Header(name, "utf-8").encode(linesep="\r\n") if non_ascii else f'"{name}"'
    return f"{shown} <{addr}>"


def _paragraphs(rng, size):
    out, n = [], 0
    while n < size:
        words = [rng.choice(WORDS) for _ in range(rng.randrange(8, 40))]
        line = " ".join(words).capitalize() + "."
        out.append(line)
        n += len(line) + 2
    return "\r\n".join(out) + "\r\n"


def _wrap76(text):
    return "\r\n".join(text[i:i + 76] for i in range(0, len(text), 76)) + "\r\n"


def message(i):
    """Message i of the mailbox: CRLF-terminated bytes."""
    rng = random.Random(SEED * 1_000_003 + i)
    non_ascii = rng.random() < 0.15
    words = [rng.choice(WORDS) for _ in range(rng.randrange(3, 8))]
    if i % 97 == 0:
        words.insert(rng.randrange(len(words) + 1), RARE)
    subject = " ".join(words).capitalize()
    if non_ascii:
        subject = Header(rng.choice(UTF8_SUBJECTS) + " " + subject, "utf-8").encode(linesep="\r\n")
    date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(DATE_BASE + 30 * i))
    headers = [f"From: {_address(rng, non_ascii)}", f"To: {_address(rng, rng.random() < 0.1)}"]
    if rng.random() < 0.3:
        headers.append("Cc: " + ", ".join(_address(rng, False) for _ in range(rng.randrange(1, 4))))
    headers += [f"Subject: {subject}", f"Date: {date}",
                f"Message-ID: <{i}.{rng.randrange(1 << 30):x}@bench.example.com>"]
    if rng.random() < 0.4:
        headers.append(f"In-Reply-To: <{rng.randrange(max(i, 1))}.0@bench.example.com>")
    if rng.random() < 0.5:
        headers.append("X-Mailer: postern-bench/1.0")
    headers.append("MIME-Version: 1.0")
    shape = rng.random()
    text = _paragraphs(rng, int(rng.lognormvariate(7.3, 0.8)))  # median ~1.5 KB
    if shape < 0.55:
        headers.append("Content-Type: text/plain; charset=utf-8")
        headers.append("Content-Transfer-Encoding: 8bit")
        body = text
    else:
        b1 = f"=_alt_{i}_{rng.randrange(1 << 30):x}"
        html = "<html><body>" + "".join(f"<p>{p}</p>\r\n" for p in text.split("\r\n") if p) + "</body></html>\r\n"
        alt = (f"--{b1}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
               f"{text}--{b1}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}--{b1}--\r\n")
        if shape < 0.85:
            headers.append(f'Content-Type: multipart/alternative; boundary="{b1}"')
            body = alt
        else:
            b2 = f"=_mix_{i}_{rng.randrange(1 << 30):x}"
            size = int(rng.lognormvariate(9.0, 1.0))  # median ~8 KB, a few of 100 KB and more
            name = rng.choice(("report.pdf", "invoice.pdf", "photo.jpg", "data.csv", "Übersicht.xlsx"))
            # RFC 2231 for a non-ASCII file name, as mail programs write it.
            disposition = (f'attachment; filename="{name}"' if name.isascii() else
                           "attachment; filename*=utf-8''" + "".join(
                               c if c.isascii() else "".join(f"%{b:02X}" for b in c.encode()) for c in name))
            payload = _wrap76(base64.b64encode(rng.randbytes(size)).decode())
            headers.append(f'Content-Type: multipart/mixed; boundary="{b2}"')
            body = (f"This is a multi-part message in MIME format.\r\n--{b2}\r\n"
                    f'Content-Type: multipart/alternative; boundary="{b1}"\r\n\r\n{alt}'
                    f"--{b2}\r\nContent-Type: application/octet-stream; name=\"{name}\"\r\n"
                    f"Content-Transfer-Encoding: base64\r\nContent-Disposition: {disposition}\r\n\r\n"
                    f"{payload}--{b2}--\r\n")
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode()


def expected_hits(n):
    """How many of messages [0, n) carry RARE in their subject."""
    return len(range(0, n, 97))


# --- loading --------------------------------------------------------------------


def _send_share(args, k, procs):
    s = smtplib.SMTP("127.0.0.1", args.port, timeout=60)
    s.ehlo("bench.example.com")
    s.login(args.user, args.password)
    sent = 0
    for i in range(k, args.count, procs):
        s.sendmail(args.sender, [args.rcpt], message(i))
        sent += 1
    s.quit()
    return sent


def smtp_load(args):
    with multiprocessing.Pool(args.sessions) as pool:
        sent = sum(pool.starmap(_send_share, [(args, k, args.sessions) for k in range(args.sessions)]))
    print(f"sent={sent}")
    return 0 if sent == args.count else 1


def maildir(args):
    cur = os.path.join(args.dir, "cur")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(args.dir, sub), exist_ok=True)
    for i in range(args.count):
        raw = message(i)
        # Maildir names sort by their leading time stamp: UIDs follow i. The
        # lines end in CRLF, so the virtual size (W=) is the file's (S=).
        path = os.path.join(cur, f"{DATE_BASE + 30 * i}.M{i}P1.bench,S={len(raw)},W={len(raw)}:2,")
        with open(path, "wb") as f:
            f.write(raw)
        os.utime(path, (DATE_BASE + 30 * i, DATE_BASE + 30 * i))
    print(f"written={args.count}")
    return 0


# --- the IMAP client -----------------------------------------------------------------


class ImapError(Exception):
    pass


class Conn:
    """One IMAP connection: commands and their whole answers, literals skipped."""

    def __init__(self, port, timeout=600):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0
        self.n = 0
        greeting = self.readline()
        if not greeting.startswith(b"* OK"):
            raise ImapError(f"greeting: {greeting[:200]!r}")

    def _fill(self):
        data = self.s.recv(1 << 20)
        if not data:
            raise ImapError("connection closed")
        if self.pos > (1 << 20):
            del self.buf[:self.pos]
            self.pos = 0
        self.buf += data

    def readline(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = bytes(self.buf[self.pos:i])
                self.pos = i + 2
                return line
            self._fill()

    def _skip(self, n):
        while len(self.buf) - self.pos < n:
            self._fill()
        self.pos += n

    def command(self, text, keep=None):
        """Sends `text`; answers (tagged status, untagged count, kept lines):
        kept are the untagged lines starting with `keep`."""
        self.n += 1
        tag = b"c%d " % self.n
        self.s.sendall(tag + text.encode() + b"\r\n")
        count, kept = 0, []
        while True:
            line = rest = self.readline()
            # A response goes on after each literal it carries: skip them.
            while rest.endswith(b"}"):
                j = rest.rfind(b"{")
                size = rest[j + 1:-1].rstrip(b"+")
                if j < 0 or not size.isdigit():
                    break
                self._skip(int(size))
                rest = self.readline()
            if line.startswith(tag):
                status = line[len(tag):].split(b" ", 1)[0]
                return status, count, kept
            if line.startswith(b"* "):
                count += 1
                if keep and line.startswith(keep):
                    kept.append(line)

    def ok(self, text, keep=None):
        status, count, kept = self.command(text, keep)
        if status != b"OK":
            raise ImapError(f"{text[:80]}: {status!r}")
        return count, kept

    def login(self, user, password):
        self.ok(f'LOGIN "{user}" "{password}"')

    def close(self):
        try:
            self.command("LOGOUT")
        except (OSError, ImapError):
            pass
        self.s.close()


def wait_count(args):
    deadline = time.monotonic() + args.timeout
    last = -1
    while time.monotonic() < deadline:
        c = Conn(args.port)
        c.login(args.user, args.password)
        _, kept = c.ok("STATUS INBOX (MESSAGES)", keep=b"* STATUS")
        c.close()
        last = int(kept[0].rsplit(b"MESSAGES ", 1)[1].split(b")")[0])
        if last >= args.count:
            print(f"messages={last}")
            return 0
        time.sleep(1)
    print(f"# only {last} of {args.count} messages after {args.timeout} s", file=sys.stderr)
    return 1


# --- /proc: the server's CPU and memory ----------------------------------------------


def _stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    return text[text.rindex(")") + 2:].split()


def _tree(root):
    """root and its descendants (pids)."""
    children = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                children.setdefault(int(_stat(d)[1]), []).append(int(d))
            except (OSError, IndexError):
                pass
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def tree_cpu(root):
    """CPU seconds of root's tree: live processes and the reaped children they counted."""
    ticks = 0
    for p in _tree(root):
        try:
            f = _stat(p)
            ticks += int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])
        except (OSError, IndexError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def hwm_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def comm(pid):
    with open(f"/proc/{pid}/comm") as f:
        return f.read().strip()


def server_rss(root, kind):
    """(MiB counted, what was counted): Postern's process; for Dovecot its
    master and the imap processes serving the sessions, summed (each
    session is a process of its own)."""
    if kind == "postern":
        return hwm_mib(root), "VmHWM of the postern process"
    pids = [p for p in _tree(root) if p == root or comm(p) == "imap"]
    total = sum(hwm_mib(p) for p in pids)
    return total, f"sum of VmHWM of dovecot master + {len(pids) - 1} imap processes"


def box_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    busy = v[0] + v[1] + v[2] + v[5] + v[6]
    return busy, busy + v[3] + v[4] + v[7]


# --- measures ------------------------------------------------------------------------


def session(args):
    c = Conn(args.port)
    c.login(args.user, args.password)
    return c


def median_ms(samples):
    return round(statistics.median(samples) * 1000, 1)


def mix(args, server_pid, kind):
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Barrier(args.sessions + 1)
    release = ctx.Event()
    out = ctx.Queue()
    procs = []
    for k in range(args.sessions):
        # Daemonic: should the parent fail, its sessions go with it.
        p = ctx.Process(target=_mix_worker, args=(args, k, ready, release, out), daemon=True)
        p.start()
        procs.append(p)
    # Every session logged in and selected: the mix starts for all at once.
    ready.wait(timeout=300)
    t0 = time.monotonic()
    cpu0 = tree_cpu(server_pid)
    b0 = box_ticks()
    results = [out.get(timeout=args.seconds + 300) for _ in procs]
    elapsed = time.monotonic() - t0
    cpu1 = tree_cpu(server_pid)
    b1 = box_ticks()
    rss, counted = server_rss(server_pid, kind)
    release.set()
    for p in procs:
        p.join(timeout=60)
        if p.is_alive():
            p.kill()
    total = {}
    for counts, _, _, _ in results:
        for key, v in counts.items():
            total[key] = total.get(key, 0) + v
    commands = sum(total.values())
    errors = sum(r[1] for r in results)
    client_cpu = sum(r[2] for r in results)
    lat = sorted(x for r in results for x in r[3])
    p99 = lat[int(len(lat) * 0.99)] if lat else 0
    cores = os.cpu_count()
    box = 100 * cores * (b1[0] - b0[0]) / max(1, b1[1] - b0[1])
    return {
        "mix_cmd_per_s": round(commands / elapsed, 1), "mix_commands": commands, "mix_errors": errors,
        "mix_p99_ms": round(p99 * 1000, 1), "mix_secs": round(elapsed, 1),
        **{f"mix_{k}": v for k, v in total.items()},
        "server_cpu_pct": round(100 * (cpu1 - cpu0) / elapsed), "client_cpu_pct": round(100 * client_cpu / elapsed),
        "box_cpu_pct": round(box), "rss_mib": round(rss, 1), "rss_counted": counted.replace(" ", "_"),
    }


def _mix_worker(args, k, ready, release, out):
    """One session of the mix: logs in and selects, waits for the others,
    sends commands until the shared deadline, reports, then stays logged in
    (its server process alive) until the parent has read the server's memory."""
    rng = random.Random(SEED * 7 + k)
    c = session(args)
    n = args.count
    c.ok("SELECT INBOX")
    ready.wait(timeout=300)
    deadline_at = time.monotonic() + args.seconds
    counts = {"fetch_page": 0, "fetch_body": 0, "store": 0, "search": 0}
    errors = 0
    latencies = []
    flags = ("\\Seen", "\\Flagged")
    while time.monotonic() < deadline_at:
        r = rng.random()
        if r < 0.30:
            kind, a = "fetch_page", rng.randrange(1, max(2, n - 48))
            cmd = f"UID FETCH {a}:{a + 49} (UID FLAGS RFC822.SIZE ENVELOPE)"
        elif r < 0.50:
            kind, cmd = "fetch_body", f"UID FETCH {rng.randrange(1, n + 1)} (BODY.PEEK[])"
        elif r < 0.80:
            kind = "store"
            cmd = f"UID STORE {rng.randrange(1, n + 1)} {rng.choice('+-')}FLAGS.SILENT ({rng.choice(flags)})"
        else:
            kind = "search"
            if rng.random() < 0.5:
                cmd = "UID SEARCH FLAGGED"
            else:
                a = rng.randrange(1, max(2, n - 998))
                cmd = f'UID SEARCH UID {a}:{a + 999} SUBJECT "{rng.choice(WORDS)}"'
        t0 = time.monotonic()
        status, _, _ = c.command(cmd)
        latencies.append(time.monotonic() - t0)
        if status != b"OK":
            errors += 1
        counts[kind] += 1
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    out.put((counts, errors, cpu.ru_utime + cpu.ru_stime, latencies))
    release.wait(timeout=300)
    c.close()


def measure(args):
    """The measures of one server, one "key=value" line each on stdout."""
    server_pid = args.pid
    common = f"server={args.server} messages={args.count}"
    # Warm-up, not measured, the same for both: what a first client does.
    c = session(args)
    c.ok("SELECT INBOX")
    c.ok("FETCH 1:* (ENVELOPE)")
    c.close()

    samples = []
    for _ in range(args.repeat):
        c = session(args)
        t = time.monotonic()
        exists, _ = c.ok("SELECT INBOX", keep=b"* ")
        samples.append(time.monotonic() - t)
        c.close()
    print(f"{common} measure=select ms={median_ms(samples)} "
          f"runs_ms={','.join(str(round(x * 1000, 1)) for x in samples)}", flush=True)

    c = session(args)
    c.ok("SELECT INBOX")
    samples, answered = [], 0
    cpu0 = tree_cpu(server_pid)
    for _ in range(args.repeat_long):
        t = time.monotonic()
        answered, _ = c.ok("FETCH 1:* (ENVELOPE)")
        samples.append(time.monotonic() - t)
    cpu = (tree_cpu(server_pid) - cpu0) / sum(samples)
    print(f"{common} measure=fetch_envelope ms={median_ms(samples)} answers={answered} "
          f"server_cpu_pct={round(100 * cpu)} runs_ms={','.join(str(round(x * 1000)) for x in samples)}", flush=True)

    samples, hits = [], -1
    cpu0 = tree_cpu(server_pid)
    for _ in range(args.repeat_long):
        t = time.monotonic()
        _, kept = c.ok(f'UID SEARCH HEADER Subject "{RARE}"', keep=b"* SEARCH")
        samples.append(time.monotonic() - t)
        hits = len(kept[0].split()) - 2 if kept else 0
    cpu = (tree_cpu(server_pid) - cpu0) / sum(samples)
    print(f"{common} measure=search_header ms={median_ms(samples)} hits={hits} expected={expected_hits(args.count)} "
          f"server_cpu_pct={round(100 * cpu)} runs_ms={','.join(str(round(x * 1000)) for x in samples)}", flush=True)
    c.close()

    figures = mix(args, server_pid, args.server)
    print(f"{common} measure=mix sessions={args.sessions} " + " ".join(f"{k}={v}" for k, v in figures.items()),
          flush=True)
    return 0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="what", required=True)
    p = sub.add_parser("smtp-load")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--sender", required=True)
    p.add_argument("--rcpt", default="someone@example.com")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--sessions", type=int, default=4)
    p = sub.add_parser("maildir")
    p.add_argument("dir")
    p.add_argument("--count", type=int, required=True)
    p = sub.add_parser("show")
    p.add_argument("index", type=int)
    for name in ("wait", "measure"):
        p = sub.add_parser(name)
        p.add_argument("--port", type=int, required=True)
        p.add_argument("--user", required=True)
        p.add_argument("--password", required=True)
        p.add_argument("--count", type=int, required=True)
        if name == "wait":
            p.add_argument("--timeout", type=float, default=600)
        else:
            p.add_argument("--server", choices=("postern", "dovecot"), required=True)
            p.add_argument("--pid", type=int, required=True, help="the server's (master) process")
            p.add_argument("--sessions", type=int, default=10)
            p.add_argument("--seconds", type=float, default=60)
            p.add_argument("--repeat", type=int, default=7, help="SELECT samples")
            p.add_argument("--repeat-long", type=int, default=3, help="FETCH 1:* and SEARCH samples")
    args = ap.parse_args(argv)
    if args.what == "show":
        sys.stdout.buffer.write(message(args.index))
        return 0
    return {"smtp-load": smtp_load, "maildir": maildir, "wait": wait_count, "measure": measure}[args.what](args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
