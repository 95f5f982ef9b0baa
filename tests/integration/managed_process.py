"""The common end of every server a test starts (postern, postern-sim):
a clean stop that must exit in time, a kill -9, and the log it wrote."""
import signal
import subprocess


class ManagedProcess:
    name = "process"    # for error messages
    error = AssertionError
    proc = None         # the subprocess.Popen once started
    log_lines = ()

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
