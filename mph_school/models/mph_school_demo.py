"""Demo population of the school: deterministic, Dutch, and shaped like the
real school (a third under 16, families, waiting lists for popular lessons).
Only called from demo data."""

import random

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

OUR_MODULES = ("mph_school", "mph_newsletter")

FIRST_NAMES = [
    "Sanne",
    "Lotte",
    "Emma",
    "Julia",
    "Sophie",
    "Fleur",
    "Anne",
    "Lisa",
    "Noa",
    "Tess",
    "Eva",
    "Sara",
    "Iris",
    "Mila",
    "Nina",
    "Femke",
    "Roos",
    "Maud",
    "Lieke",
    "Floor",
    "Daan",
    "Sem",
    "Lucas",
    "Levi",
    "Finn",
    "Milan",
    "Jesse",
    "Thijs",
    "Bram",
    "Lars",
    "Ruben",
    "Stijn",
    "Niels",
    "Tim",
    "Joris",
    "Wouter",
    "Pieter",
    "Koen",
    "Teun",
    "Gijs",
]
LAST_NAMES = [
    ("", "de Jong"),
    ("", "Jansen"),
    ("", "de Vries"),
    ("", "van den Berg"),
    ("", "van Dijk"),
    ("", "Bakker"),
    ("", "Janssen"),
    ("", "Visser"),
    ("", "Smit"),
    ("", "Meijer"),
    ("", "de Boer"),
    ("", "Mulder"),
    ("", "de Groot"),
    ("", "Bos"),
    ("", "Vos"),
    ("", "Peters"),
    ("", "Hendriks"),
    ("", "van Leeuwen"),
    ("", "Dekker"),
    ("", "Brouwer"),
    ("", "de Wit"),
    ("", "Dijkstra"),
    ("", "Smits"),
    ("", "de Graaf"),
    ("", "van der Meer"),
    ("", "van der Linden"),
    ("", "Kok"),
    ("", "Jacobs"),
    ("", "de Haan"),
    ("", "Vermeulen"),
]
PARENT_FIRST_NAMES = [
    "Marieke",
    "Esther",
    "Monique",
    "Anouk",
    "Karin",
    "Judith",
    "Ellen",
    "Petra",
    "Mark",
    "Jeroen",
    "Erik",
    "Martijn",
    "Dennis",
    "Sander",
    "Robert",
    "Michiel",
]
# (city, postcode range, streets)
PLACES = [
    (
        "Utrecht",
        (3511, 3585),
        [
            "Oudegracht",
            "Biltstraat",
            "Amsterdamsestraatweg",
            "Kanaalstraat",
            "Nachtegaalstraat",
            "Vleutenseweg",
            "Burgemeester Reigerstraat",
        ],
    ),
    ("Amersfoort", (3811, 3829), ["Langestraat", "Utrechtseweg", "Leusderweg", "Kapelweg"]),
    ("Zeist", (3701, 3709), ["Slotlaan", "Utrechtseweg", "Laan van Vollenhove"]),
    ("Houten", (3991, 3995), ["Plein", "Loerikseweg", "Vlinderhof"]),
    ("Nieuwegein", (3431, 3439), ["Herenstraat", "Zuidstedeweg", "Batauweg"]),
    ("Bilthoven", (3721, 3723), ["Soestdijkseweg-Zuid", "Julianalaan"]),
    ("Maarssen", (3601, 3608), ["Breedstraat", "Straatweg"]),
]
LETTERS = "ABCDEGHJKLMNPRTVWXZ"


class MphSchoolDemo(models.AbstractModel):
    _name = "mph.school.demo"
    _description = "Muziekpakhuis demo data"

    @api.model
    def _populate(self, students=120, seed=2019):
        """Create ``students`` pupils (about a third under 16, with guardians)
        and their enrolments in every state."""
        rng = random.Random(seed)
        today = fields.Date.context_today(self)
        nl = self.env.ref("base.nl")
        lang = "nl_NL" if self.env["res.lang"]._lang_get("nl_NL") else False
        Student = self.env["mph.student"].sudo().with_context(tracking_disable=True, mail_create_nolog=True)
        Partner = self.env["res.partner"].sudo()

        def address():
            city, (low, high), streets = rng.choice(PLACES)
            return {
                "street": f"{rng.choice(streets)} {rng.randint(1, 180)}",
                "zip": f"{rng.randint(low, high)} {rng.choice(LETTERS)}{rng.choice(LETTERS)}",
                "city": city,
                "country_id": nl.id,
            }

        def slug(text):
            return "".join(c for c in text.lower().replace(" ", ".") if c.isalnum() or c == ".")

        families = []  # (guardian, address, last name) reused for siblings
        vals_list = []
        for index in range(students):
            child = index % 3 == 0
            if child and families and rng.random() < 0.3:
                guardian, addr, last_name = rng.choice(families)
            else:
                last_name = rng.choice(LAST_NAMES)[1]
                addr = address()
                guardian = False
                if child:
                    parent_first = rng.choice(PARENT_FIRST_NAMES)
                    guardian = Partner.create(
                        {
                            "name": f"{parent_first} {last_name}",
                            "email": f"{slug(parent_first)}.{slug(last_name)}{index}@example.nl",
                            "lang": lang,
                            **addr,
                        }
                    )
                    families.append((guardian, addr, last_name))
            first = rng.choice(FIRST_NAMES)
            if child:
                age_days = rng.randint(6 * 365, 16 * 365 - 30)
            elif index % 3 == 1 and rng.random() < 0.3:
                age_days = rng.randint(16 * 365 + 10, 18 * 365 - 10)
            else:
                age_days = rng.randint(18 * 365 + 10, 75 * 365)
            vals = {
                "name": f"{first} {last_name}",
                "birthdate": today - relativedelta(days=age_days),
                "email": f"{slug(first)}.{slug(last_name)}{index}@example.nl",
                "mobile": f"06-{rng.randint(10000000, 99999999)}",
                "lang": lang,
                "privacy_accepted_date": fields.Datetime.now() - relativedelta(days=rng.randint(30, 1500)),
                "newsletter_consent": rng.random() < 0.6,
                **addr,
            }
            if guardian:
                vals.update(
                    guardian_id=guardian.id,
                    guardian_phone=f"06-{rng.randint(10000000, 99999999)}",
                    guardian_consent_date=vals["privacy_accepted_date"],
                )
            vals_list.append(vals)
        pupils = Student.create(vals_list)
        self._populate_enrollments(pupils, rng, today)
        return pupils.ids

    @api.model
    def _populate_enrollments(self, pupils, rng, today):
        lesson_types = self.env["mph.lesson.type"].search([])
        teachers = self.env["mph.teacher"].search([])
        by_type = {lt: teachers.filtered(lambda t, lt=lt: lt in t.lesson_type_ids) for lt in lesson_types}
        popular = lesson_types.filtered(lambda lt: lt.capacity and lt.kind == "individual")
        Enrollment = (
            self.env["mph.enrollment"]
            .sudo()
            .with_context(tracking_disable=True, mail_create_nolog=True, mph_no_assignment_notice=True)
        )
        taken = {lt: 0 for lt in lesson_types}
        for pupil in pupils:
            count = 2 if rng.random() < 0.2 else 1
            choices = rng.sample(list(popular) * 2 + list(lesson_types), k=count + 2)
            chosen = []
            for lesson_type in choices:
                if lesson_type not in chosen and by_type[lesson_type]:
                    chosen.append(lesson_type)
                if len(chosen) == count:
                    break
            for lesson_type in chosen:
                requested = today - relativedelta(days=rng.randint(20, 5 * 365))
                roll = rng.random()
                vals = {
                    "student_id": pupil.id,
                    "lesson_type_id": lesson_type.id,
                    "date_requested": requested,
                    "preferred_times": rng.choice(["ma-middag", "di-avond", "wo-middag", "do-avond", "za-ochtend", ""]),
                }
                full = lesson_type.capacity and taken[lesson_type] >= lesson_type.capacity
                if roll < 0.18:
                    # Stopped: some long ago (passive-archive candidates).
                    start = requested + relativedelta(days=rng.randint(7, 60))
                    end = min(start + relativedelta(days=rng.randint(60, 900)), today - relativedelta(days=1))
                    vals.update(
                        state="stopped",
                        teacher_id=rng.choice(by_type[lesson_type]).id,
                        date_start=start,
                        date_end=max(end, start),
                    )
                elif roll < 0.22:
                    vals.update(state="cancelled")
                elif full or roll < 0.32:
                    vals.update(state="waiting", date_requested=today - relativedelta(days=rng.randint(3, 400)))
                else:
                    teacher = rng.choice(by_type[lesson_type])
                    taken[lesson_type] += 1
                    if roll < 0.40:
                        trial = today + relativedelta(days=rng.randint(-10, 14))
                        vals.update(
                            state="trial", teacher_id=teacher.id, date_requested=min(requested, trial), date_trial=trial
                        )
                    else:
                        vals.update(
                            state="active",
                            teacher_id=teacher.id,
                            date_start=requested + relativedelta(days=rng.randint(7, 45)),
                        )
                Enrollment.create(vals)

    @api.model
    def _setup_contribution(self, amount=120.0, amount_minor=90.0):
        """Dutch chart of accounts on the school's company, and contribution
        settings on the current and next school year, so finance can try the
        wizard on the demo school."""
        company = self.env.ref("base.main_company")
        if company.chart_template != "nl":
            self.env["account.chart.template"].try_loading("nl", company, install_demo=False)
        today = fields.Date.context_today(self)
        Season = self.env["mph.season"].sudo()
        seasons = Season._for_date(today) | Season._for_date(today + relativedelta(years=1))
        seasons.write(
            {
                "contribution_amount": amount,
                "use_minor_amount": True,
                "contribution_amount_minor": amount_minor,
                "invoice_per_family": True,
            }
        )

    @api.model
    def _archive_odoo_demo(self):
        """Archive the example companies, contacts and users that Odoo's own
        demo data adds (Deco Addict, Azure Interior, the `demo` and `portal`
        logins...): the school's demo database shows only the school. Archived
        users cannot log in; nothing is deleted, so Odoo's demo invoices and
        other records that point at them stay consistent."""
        keep_users = self.env["res.users"]
        for xmlid in ("base.user_root", "base.user_admin", "base.public_user"):
            keep_users |= self.env.ref(xmlid, raise_if_not_found=False) or self.env["res.users"]
        data = (
            self.env["ir.model.data"]
            .sudo()
            .search([("model", "in", ("res.users", "res.partner")), ("module", "not in", OUR_MODULES)])
        )
        ids = {"res.users": set(), "res.partner": set()}
        for row in data:
            ids[row.model].add(row.res_id)
        users = self.env["res.users"].sudo().browse(ids["res.users"]).exists().filtered("active") - keep_users
        users.write({"active": False})
        companies = self.env["res.company"].sudo().with_context(active_test=False).search([])
        # Users kept, also inactive ones such as Odoo's templates for new users, keep their contact.
        all_users = self.env["res.users"].sudo().with_context(active_test=False).search([])
        keep_partners = companies.partner_id | (all_users - users).partner_id
        partners = self.env["res.partner"].sudo().browse(ids["res.partner"]).exists()
        partners = (partners | partners.child_ids).filtered("active") - keep_partners
        partners.write({"active": False})
        return users, partners
