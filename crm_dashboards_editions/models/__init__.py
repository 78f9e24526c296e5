from . import crm_kpi_daily
