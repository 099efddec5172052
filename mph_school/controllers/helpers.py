"""What the school's public controllers share: reading record ids from a URL
or a form, the request's origin for a consent record, and the route of a
page reached through a link."""

import re

from odoo import http
from odoo.http import request

# Record ids in ASCII digits only: str.isdigit() also accepts '²' or '٣',
# which int() refuses or reads as another number.
ID_RE = re.compile(r"[0-9]{1,9}")
MAX_ID = 2**31 - 1  # PostgreSQL's integer: a larger id would fail in SQL


def parse_id(value):
    """The record id in ``value`` (a string of ASCII digits), else None."""
    if isinstance(value, str) and ID_RE.fullmatch(value):
        return int(value)
    return None


def valid_id(record_id):
    """Whether a record id from a route fits the database at all."""
    return 0 < record_id <= MAX_ID


def request_meta():
    """The request's ip address and browser, as a consent record keeps them."""
    return {
        "ip": request.httprequest.remote_addr,
        "user_agent": (request.httprequest.user_agent.string or "")[:500],
    }


def link_route(path, **options):
    """The route of a public page reached through a link (in an e-mail, or
    Mailchimp's call): GET shows, POST acts; never in the sitemap."""
    return http.route(path, type="http", auth="public", methods=["GET", "POST"], sitemap=False, **options)
