from . import mailwizz_push_wizard
