from . import common
from . import test_visibility_matrix
from . import test_products
from . import test_roles_and_teams
from . import test_export
from . import test_ui
