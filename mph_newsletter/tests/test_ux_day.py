"""Issue 16, item 12: the newsletter volunteer's day without detours."""

from odoo.tests import new_test_user, tagged

from .common import NewsletterCommon


@tagged("post_install", "-at_install", "mph_ux_day")
class TestVolunteerDay(NewsletterCommon):
    def test_volunteer_lands_in_the_mailings(self):
        self.assertEqual(self.user_volunteer._mph_home_action(), self.env.ref("mass_mailing.mass_mailing_menu").action)
        # The coordinator's role comes first for someone holding both.
        groups = "base.group_user,mph_school.group_coordinator,mph_newsletter.group_volunteer"
        both = new_test_user(self.env, login="nl_both", groups=groups)
        self.assertEqual(both._mph_home_action(), self.env.ref("mph_school.menu_mph_student").action)

    def test_blacklist_neither_in_the_menu_nor_offering_new(self):
        self.env.registry.clear_cache()
        Menu = self.env["ir.ui.menu"]
        blacklist_menu = self.env.ref("mass_mailing.mail_blacklist_mm_menu")
        self.assertNotIn(blacklist_menu.id, Menu.with_user(self.user_volunteer)._visible_menu_ids())
        self.assertIn(blacklist_menu.id, Menu.with_user(self.env.ref("base.user_admin"))._visible_menu_ids())
        views = self.env["mail.blacklist"].with_user(self.user_volunteer).get_views([(False, "list"), (False, "form")])
        for view_type in ("list", "form"):
            self.assertIn('create="0"', views["views"][view_type]["arch"], view_type)
        admin_views = self.env["mail.blacklist"].with_user(self.env.ref("base.user_admin")).get_views([(False, "list")])
        self.assertNotIn('create="0"', admin_views["views"]["list"]["arch"])

    def test_new_list_breadcrumb_is_not_false(self):
        new = self.env["mailing.list"].with_user(self.user_volunteer).new({})
        self.assertFalse(new.display_name, "the web client then says 'New', not 'False (0)'")
        self.assertEqual(self.newsletter.display_name, f"{self.newsletter.name} ({self.newsletter.contact_count})")
