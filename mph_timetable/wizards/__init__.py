from . import mph_slot_plan_wizard
