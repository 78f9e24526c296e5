from . import test_kpi_kinds
