from . import mailwizz_push_wizard
from . import mailwizz_list_import_wizard
