"""Every HTTP route of the database, found by itself, asked about pupils.

The registry-wide model test proves what each role reads over the ORM. This
test covers the other door: controllers. It walks Odoo's routing map (so a
route that a later app adds is walked without anyone listing it), fills each
route's parameters with the ids of pupils, guardians, enrolments and their
chatter, and calls it as every identity that may not see those pupils. No
response may carry a pupil's or guardian's name, e-mail, phone, the
coordinator's remarks or a chatter note.

Positive controls prove the detector works: the coordinator reads the same
strings over JSON-RPC, and a teacher sees an own pupil on the portal.
"""

import inspect
import itertools
import json
import logging
import re

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import MphCommon

_logger = logging.getLogger(__name__)

ARG_RE = re.compile(r"<(?:(?P<conv>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")

# Routes that end the session, touch the database list, stream forever, or
# serve static files: nothing about a pupil can come out of them, and calling
# them would spoil the walk (a logout turns every next request anonymous).
SKIPPED = re.compile(
    r"^/(web/database|web/session/(logout|destroy)|websocket|longpolling|web/assets|web/static|"
    r"[^/]+/static|web/webclient/(qweb|translations|locale)|web/tests|web/bundle|"
    r"website/(static|assets)|odoo/?$|web/?$|web/login|web/become|web/signup|web/reset_password)"
)
MAX_URLS_PER_ROUTE = 2
NOTE_CANARY = "CANARY-NOTITIE-7731"


@tagged("post_install", "-at_install", "mph_exposure")
class TestExposureRoutes(HttpCase, MphCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_portal = new_test_user(cls.env, login="mph_portal_other", groups="base.group_portal")
        volunteer_group = cls.env.ref("mph_newsletter.group_volunteer", raise_if_not_found=False)
        cls.user_volunteer = volunteer_group and new_test_user(
            cls.env, login="mph_volunteer_routes", groups="base.group_user,mph_newsletter.group_volunteer"
        )
        pupil = cls.adult
        pupil.message_post(body=NOTE_CANARY, message_type="comment", subtype_xmlid="mail.mt_note")
        pupil.partner_id.message_post(body=NOTE_CANARY, message_type="comment", subtype_xmlid="mail.mt_note")
        cls.attachment = cls.env["ir.attachment"].create(
            {"name": "canary.txt", "raw": NOTE_CANARY.encode(), "res_model": "mph.student", "res_id": pupil.id}
        )
        cls.message = pupil.message_ids[:1]
        cls.people = cls.adult | cls.minor | cls.other_pupil
        cls.partners = cls.people.partner_id | cls.guardian
        cls.ids_by_model = {
            "res.partner": cls.partners.ids,
            "mph.student": cls.people.ids,
            "mph.enrollment": (cls.enrollment_adult | cls.enrollment_minor | cls.enrollment_other).ids,
            "mail.message": cls.message.ids,
            "ir.attachment": cls.attachment.ids,
        }

    # -- what must not come out -------------------------------------------

    def _canaries(self, people, with_contact=True):
        found = [NOTE_CANARY, "moeder belt liever", "12345678", "87654321"]
        if with_contact:
            for student in people:
                found += [student.name, student.email]
            if self.minor in people:
                found += [self.guardian.name, self.guardian.email]
        return found

    def _identities(self):
        everyone = self.people
        identities = [
            ("public", None, self._canaries(everyone)),
            ("plain employee", self.user_employee, self._canaries(everyone)),
            ("portal, no teacher", self.user_portal, self._canaries(everyone)),
            ("other teacher", self.user_teacher_other, self._canaries(self.adult | self.minor)),
            ("artistic manager", self.user_artistic, self._canaries(everyone)),
            ("director", self.user_director, self._canaries(everyone)),
            # Finance reads name, address and e-mail for the invoice; never
            # phones, remarks or chatter.
            ("finance", self.user_finance, self._canaries(everyone, with_contact=False)),
        ]
        if self.user_volunteer:
            identities.append(("volunteer", self.user_volunteer, self._canaries(everyone)))
        return identities

    # -- building requests from the routing map ---------------------------

    def _ids_for(self, name):
        """The ids worth trying for a parameter of this name."""
        pupil = self.adult
        by_name = (
            ("message", self.message.ids),
            ("attachment", self.attachment.ids),
            ("enrol", self.enrollment_adult.ids),
            ("student", pupil.ids),
            ("partner", pupil.partner_id.ids),
        )
        for fragment, ids in by_name:
            if fragment in name:
                return ids
        return [pupil.partner_id.id, pupil.id]

    def _values_for(self, conv, args, name):
        model = (args or "").strip("'\" ")
        if conv in ("model", "models"):
            ids = self.ids_by_model.get(model)
            return [str(i) for i in ids[:2]] if ids else ["1"]
        if conv in ("int", "signed_int") or name == "id" or name.endswith("_id"):
            return [str(i) for i in self._ids_for(name)]
        if name in ("model", "res_model", "thread_model"):
            return ["res.partner", "mph.student"]
        if name in ("field", "field_name"):
            return ["avatar_128"]
        return ["x"]

    def _urls(self, rule):
        template = rule.rule
        args = list(ARG_RE.finditer(template))
        choices = [self._values_for(m["conv"], m["args"], m["name"]) for m in args]
        urls = []
        for combo in itertools.islice(itertools.product(*choices), MAX_URLS_PER_ROUTE):
            url = template
            for match, value in zip(args, combo, strict=True):
                url = url.replace(match.group(0), value, 1)
            urls.append(url)
        return urls

    @staticmethod
    def _accepts(endpoint):
        """The keyword parameters the controller takes, and whether it takes any."""
        function = getattr(endpoint, "original_endpoint", endpoint)
        try:
            parameters = inspect.signature(function).parameters.values()
        except (TypeError, ValueError):
            return set(), True
        names = {p.name for p in parameters}
        return names, any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)

    def _param_variants(self, endpoint):
        """Query or JSON parameters that point the route at a pupil: one set per
        model, only where the controller reads such parameters."""
        names, takes_any = self._accepts(endpoint)
        variants = []
        for model in ("res.partner", "mph.student"):
            record_id = self.ids_by_model[model][0]
            params = {
                "model": model,
                "res_model": model,
                "thread_model": model,
                "res_id": record_id,
                "thread_id": record_id,
                "id": record_id,
                "ids": [record_id],
                "res_ids": [record_id],
                "partner_id": self.adult.partner_id.id,
                "partner_ids": [self.adult.partner_id.id],
                "search": "Sanne",
                "term": "Sanne",
                "field": "name",
            }
            params = {k: v for k, v in params.items() if takes_any or k in names}
            if params and params not in variants:
                variants.append(params)
        return variants or [{}]

    def _routes(self):
        routing_map = self.env["ir.http"].routing_map()
        seen = set()
        for rule in routing_map.iter_rules():
            if rule.rule in seen or SKIPPED.match(rule.rule):
                continue
            seen.add(rule.rule)
            yield rule, rule.endpoint.routing

    def _call(self, rule, routing):
        """Yield (request, body) for every way this walk calls the route."""
        variants = self._param_variants(rule.endpoint)
        if routing.get("type") in ("json", "jsonrpc"):
            for url in self._urls(rule):
                for params in variants:
                    payload = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}
                    response = self.url_open(
                        url, data=json.dumps(payload), headers={"Content-Type": "application/json"}, timeout=30
                    )
                    yield f"POST {url} {params}", response.text
            return
        methods = routing.get("methods") or ["GET"]
        if "GET" not in methods:
            return
        for url in self._urls(rule):
            for params in variants:
                query = "&".join(f"{k}={v[0] if isinstance(v, list) else v}" for k, v in params.items())
                target = f"{url}?{query}" if query else url
                response = self.url_open(target, timeout=30, allow_redirects=False)
                ctype = response.headers.get("Content-Type", "")
                if "image" in ctype or "font" in ctype:
                    continue
                yield f"GET {target}", response.text

    # -- the walk -----------------------------------------------------------

    # Stock routes answer nonsense parameters with logged 500s and access
    # errors; those are expected here and are not leaks.
    @mute_logger(
        "odoo.http",
        "odoo.sql_db",
        "odoo.addons.base.models.ir_rule",
        "odoo.addons.base.models.ir_model",
        "odoo.addons.google_gmail.controllers.main",
        "odoo.addons.microsoft_outlook.controllers.main",
    )
    def test_no_route_shows_a_pupil_to_a_role_that_may_not_see_it(self):
        leaks = []
        calls = 0
        routes = list(self._routes())
        for label, user, canaries in self._identities():
            self.authenticate(user and user.login, user and user.login)
            for rule, routing in routes:
                try:
                    for request, body in self._call(rule, routing):
                        calls += 1
                        leaks += [f"{label}: {request} shows {c!r}" for c in canaries if c and c in body]
                except Exception as error:  # a crash is not a leak; the route is logged
                    _logger.info("exposure routes: %s %s raised %s", label, rule.rule, type(error).__name__)
        _logger.info(
            "exposure routes: %d routes, %d identities, %d requests, %d leaks",
            len(routes),
            len(self._identities()),
            calls,
            len(leaks),
        )
        self.assertGreater(len(routes), 100, "the routing map was walked")
        self.assertFalse(leaks, "routes that show a pupil to a role that may not see it:\n" + "\n".join(leaks[:80]))

    def test_detector_sees_what_allowed_roles_see(self):
        """The same detector finds the strings where a role may read them, so
        the walk above could fail."""
        self.authenticate("mph_coordinator", "mph_coordinator")
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "model": "mph.student",
                "method": "search_read",
                "args": [[("id", "in", self.people.ids)], ["name", "email", "mobile", "note"]],
                "kwargs": {},
            },
        }
        body = self.url_open(
            "/web/dataset/call_kw/mph.student/search_read",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        ).text
        for canary in ("Sanne Bakker", "sanne@example.nl", "12345678", "moeder belt liever"):
            self.assertIn(canary, body)
        self.authenticate("mph_teacher", "mph_teacher")
        body = self.url_open(f"/my/students/{self.adult.id}").text
        self.assertIn("Sanne Bakker", body)
        self.assertIn("12345678", body)
