from . import test_kpi_calls
