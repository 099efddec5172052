from odoo import fields, models


class MphRoomTag(models.Model):
    """What a room suits: drums, piano, ensemble..."""

    _name = "mph.room.tag"
    _description = "Room Suitability"
    _order = "name"

    name = fields.Char(required=True)

    _sql_constraints = [("name_uniq", "UNIQUE(name)", "This suitability already exists.")]


class MphRoom(models.Model):
    """A room of the school where lessons are given."""

    _name = "mph.room"
    _description = "Room"
    _order = "location, name"

    name = fields.Char(required=True)
    location = fields.Char(help="The building or address, e.g. Muziekpakhuis, Oudegracht 12.")
    capacity = fields.Integer(help="How many people fit in the room for a lesson; 0 means not set.")
    tag_ids = fields.Many2many("mph.room.tag", string="Suits")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_location_uniq", "UNIQUE(name, location)", "A room with this name already exists at this location."),
        ("capacity_positive", "CHECK(capacity >= 0)", "The capacity of a room cannot be negative."),
    ]
