"""Runs `coupon serve --sandbox` and drives it from Python's standard library, as a back end in
another language would: issue, replay, a reused key refused, resend, cancel (and its replay),
and a small campaign from a CSV upload. Exits non-zero on the first thing that is not as it
should be. CI runs it: `python3 clients/python/smoke.py target/release/coupon`.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from coupon_client import CouponClient, Problem  # noqa: E402


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print(f"ok  {what}")


def main(binary):
    workdir = tempfile.mkdtemp(prefix="coupon-py-")
    journal = f"sqlite:{os.path.join(workdir, 'journal.db')}"
    server = subprocess.Popen(
        [binary, "serve", "--sandbox", "--addr", "127.0.0.1:0", "--json", "--journal", journal],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        started = json.loads(server.stdout.readline())
        run(started)
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=30)
    check(code == 0, f"the service stopped on SIGTERM with exit code 0 (got {code})")


def run(started):
    client = CouponClient(started["listening"], started["key"])
    vendors = {v["name"]: v for v in client.vendors()}
    chosen = [
        name
        for name, v in vendors.items()
        if v["capabilities"]["issue_delivers"] and v["capabilities"]["cancel"] and name in started["samples"]
    ]
    check(chosen, f"a vendor that issues to recipients and cancels is configured ({', '.join(vendors)})")
    vendor = chosen[0]
    body = started["samples"][vendor]

    first = client.issue(body, key="py-order-1")
    check(first.status == 201 and first.body["state"] == "issued", f"issued on {vendor}: {first.body['partner_ref']}")
    again = client.issue(body, key="py-order-1")
    check(again.replayed and again.body == first.body, "the same key replays the first answer")
    try:
        client.issue(dict(body, title="다른 제목"), key="py-order-1")
        check(False, "a reused key with another request is refused")
    except Problem as problem:
        check(problem.status == 422 and problem.kind == "idempotency_mismatch", "a reused key with another request is 422")

    if vendors[vendor]["capabilities"]["resend"]:
        resent = client.resend("py-order-1", key="py-resend-1")
        check(resent.body["state"] == "resent", "the message is sent again")
    cancelled = client.cancel("py-order-1", key="py-cancel-1")
    check(cancelled.body["state"] == "cancelled", "cancelled (a refund)")
    check(client.cancel("py-order-1", key="py-cancel-1").replayed, "the cancel's key replays it")
    read = client.get_issue("py-order-1")
    check(read["cancel"] == "cancelled" and "*" in (read["to"] or "*"), "the issue reads cancelled, its recipient masked")

    options = {k: body[k] for k in ("product", "callback", "title", "message", "product_name", "amount") if k in body}
    csv = "phone,name\n010-2000-0001,김하나\n010-2000-0002,이둘\n010-2000-0003,박셋\n".encode("utf-8")
    plan = client.create_campaign("py-campaign", vendor, csv, dry_run=True, **options)
    check(plan is not None, "a dry run checks the file and stores nothing")
    client.create_campaign("py-campaign", vendor, csv, **options)
    client.run_campaign("py-campaign")
    deadline = time.monotonic() + 60
    while True:
        status = client.campaign("py-campaign")
        counts = status.get("counts", {})
        if counts.get("issued") == 3:
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"the campaign did not finish: {status}")
        time.sleep(0.3)
    check(True, "a campaign of 3 rows uploaded as CSV ran in the background and issued 3 coupons")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/release/coupon")
