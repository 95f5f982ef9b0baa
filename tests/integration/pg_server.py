"""A private PostgreSQL 15 for the tests of the PostgreSQL store (the same
harness as tests/unit/support/pg_server.h): initdb into a temporary
directory, started with pg_ctl on 127.0.0.1 at a free port with its unix
socket in that directory, fsync and synchronous_commit on, stopped at the
end. Debian's postgresql-15 provides the binaries (scripts/bootstrap.sh);
POSTERN_PG_BIN names another directory."""
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile

PG_BIN = os.environ.get("POSTERN_PG_BIN", "/usr/lib/postgresql/15/bin")
USER = "postern"
PORT_TRIES = 5


def available():
    return os.path.exists(os.path.join(PG_BIN, "initdb")) and os.path.exists(os.path.join(PG_BIN, "psql"))


def _as_postgres():
    """PostgreSQL refuses to run as root: a run as root (a container) runs the
    server binaries as the package's postgres user."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        return None


def _free_port():
    """A port free on 127.0.0.1 a moment ago: PostgreSQL cannot take port 0
    and say which it got, so a taken one is retried (start)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="postern-pg-")
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "server.log")
        self.port = None
        self.running = False
        self.databases = 0
        user = _as_postgres()
        self._prefix = ["runuser", "-u", "postgres", "--"] if user else []
        if user:
            os.chown(self.dir, user.pw_uid, user.pw_gid)
        self._guard = None

    def _run(self, *argv):
        r = subprocess.run(self._prefix + list(argv), capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({r.returncode}): {r.stdout}{r.stderr}")
        return r.stdout

    def _pg_ctl(self, action):
        argv = [os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-l", self.log, "-w"]
        if action == "start":
            argv += ["-o", f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                           f"-c unix_socket_directories={self.dir} -c fsync=on "
                           f"-c synchronous_commit=on -c max_connections=300"]
        else:
            argv += ["-m", "fast"]
        self._run(*argv, action)

    def _start_guard(self):
        """A pytest killed (or crashing) runs no cleanup: a guard process
        waits for its stdin, which only this process holds, to close, then
        stops the server and removes its directory, however pytest ended."""
        stop = " ".join(shlex.quote(a) for a in self._prefix + [
            os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-m", "immediate", "stop"])
        script = f"cat >/dev/null; {stop} >/dev/null 2>&1; rm -rf {shlex.quote(self.dir)}"
        self._guard = subprocess.Popen(["sh", "-c", script], stdin=subprocess.PIPE,
                                       start_new_session=True)

    def start(self):
        self._start_guard()
        # --no-sync: initdb's own files; the server runs with fsync on.
        self._run(os.path.join(PG_BIN, "initdb"), "-D", self.data, "-U", USER, "--auth=trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        return self._start_on_free_port()

    def _start_on_free_port(self):
        last = None
        for _ in range(PORT_TRIES):
            self.port = _free_port()
            try:
                self._pg_ctl("start")
                self.running = True
                return self
            except RuntimeError as e:
                last = e
        raise RuntimeError(f"PostgreSQL did not start: {last}\n{self.server_log()}")

    def server_log(self):
        try:
            with open(self.log) as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def stop(self):
        if self.running:
            self._pg_ctl("stop")
            self.running = False

    def start_again(self):
        self._pg_ctl("start")
        self.running = True

    def start_replica(self):
        """A streaming replica of this server (pg_basebackup -R: it follows the
        primary's WAL as a hot standby), in a directory of its own and on
        another free port; stop, start_again and cleanup work as this one's,
        and promote() makes it a primary."""
        replica = PgServer()
        replica._start_guard()
        replica._run(os.path.join(PG_BIN, "pg_basebackup"), "-D", replica.data, "-R", "-X", "stream",
                     "-c", "fast", "--no-sync", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER)
        try:
            return replica._start_on_free_port()
        except RuntimeError:
            replica.cleanup()
            raise

    def promote(self):
        """Ends a replica's recovery: it takes writes from now on."""
        self._run(os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-w", "promote")

    def cleanup(self):
        try:
            self.stop()
        finally:
            if self._guard:
                self._guard.stdin.close()  # the guard finds the server stopped, and ends
                self._guard.wait(timeout=60)
            shutil.rmtree(self.dir, ignore_errors=True)

    def psql(self, sql, database="postgres"):
        """Runs `sql` with psql over TCP; answers its unaligned output."""
        return self._run(os.path.join(PG_BIN, "psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                         "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, "-d", database,
                         "-c", sql).strip()

    def create_database(self):
        self.databases += 1
        name = f"t{os.getpid()}_{self.databases}"
        self.psql(f"CREATE DATABASE {name}")
        return name

    def url(self, database):
        """The database's postgresql:// URI ([store] url)."""
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"
