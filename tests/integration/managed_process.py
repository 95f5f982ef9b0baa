"""What every server a test starts (postern, postern-sim) has in common:
a start that waits for its ready line, a clean stop that must exit in time,
a kill -9, and the log it wrote."""
import re
import signal
import subprocess
import threading
import time

# What AddressSanitizer, LeakSanitizer and UBSan print. A leak report comes at
# exit, so only a process stopped gracefully can show one.
SANITIZER_REPORT = re.compile(r"ERROR: \w+Sanitizer|WARNING: \w+Sanitizer|: runtime error: ")


def sanitizer_report(lines):
    """The lines of a sanitizer report in `lines` (from its first line on), or []."""
    for i, line in enumerate(lines):
        if SANITIZER_REPORT.search(line):
            return lines[i:i + 80]
    return []


class ManagedProcess:
    name = "process"    # for error messages
    error = AssertionError
    proc = None         # the subprocess.Popen once started
    log_lines = ()
    killed = False      # the running or last process was killed with kill -9 on purpose
    checked = False     # its exit was checked (stop): finish() does not report it twice
    cwd = None          # the working directory it runs in (None: the test's)
    _pump = None

    def launch(self, command, env, ready_line, on_ready, timeout):
        """Starts `command` and waits until its stderr shows `ready_line` (a
        compiled regex); on_ready(match) reads the addresses from it. Every
        stderr line is kept in log_lines."""
        self.log_lines = []
        self.killed = self.checked = False
        self.proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True, errors="replace", cwd=self.cwd)
        ready = threading.Event()

        def pump():
            for line in self.proc.stderr:
                self.log_lines.append(line.rstrip("\n"))
                m = ready_line.search(line)
                if m:
                    on_ready(m)
                    ready.set()

        self._pump = threading.Thread(target=pump, daemon=True)
        self._pump.start()
        deadline = time.time() + timeout
        while not ready.wait(0.05):
            if self.proc.poll() is not None or time.time() > deadline:
                raise self.error("%s did not start:\n%s" % (self.name, "\n".join(self.log_lines[-50:])))
        return self

    def stop(self, timeout=30):
        """SIGTERM and a bounded wait; returns the exit code. Raises unless
        the exit was clean: code 0 and no sanitizer report on stderr (a
        process killed with kill9() on purpose is not checked)."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
                self.checked = True
                raise self.error("%s did not stop within %ss of SIGTERM:\n%s"
                                 % (self.name, timeout, "\n".join(self.log_lines[-50:])))
        self._pump.join(10)  # the last lines: a leak report is written at exit
        self.checked = True
        problem = self.exit_problem()
        if problem:
            raise self.error(problem)
        return self.proc.returncode

    def exit_problem(self):
        """Why the ended process did not exit cleanly, or None."""
        if self.killed:
            return None
        report = sanitizer_report(self.log_lines)
        if report:
            return "%s reported (exit code %s):\n%s" % (self.name, self.proc.returncode, "\n".join(report))
        if self.proc.returncode != 0:
            return "%s exited with code %s:\n%s" % (self.name, self.proc.returncode,
                                                    "\n".join(self.log_lines[-50:]))
        return None

    def finish(self):
        """For teardown: stops the process gracefully and checks its exit,
        unless a test did so already or killed it on purpose."""
        if self.proc and not self.checked:
            self.stop()

    def kill9(self):
        """kill -9 on purpose (a crash test): this exit is not checked."""
        if self.proc and self.proc.poll() is None:
            self.killed = True
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def logs(self):
        return "\n".join(self.log_lines)
