"""A power cut loses what was not fsync'd; a kill -9 does not. This test runs
the server with the fsync_shadow interposer (tests/durability), which keeps a
copy of each store file holding only fsync'd bytes. After kill -9 under load,
the files are replaced by those copies — the disk after a power cut — and the
server restarts on them. With fsync on, every acknowledged message is there.
The control run with fsync off (store.fsync = false) must lose some: it
proves the test can see a missing fsync."""
import glob
import os
import shutil

from conftest import POSTERN_BIN, requires
from test_crash_safety import load_and_kill

SHADOW_LIB = os.environ.get("FSYNC_SHADOW_LIB", os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(POSTERN_BIN))), "lib", "libfsync_shadow.so"))

pytestmark = requires(os.path.exists(SHADOW_LIB), f"the fsync_shadow library is not built ({SHADOW_LIB})")


def store_files(workdir):
    """The database, its WAL and index, and the content log's segments."""
    paths = glob.glob(os.path.join(workdir, "postern.db*")) + \
        glob.glob(os.path.join(workdir, "postern.db-content", "*"))
    return [p for p in paths if os.path.isfile(p) and not p.endswith(".shadow")]


def power_cut(workdir):
    """Replaces every store file by its fsync'd shadow, or removes it when no
    byte of it was ever synced. The shadows stay: they are the disk's durable
    content, which the next run's syncs update."""
    for path in store_files(workdir):
        shadow = path + ".shadow"
        if path.endswith("-shm"):
            os.remove(path)  # the WAL index is rebuilt from the WAL
        elif os.path.exists(shadow):
            shutil.copyfile(shadow, path)
        else:
            os.remove(path)


def run_power_cuts(postern_factory, fsync, cycles):
    env = {"LD_PRELOAD": os.path.realpath(SHADOW_LIB), "POSTERN_STORE_FSYNC": "true" if fsync else "false",
           # the interposer comes before the ASan runtime in the library list
           "ASAN_OPTIONS": "verify_asan_link_order=0:detect_leaks=0", "POSTERN_DELIVERY_ENABLED": "false"}
    node = postern_factory(env=env, start=False)
    node.env["FSYNC_SHADOW_DIR"] = node.workdir
    node.start()
    lost, damaged, acked_total = [], [], 0
    for cycle in range(cycles):
        acked = load_and_kill(node, cycle)
        acked_total += len(acked)
        power_cut(node.workdir)
        node.start()
        api = node.api()
        lost += [mid for mid, _, _ in acked if api.get(f"/v1/messages/{mid}").status != 200]
        # The content too: it lies in the content log, synced apart from the WAL.
        damaged += [mid for mid, _, text in acked if not content_intact(api, mid, text)]
    node.stop()
    return lost, damaged, acked_total


def content_intact(api, mid, text):
    raw = api.get(f"/v1/messages/{mid}/raw")
    return raw.status == 200 and text.encode() in raw.body.replace(b"=\r\n", b"")


def test_power_cut_loses_no_acknowledged_message(postern_factory):
    lost, damaged, acked = run_power_cuts(postern_factory, fsync=True, cycles=3)
    assert acked > 0
    assert lost == [], f"{len(lost)} of {acked} acknowledged messages lost in power cuts"
    assert damaged == [], f"{len(damaged)} of {acked} acknowledged messages lost their content in power cuts"


def test_the_power_cut_model_catches_a_missing_fsync(postern_factory):
    lost, damaged, acked = run_power_cuts(postern_factory, fsync=False, cycles=1)
    assert acked > 0
    # The checkpointer may have made every row durable on its own; the
    # content log is never synced with fsync off.
    assert lost or damaged, "with fsync off a power cut must lose acknowledged messages, or the model sees nothing"
