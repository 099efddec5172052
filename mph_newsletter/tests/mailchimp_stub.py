"""A local HTTP server that speaks the parts of the Mailchimp Marketing API
3.0 the sync uses, keeps an audience in memory and records every request.
Used by the tests and the benchmark; nothing here is imported by the addon."""

import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BATCH_RE = re.compile(r"^/3\.0/lists/(?P<audience>[^/]+)$")
MEMBER_RE = re.compile(r"^/3\.0/lists/(?P<audience>[^/]+)/members/(?P<member>[0-9a-f]{32})$")
DELETE_RE = re.compile(r"^/3\.0/lists/(?P<audience>[^/]+)/members/(?P<member>[0-9a-f]{32})/actions/delete-permanent$")


def member_id(email):
    return hashlib.md5(email.lower().encode()).hexdigest()


class MailchimpStub(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, audience="aud123", api_key="key-us0"):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.audience = audience
        self.api_key = api_key
        self.members = {}  # email -> status
        self.requests = []  # (method, path, body)
        self.failures = []  # status codes to answer before serving normally
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/3.0"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: MailchimpStub

    def log_message(self, *args):
        pass

    def _answer(self, status, body=None, headers=None):
        payload = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self):
        stub = self.server
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        with stub.lock:
            stub.requests.append(("POST", self.path, body))
            if stub.failures:
                status = stub.failures.pop(0)
                return self._answer(status, {"title": "failure", "status": status})
        if not self.headers.get("Authorization", "").startswith("Basic "):
            return self._answer(401, {"title": "API Key Missing"})
        match = BATCH_RE.match(self.path)
        if match and match["audience"] == stub.audience:
            return self._batch(body or {})
        match = DELETE_RE.match(self.path)
        if match and match["audience"] == stub.audience:
            with stub.lock:
                email = next((e for e in stub.members if member_id(e) == match["member"]), None)
                if not email:
                    return self._answer(404, {"title": "Resource Not Found"})
                del stub.members[email]
            return self._answer(204)
        return self._answer(404, {"title": "Resource Not Found"})

    def do_PUT(self):  # member upsert: PUT /lists/{id}/members/{hash}
        stub = self.server
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        with stub.lock:
            stub.requests.append(("PUT", self.path, body))
        match = MEMBER_RE.match(self.path)
        email = (body.get("email_address") or "").lower()
        if not match or match["audience"] != stub.audience or member_id(email) != match["member"]:
            return self._answer(400, {"title": "Invalid Resource"})
        with stub.lock:
            if email not in stub.members:
                stub.members[email] = body.get("status_if_new") or body.get("status")
            elif "status" in body:
                stub.members[email] = body["status"]
        return self._answer(200, {"email_address": email, "status": stub.members[email]})

    def _batch(self, body):
        stub = self.server
        new, updated, errors = [], [], []
        members = body.get("members", [])
        if len(members) > 500:
            return self._answer(400, {"title": "Invalid Resource", "detail": "at most 500 members"})
        with stub.lock:
            for member in members:
                email = member.get("email_address", "").lower()
                if "@" not in email:
                    errors.append({"email_address": email, "error": "invalid address"})
                    continue
                if email in stub.members:
                    if "status" in member and body.get("update_existing"):
                        stub.members[email] = member["status"]
                    updated.append({"email_address": email, "status": stub.members[email]})
                else:
                    stub.members[email] = member.get("status") or member.get("status_if_new")
                    new.append({"email_address": email, "status": stub.members[email]})
        return self._answer(
            200,
            {
                "new_members": new,
                "updated_members": updated,
                "errors": errors,
                "total_created": len(new),
                "total_updated": len(updated),
                "error_count": len(errors),
            },
        )
