from . import test_kpi_mailwizz
