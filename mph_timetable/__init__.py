from . import controllers, models, wizards


def pre_init_hook(env):
    # The exclusion constraints on slots and lessons combine equality on
    # integers with overlap of ranges in one GiST index: btree_gist provides
    # the equality operators for GiST. It must exist before the tables are
    # made (the constraints are added with them). A trusted extension: the
    # owner of the database may create it.
    env.cr.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")


def post_init_hook(env):
    # Odoo fills a new column of existing rows with ONE evaluation of its
    # default: the teachers there before the install would share one feed
    # token. Each gets its own (revoking one teacher's links must not be the
    # only way to tell them apart).
    for teacher in env["mph.teacher"].with_context(active_test=False).search([]):
        teacher.ical_token = models.mph_teacher._new_token()
