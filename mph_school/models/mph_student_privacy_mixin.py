from odoo import api, models
from odoo.exceptions import AccessError

from ..groups import COORDINATOR
from .mph_student_read_log import read_write

# Who may read the personal data the privacy policy gives a teacher.

# Fields every role with read access on mph.student may read: what an invoice
# needs (name, address, e-mail) and technical columns. Every other field not
# given to a school role explicitly (all other inherited res.partner fields,
# the chatter, activities, fields added by other modules) is for the
# coordinator only: a whitelist, so a new field is private until someone
# decides otherwise.
OPEN_FIELDS = frozenset(
    {
        "id",
        "display_name",
        "create_date",
        "create_uid",
        "write_date",
        "write_uid",
        "active",
        "partner_id",
        "name",
        "street",
        "street2",
        "zip",
        "city",
        "state_id",
        "country_id",
        "email",
        "lang",
    }
)

# Fields whose reading is not logged in the read log: no personal data.
NOT_PERSONAL_FIELDS = frozenset({"id", ".id", "active", "state", "create_date", "write_date"})


def exported_field_names(fields_to_export):
    """The fields of the model itself in an export list ('guardian_id/name'
    is 'guardian_id', 'partner_id:id' is 'partner_id')."""
    return {path.replace(":", "/").split("/")[0] or ".id" for path in fields_to_export}


class MphStudentPrivacyMixin(models.AbstractModel):
    """What protects a pupil's personal data when it is read: a whitelist of
    the fields every role may read, every read by a user logged in the read
    log, and the chatter (the coordinator's notes) for the coordinator only.
    Inherited by ``mph.student``."""

    _name = "mph.student.privacy.mixin"
    _description = "Pupil: field whitelist, read log and chatter access"
    _inherit = ["mail.thread"]

    # ------------------------------------------------------------
    # Field access
    # ------------------------------------------------------------

    @api.model
    def _setup_fields(self):
        res = super()._setup_fields()
        if self._abstract:
            return res
        for name, field in self.env.registry[self._name]._fields.items():
            if name not in OPEN_FIELDS and "mph_school." not in (field.groups or ""):
                field.groups = COORDINATOR
        return res

    # ------------------------------------------------------------
    # Read log
    # ------------------------------------------------------------

    def _read_format(self, fnames, load="_classic_read"):
        # Every read by a user (read, search_read, the web client, the
        # portal) passes here: record who read which pupil's personal fields.
        result = super()._read_format(fnames, load=load)
        if not self.env.su and set(fnames or ()) - NOT_PERSONAL_FIELDS:
            self.env["mph.student.read.log"]._log_reads(self.browse([row["id"] for row in result]))
        return result

    # The RPC reads log the read: a read/write cursor from the start.
    @read_write
    def read(self, fields=None, load="_classic_read"):
        return super().read(fields=fields, load=load)

    @read_write
    @api.model
    def search_read(self, domain=None, fields=None, offset=0, limit=None, order=None, **read_kwargs):
        return super().search_read(domain=domain, fields=fields, offset=offset, limit=limit, order=order, **read_kwargs)

    @read_write
    def web_read(self, specification):
        return super().web_read(specification)

    @read_write
    @api.model
    def web_search_read(self, domain, specification, offset=0, limit=None, order=None, count_limit=None):
        return super().web_search_read(
            domain, specification, offset=offset, limit=limit, order=order, count_limit=count_limit
        )

    @read_write
    @api.model
    def name_search(self, name="", args=None, operator="ilike", limit=100):
        # The suggestions of a many2one field show pupils' names.
        result = super().name_search(name=name, args=args, operator=operator, limit=limit)
        if not self.env.su and result:
            self.env["mph.student.read.log"]._log_reads(self.browse([row[0] for row in result]))
        return result

    def export_data(self, fields_to_export):
        result = super().export_data(fields_to_export)
        if not self.env.su and exported_field_names(fields_to_export) - NOT_PERSONAL_FIELDS:
            self.env["mph.student.read.log"]._log_reads(self)
        return result

    # ------------------------------------------------------------
    # Chatter
    # ------------------------------------------------------------

    @api.model
    def _get_mail_message_access(self, res_ids, operation, model_name=None):
        # The chatter holds the coordinator's notes: reading it needs write
        # access, which only the coordinator has.
        operation = super()._get_mail_message_access(res_ids, operation, model_name=model_name)
        return "write" if operation == "read" and (model_name or self._name) == self._name else operation

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        # A follower is notified of the chatter, which is the coordinator's.
        self._mph_check_may_subscribe()
        return super().message_subscribe(partner_ids=partner_ids, subtype_ids=subtype_ids)

    @api.model
    def _mph_check_may_subscribe(self):
        """Only the coordinator (and the system's flows, as superuser) adds
        followers to a pupil, an enrolment or a pupil's or guardian's contact."""
        if not self.env.su and not self.env.user.has_group(COORDINATOR):
            raise AccessError(self.env._("Only the lesson coordinator can follow a pupil or guardian."))
