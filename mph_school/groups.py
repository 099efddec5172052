"""The school's roles as Odoo group xml-ids, written once for every addon.

Use them where Python names a group (``has_group``, ``groups=`` of a field); the groups
themselves are in ``security/mph_school_groups.xml``.
"""

COORDINATOR = "mph_school.group_coordinator"
FINANCE = "mph_school.group_finance"
TEACHER = "mph_school.group_teacher"
ARTISTIC = "mph_school.group_artistic"
DIRECTOR = "mph_school.group_director"

# A field or method open to either of two roles (``groups="a,b"``).
COORDINATOR_TEACHER = f"{COORDINATOR},{TEACHER}"
COORDINATOR_FINANCE = f"{COORDINATOR},{FINANCE}"
