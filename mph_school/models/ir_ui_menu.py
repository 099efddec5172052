from odoo import api, models

ROLE_CATEGORY = "mph_school.module_category_mph"


class IrUiMenu(models.Model):
    _inherit = "ir.ui.menu"

    @api.model
    def _mph_menus_for_roles(self):
        """Menus (xml ids) that a user with a school role sees only with one
        of the given groups: the roles have no use for them (Apps store,
        Contacts outside the coordinator, the empty Dashboards app, the
        website builder). Addons add theirs."""
        return {
            "base.menu_management": ("base.group_system",),
            "contacts.menu_contacts": ("base.group_system", "mph_school.group_coordinator"),
            "spreadsheet_dashboard.spreadsheet_dashboard_menu_root": ("base.group_system",),
            "website.menu_website_configuration": ("base.group_system",),
        }

    @api.model
    def _visible_menu_ids(self, debug=False):
        # Cached per set of groups (the parent's ormcache key): so is this.
        visible = super()._visible_menu_ids(debug)
        user = self.env.user
        role_category = self.env.ref(ROLE_CATEGORY, raise_if_not_found=False)
        if not role_category or not (user.groups_id.category_id & role_category):
            return visible
        hidden = set()
        for xmlid, groups in self._mph_menus_for_roles().items():
            menu = self.env.ref(xmlid, raise_if_not_found=False)
            if menu and menu.id in visible and not any(user.has_group(group) for group in groups):
                hidden.add(menu.id)
        if not hidden:
            return visible
        # The hidden menus' submenus go too.
        menus = self.sudo().with_context(**{"ir.ui.menu.full_list": True})
        hidden.update(menus.search([("id", "child_of", list(hidden))]).ids)
        return visible - hidden
