from . import test_mijn_mph
