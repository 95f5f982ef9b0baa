"""What every server a test starts (postern, postern-sim) has in common:
a start that waits for its ready line, a clean stop that must exit in time,
a kill -9, and the log it wrote."""
import signal
import subprocess
import threading
import time


class ManagedProcess:
    name = "process"    # for error messages
    error = AssertionError
    proc = None         # the subprocess.Popen once started
    log_lines = ()

    def launch(self, command, env, ready_line, on_ready, timeout):
        """Starts `command` and waits until its stderr shows `ready_line` (a
        compiled regex); on_ready(match) reads the addresses from it. Every
        stderr line is kept in log_lines."""
        self.log_lines = []
        self.proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True, errors="replace")
        ready = threading.Event()

        def pump():
            for line in self.proc.stderr:
                self.log_lines.append(line.rstrip("\n"))
                m = ready_line.search(line)
                if m:
                    on_ready(m)
                    ready.set()

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.time() + timeout
        while not ready.wait(0.05):
            if self.proc.poll() is not None or time.time() > deadline:
                raise self.error("%s did not start:\n%s" % (self.name, "\n".join(self.log_lines[-50:])))
        return self

    def stop(self, timeout=30):
        """SIGTERM and wait; returns the exit code (0 for a clean stop)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise self.error("%s did not stop within %ss of SIGTERM" % (self.name, timeout))
        return self.proc.returncode if self.proc else None

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def logs(self):
        return "\n".join(self.log_lines)
