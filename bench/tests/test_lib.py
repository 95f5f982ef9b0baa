"""bench/lib.sh, the shell helpers the benchmark scripts share."""
import os
import subprocess

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_bench_command_records_the_settings_from_the_environment(tmp_path):
    script = tmp_path / "probe.sh"
    script.write_text(f'source {BENCH}/lib.sh\nbench_command "CONNS WARMUP" "$@"\n')
    env = dict(os.environ, CONNS="64 200")
    env.pop("WARMUP", None)
    out = subprocess.run(["bash", str(script), os.path.join(os.path.dirname(BENCH), "build/release"), "3"],
                         env=env, capture_output=True, text=True, check=True).stdout
    assert out == 'CONNS="64 200" bench/probe.sh build/release 3\n'
