"""Expiry of the test inbox against the real binary: a test account unused
for longer than its retention is removed by the sweep a node runs at start,
and an account in use is kept. Eight days cannot pass in a test, so the
stopped node's record of the stale account's last use is moved back eight
days, as if the node had been down that long; nothing else is touched.
Expiry of caught mail, batches and the freeing of content files are tested
over the real store with a fake clock (tests/unit/inbox/expiry_test.cpp)."""
import os
import sqlite3
import time

from conftest import metric

DAY_MS = 24 * 3600 * 1000


def create(api):
    r = api.post("/v1/test-accounts", None)
    assert r.status == 201, r
    return r.json()["user"]


def test_an_unused_account_expires_and_a_used_one_stays(postern_factory):
    node = postern_factory()
    api = node.api()
    stale, fresh = create(api), create(api)
    node.stop()

    db = sqlite3.connect(os.path.join(node.workdir, "postern.db"))
    with db:
        changed = db.execute(
            "UPDATE inbox_accounts SET last_used_at = last_used_at - ?, created_at = created_at - ? "
            "WHERE user = ?", (8 * DAY_MS, 8 * DAY_MS, stale)).rowcount
    db.close()
    assert changed == 1

    node.start()
    api = node.api()
    deadline = time.time() + 10
    while api.get(f"/v1/test-accounts/{stale}").status != 404:
        assert time.time() < deadline, "the unused account is still there"
        time.sleep(0.1)
    assert api.get(f"/v1/test-accounts/{fresh}").status == 200
    # The node's catch-all account never expires for lack of use.
    assert [a["user"] for a in api.get("/v1/test-accounts").json()["data"]] == [fresh, "catch-all"]
    assert metric(node, "postern_inbox_expired_accounts_total") == 1
