"""Two-way sync of the school newsletter with a Mailchimp audience.

Only the parts of the Mailchimp Marketing API 3.0 that we use: the batch
subscribe/unsubscribe endpoint (POST /lists/{list_id}, up to 500 members a
call) and permanent deletion of a member. Plain ``requests`` with a timeout on
every call and retries with backoff on 429 and 5xx.
"""

import hashlib
import logging
import time

import requests

from odoo import api, models
from odoo.osv import expression

_logger = logging.getLogger(__name__)

TIMEOUT = 15  # seconds, every call
BATCH_SIZE = 500  # Mailchimp's limit for the batch member endpoint
MAX_ATTEMPTS = 4
BACKOFF = 0.5  # seconds, doubled after each failed attempt
MAX_RETRY_AFTER = 30


class MailchimpError(Exception):
    pass


class MailchimpClient:
    def __init__(self, api_key, base_url, backoff=BACKOFF):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.auth = ("mph", api_key)
        self.requests = 0
        self.backoff = backoff

    def call(self, method, path, json=None):
        delay = self.backoff
        for attempt in range(1, MAX_ATTEMPTS + 1):
            self.requests += 1
            try:
                response = self.session.request(method, self.base_url + path, json=json, timeout=TIMEOUT)
            except requests.RequestException as error:
                if attempt == MAX_ATTEMPTS:
                    raise MailchimpError(f"Mailchimp cannot be reached: {error}") from error
                time.sleep(delay)
                delay *= 2
                continue
            if response.status_code == 429 or response.status_code >= 500:
                if attempt == MAX_ATTEMPTS:
                    raise MailchimpError(f"Mailchimp answered {response.status_code} {response.text[:200]}")
                retry_after = response.headers.get("Retry-After", "")
                time.sleep(min(float(retry_after), MAX_RETRY_AFTER) if retry_after.isdigit() else delay)
                delay *= 2
                continue
            return response
        raise MailchimpError("unreachable")  # pragma: no cover


def subscriber_hash(email):
    """Mailchimp's member id: the MD5 of the lower-cased address."""
    return hashlib.md5(email.lower().encode()).hexdigest()


class MphMailchimpSync(models.AbstractModel):
    _name = "mph.mailchimp.sync"
    _description = "Mailchimp Synchronisation"

    @api.model
    def _config(self):
        settings = self.env["mph.settings"]
        api_key = settings._get("mph_newsletter.mailchimp_api_key")
        audience = settings._get("mph_newsletter.mailchimp_audience_id")
        server = settings._get("mph_newsletter.mailchimp_server_prefix") or (
            api_key.rsplit("-", 1)[-1] if "-" in api_key else ""
        )
        base_url = settings._get("mph_newsletter.mailchimp_base_url") or (
            f"https://{server}.api.mailchimp.com/3.0" if server else ""
        )
        if not (api_key and audience and base_url):
            return None
        backoff = settings._get("mph_newsletter.mailchimp_backoff")
        return {"api_key": api_key, "audience": audience, "base_url": base_url, "backoff": backoff}

    @api.model
    def _client(self, config):
        return MailchimpClient(config["api_key"], config["base_url"], backoff=config["backoff"])

    @api.model
    def _cron_sync(self):
        config = self._config()
        if not config:
            _logger.info("Mailchimp sync skipped: not configured")
            return False
        client = self._client(config)
        self._delete_pending(client, config)
        self._push(client, config)
        return True

    def _log(self, operation, requests_made, ok=0, error=0, message=""):
        return (
            self.env["mph.mailchimp.log"]
            .sudo()
            .create(
                {
                    "operation": operation,
                    "state": "error" if error else "ok",
                    "requests": requests_made,
                    "count_ok": ok,
                    "count_error": error,
                    "message": message,
                }
            )
        )

    @api.model
    def _push(self, client, config):
        """Send new and changed subscribers in batches. Existing members are
        never resubscribed: a subscriber is sent with ``status_if_new`` only,
        so an unsubscribed or cleaned member in Mailchimp stays as it is."""
        newsletter = self.env["mailing.list"]._mph_newsletter()
        dirty = (
            self.env["mailing.subscription"]
            .sudo()
            .search(
                [
                    ("list_id", "=", newsletter.id),
                    ("mailchimp_dirty", "=", True),
                    ("mph_state", "not in", (False, "pending")),
                ],
                order="id",
            )
        )
        Suppression = self.env["mph.newsletter.suppression"].sudo()
        ok = failed = 0
        messages = []
        start_requests = client.requests
        for offset in range(0, len(dirty), BATCH_SIZE):
            batch = dirty[offset : offset + BATCH_SIZE]
            suppressed = Suppression._suppressed_emails(batch.contact_id.mapped("email_normalized"))
            members = []
            sent = self.env["mailing.subscription"]
            skipped = self.env["mailing.subscription"]
            for subscription in batch:
                email = subscription.contact_id.email_normalized
                if not email or (not subscription.opt_out and email in suppressed):
                    # Never (re)subscribe a suppressed address; an opt-out still goes out.
                    skipped |= subscription
                    continue
                if subscription.opt_out:
                    members.append({"email_address": email, "status": "unsubscribed"})
                else:
                    members.append({"email_address": email, "status_if_new": "subscribed"})
                sent |= subscription
            skipped.write({"mailchimp_dirty": False})
            if not members:
                continue
            try:
                response = client.call(
                    "POST", f"/lists/{config['audience']}", json={"members": members, "update_existing": True}
                )
                if not response.ok:
                    raise MailchimpError(f"Mailchimp answered {response.status_code} {response.text[:200]}")
                body = response.json()
            except (MailchimpError, ValueError) as error:
                failed += len(sent)
                messages.append(str(error))
                continue  # stays dirty: the next run catches up
            rejected = {e.get("email_address", "").lower() for e in body.get("errors", [])}
            done = sent.filtered(lambda s, rejected=rejected: s.contact_id.email_normalized not in rejected)
            done.write({"mailchimp_dirty": False})
            ok += len(done)
            failed += len(sent) - len(done)
            messages.extend(f"{e.get('email_address')}: {e.get('error')}" for e in body.get("errors", []))
        if ok or failed:
            self._log("push", client.requests - start_requests, ok, failed, "\n".join(messages))
        return ok, failed

    @api.model
    def _delete_pending(self, client, config):
        """Permanently delete erased people in Mailchimp; retried until done."""
        pending = self.env["mph.newsletter.suppression"].sudo().search([("mailchimp_deleted", "=", False)])
        ok = failed = 0
        messages = []
        start_requests = client.requests
        for suppression in pending:
            member = suppression.mailchimp_subscriber_hash
            if not member:
                suppression.mailchimp_deleted = True
                continue
            try:
                response = client.call("POST", f"/lists/{config['audience']}/members/{member}/actions/delete-permanent")
            except MailchimpError as error:
                failed += 1
                messages.append(str(error))
                continue
            if response.ok or response.status_code == 404:
                suppression.write({"mailchimp_deleted": True, "mailchimp_subscriber_hash": False})
                ok += 1
            else:
                failed += 1
                messages.append(f"Mailchimp answered {response.status_code} {response.text[:200]}")
        if ok or failed:
            self._log("delete", client.requests - start_requests, ok, failed, "\n".join(messages))
        return ok, failed

    @api.model
    def _erase_email(self, email, reason="erased"):
        """Take ``email`` off the newsletter for good: local contact removed,
        only a keyed hash kept, and the member permanently deleted in
        Mailchimp (now if it answers, else at the next sync)."""
        Suppression = self.env["mph.newsletter.suppression"].sudo()
        suppression = Suppression._find(email)
        if not suppression:
            suppression = Suppression.create(
                {
                    "email_hash": Suppression._hash(email),
                    "reason": reason,
                    "mailchimp_subscriber_hash": subscriber_hash(email.strip()),
                }
            )
        newsletter = self.env["mailing.list"]._mph_newsletter()
        normalized = email.strip().lower()
        contacts = self.env["mailing.contact"].sudo().search([("email_normalized", "=", normalized)])
        subscriptions = contacts.subscription_ids.filtered(lambda s: s.list_id == newsletter)
        gone = contacts.filtered(lambda c: not (c.subscription_ids - subscriptions))
        self._erase_newsletter_mail(normalized, subscriptions, gone)
        subscriptions.unlink()
        gone.unlink()
        config = self._config()
        if config:
            self._delete_pending(self._client(config), config)
        return suppression

    @api.model
    def _erase_newsletter_mail(self, email, subscriptions, contacts):
        """The newsletter's e-mails to ``email``: the confirmation mails (and
        their messages) on the subscriptions and contacts that go, any mail
        still queued for the address, and the address on the mailing traces
        (the statistics keep their counts)."""
        env = self.env(su=True)
        messages = env["mail.message"].search(
            expression.OR(
                [
                    [("model", "=", subscriptions._name), ("res_id", "in", subscriptions.ids)],
                    [("model", "=", contacts._name), ("res_id", "in", contacts.ids)],
                ]
            )
        )
        mails = env["mail.mail"].search(
            expression.OR([[("mail_message_id", "in", messages.ids)], [("email_to", "=ilike", email)]])
        )
        messages |= mails.mail_message_id
        mails.unlink()
        messages.exists().unlink()
        env["mailing.trace"].search([("email", "=ilike", email)]).write({"email": False})

    @api.model
    def _object_email(self, email):
        """The person objects to the newsletter: unsubscribed here and, at the
        next push, in Mailchimp; the hash keeps any sync from adding them again."""
        Suppression = self.env["mph.newsletter.suppression"].sudo()
        if not Suppression._find(email):
            Suppression.create(
                {"email_hash": Suppression._hash(email), "reason": "objection", "mailchimp_deleted": True}
            )
        newsletter = self.env["mailing.list"]._mph_newsletter()
        subscriptions = (
            self.env["mailing.subscription"]
            .sudo()
            .search([("list_id", "=", newsletter.id), ("contact_id.email_normalized", "=", email.strip().lower())])
        )
        subscriptions.write({"opt_out": True})
        return subscriptions
