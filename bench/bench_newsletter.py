"""Benchmark: syncing 10,000 newsletter subscribers to Mailchimp.

Run with: bash bench/run.sh   (in `odoo shell` on a throw-away database)

Against the local HTTP server that speaks the Mailchimp endpoints used
(mph_newsletter/tests/mailchimp_stub.py). Baseline, measured in the same run:
one member-upsert request per subscriber (PUT /lists/{id}/members/{hash}), as a
naive client would do, timed on 1,000 members and scaled to 10,000.
"""

import importlib.util
import time
from pathlib import Path

import requests

import odoo.addons.mph_newsletter as addon

# Loaded by path: importing the addon's tests package would pull in Odoo's
# test framework outside a test run.
_spec = importlib.util.spec_from_file_location(
    "mailchimp_stub", Path(addon.__file__).parent / "tests" / "mailchimp_stub.py"
)
_stub = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_stub)
MailchimpStub, member_id = _stub.MailchimpStub, _stub.member_id

N = 10_000
SAMPLE = 1_000


def main(env):
    if "mph.mailchimp.sync" not in env:
        print("mph_newsletter is not installed: skipped")
        return
    newsletter = env.ref("mph_newsletter.mailing_list_newsletter")
    contacts = env["mailing.contact"].create([{"email": f"lezer{i}@example.nl"} for i in range(N)])
    env["mailing.subscription"].create(
        [{"contact_id": c.id, "list_id": newsletter.id, "mph_state": "soft_opt_in"} for c in contacts]
    )
    env.flush_all()

    stub = MailchimpStub().start()
    params = env["ir.config_parameter"].sudo()
    for key, value in (
        ("mailchimp_api_key", stub.api_key),
        ("mailchimp_audience_id", stub.audience),
        ("mailchimp_base_url", stub.base_url),
    ):
        params.set_param(f"mph_newsletter.{key}", value)

    start = time.perf_counter()
    env["mph.mailchimp.sync"]._cron_sync()
    env.flush_all()
    batched = time.perf_counter() - start
    batched_requests = len(stub.requests)
    assert len(stub.members) == N, len(stub.members)

    naive_stub = MailchimpStub().start()
    session = requests.Session()
    session.auth = ("mph", naive_stub.api_key)
    start = time.perf_counter()
    for i in range(SAMPLE):
        email = f"lezer{i}@example.nl"
        session.put(
            f"{naive_stub.base_url}/lists/{naive_stub.audience}/members/{member_id(email)}",
            json={"email_address": email, "status_if_new": "subscribed"},
            timeout=15,
        )
    naive = (time.perf_counter() - start) * N / SAMPLE
    stub.stop()
    naive_stub.stop()

    print(f"subscribers: {N}")
    print(f"batched sync (ours):     {batched_requests:6d} HTTP requests  {batched:6.2f} s")
    print(f"one request per member:  {N:6d} HTTP requests  {naive:6.2f} s (timed on {SAMPLE}, scaled)")
    print(f"ratio: {N / batched_requests:.0f}x fewer requests, {naive / batched:.1f}x faster")
    env.cr.rollback()


main(env)  # noqa: F821 - `env` comes from `odoo shell`
