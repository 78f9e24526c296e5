"""Builds the spreadsheet dashboard of crm_dashboards_editions with crm_dashboards' builder.

Odoo-free: ``python3 crm_dashboards_editions/lib/dashboard_builder.py`` rewrites
``crm_dashboards_editions/data/files/kinds_dashboard.json``. crm_dashboards' builder is loaded
from its file (importing the ``crm_dashboards`` package would load its Odoo models).
"""

import importlib.util
from pathlib import Path

_BUILDER = Path(__file__).resolve().parents[2] / "crm_dashboards" / "lib" / "dashboard_builder.py"
_spec = importlib.util.spec_from_file_location("crm_dashboards_dashboard_builder", _BUILDER)
_builder = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_builder)
KPI_MODEL, Dashboard = _builder.KPI_MODEL, _builder.Dashboard

KIND_KPIS = (("speakers", "Speakers"), ("delegates", "Delegates"), ("sponsors", "Sponsors"))


def kinds():
    board = Dashboard("kinds")
    board.scorecards([(label, board.kpi_value(label, [kpi])) for kpi, label in KIND_KPIS])
    kpis = [kpi for kpi, _label in KIND_KPIS]
    board.chart(
        "Speakers, delegates and sponsors per conference",
        KPI_MODEL,
        [["kpi", "in", kpis]],
        ["event_id", "kpi"],
        "value",
    )
    board.chart(
        "Speakers, delegates and sponsors per week", KPI_MODEL, [["kpi", "in", kpis]], ["date:week", "kpi"], "value"
    )
    board.chart(
        "Speakers, delegates and sponsors per person", KPI_MODEL, [["kpi", "in", kpis]], ["user_id", "kpi"], "value"
    )
    return board


DASHBOARDS = {"kinds_dashboard": kinds}


def write_files(folder):
    _builder.write_dashboards(DASHBOARDS, folder)


if __name__ == "__main__":
    write_files(Path(__file__).resolve().parent.parent / "data" / "files")
