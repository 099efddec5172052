from . import controllers, models, wizards


def pre_init_hook(env):
    # The exclusion constraints on slots and lessons combine equality on
    # integers with overlap of ranges in one GiST index: btree_gist provides
    # the equality operators for GiST. It must exist before the tables are
    # made (the constraints are added with them). A trusted extension: the
    # owner of the database may create it.
    env.cr.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
