from . import test_kinds
from . import test_rollover
from . import test_history
from . import test_rollover_job
from . import test_automations
from . import test_team_export
from . import test_rollover_tour
