from . import test_kinds
from . import test_rollover
from . import test_history
