"""Builds the spreadsheet dashboards of crm_dashboards (Odoo 18 o-spreadsheet JSON, version 21).

Odoo-free: ``python3 crm_dashboards/lib/dashboard_builder.py`` (from the repository root)
rewrites ``crm_dashboards/data/files/*.json``. Each dashboard reads the KPI roll-up
(``crm.kpi.daily``), the goals of the running periods (``gamification.goal``, field
``crm_current``) and, for Marketing, the campaign metrics (``crm.campaign.metric``).
"""

import json
import uuid
from pathlib import Path

NAMESPACE = uuid.UUID("6f1b7a52-8d0e-4f39-9a3c-1c6a0c2b7e11")
PERIOD_FILTER = str(uuid.uuid5(NAMESPACE, "filter-period"))
PRODUCT_FILTER = str(uuid.uuid5(NAMESPACE, "filter-product"))
USER_FILTER = str(uuid.uuid5(NAMESPACE, "filter-user"))
KPI_MODEL = "crm.kpi.daily"
GOAL_MODEL = "gamification.goal"
METRIC_MODEL = "crm.campaign.metric"
GOAL_PERIODS = (("weekly", "Week"), ("monthly", "Month"), ("quarterly", "3 Months"))


def _id(*parts):
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def _kpi_matching(date_chain="date"):
    return {
        PERIOD_FILTER: {"chain": date_chain, "type": "date", "offset": 0},
        PRODUCT_FILTER: {"chain": "event_id", "type": "many2one"},
        USER_FILTER: {"chain": "user_id", "type": "many2one"},
    }


class Dashboard:
    """A dashboard sheet (figures) and a Data sheet (pivot formulas the figures read)."""

    def __init__(self, key):
        self.key = key
        self.pivots = {}
        self.figures = []
        self.data_cells = {"A1": {"content": '=_t("Figure")'}, "B1": {"content": '=_t("Value")'}}
        self.data_row = 1
        self.cells = {}
        self.y = 12

    def pivot(self, name, model, domain, measures, matching=None):
        pivot_id = str(len(self.pivots) + 1)
        self.pivots[pivot_id] = {
            "type": "ODOO", "id": pivot_id, "formulaId": pivot_id, "name": name, "model": model,
            "domain": domain, "context": {}, "measures": [{"id": m, "fieldName": m} for m in measures],
            "columns": [], "rows": [], "sortedColumn": None,
            "fieldMatching": matching if matching is not None else _kpi_matching(),
        }
        return pivot_id

    def data(self, label, formula):
        """A labelled formula on the Data sheet; returns its reference."""
        self.data_row += 1
        self.data_cells[f"A{self.data_row}"] = {"content": f'=_t("{label}")'}
        self.data_cells[f"B{self.data_row}"] = {"content": formula}
        return f"Data!B{self.data_row}"

    def kpi_value(self, label, kpis):
        domain = [["kpi", "in", list(kpis)]]
        pivot_id = self.pivot(label, KPI_MODEL, domain, ["value"])
        return self.data(label, f'=PIVOT.VALUE({pivot_id},"value")')

    def scorecards(self, cards):
        """A row of scorecards: ``[(title, data reference)]``."""
        for index, (title, ref) in enumerate(cards):
            self.figures.append({
                "id": _id(self.key, "card", title), "x": index * 212, "y": self.y, "width": 200, "height": 102,
                "tag": "chart", "data": {
                    "type": "scorecard", "title": {"text": title, "bold": True, "color": "#434343"},
                    "background": "#EFF6FF", "keyValue": ref, "baselineMode": "text", "humanize": False,
                    "baselineColorDown": "#DC6965", "baselineColorUp": "#00A04A",
                },
            })
        self.y += 114

    def gauges(self, kpis, title):
        """One gauge per period (week, month, 3 months): current / target of the running goals."""
        for index, (period, label) in enumerate(GOAL_PERIODS):
            domain = [["crm_current", "=", True], ["crm_kpi", "in", list(kpis)], ["challenge_period", "=", period]]
            pivot_id = self.pivot(f"{title} goals - {label}", GOAL_MODEL, domain, ["current", "target_goal"], {})
            ref = self.data(
                f"{title}: % of target ({label})",
                f'=IFERROR(ROUND(100*PIVOT.VALUE({pivot_id},"current")/PIVOT.VALUE({pivot_id},"target_goal")),0)',
            )
            self.figures.append({
                "id": _id(self.key, "gauge", period), "x": index * 212, "y": self.y, "width": 200, "height": 160,
                "tag": "chart", "data": {
                    "type": "gauge", "title": {"text": f"{title} - {label} (% of target)", "bold": True,
                                               "color": "#434343"},
                    "background": "#FFFFFF", "dataRange": ref,
                    "sectionRule": {
                        "colors": {"lowerColor": "#cc0000", "middleColor": "#f1c232", "upperColor": "#6aa84f"},
                        "rangeMin": "0", "rangeMax": "100",
                        "lowerInflectionPoint": {"type": "number", "value": "50", "operator": "<="},
                        "upperInflectionPoint": {"type": "number", "value": "90", "operator": "<="},
                    },
                },
            })
        self.y += 172

    def chart(self, title, model, domain, group_by, measure, mode="bar", stacked=True, matching=None,
              width=1000):
        self.cells[f"A{self.y // 23 + 1}"] = {"content": f'=_t("{title}")', "style": 1}
        self.y += 30
        self.figures.append({
            "id": _id(self.key, "chart", title), "x": 0, "y": self.y, "width": width, "height": 330,
            "tag": "chart", "data": {
                "type": f"odoo_{mode}", "title": {"text": title}, "background": "#FFFFFF",
                "legendPosition": "top", "verticalAxisPosition": "left", "stacked": stacked,
                "metaData": {"groupBy": group_by, "measure": measure, "order": None, "resModel": model,
                             "mode": mode},
                "searchParams": {"comparison": None, "context": {}, "domain": domain, "groupBy": group_by,
                                 "orderBy": []},
                "fieldMatching": matching if matching is not None else _kpi_matching(),
            },
        })
        self.y += 342

    def to_json(self):
        data_sheet_rows = self.data_row + 1
        return {
            "version": 21, "revisionId": "START_REVISION", "uniqueFigureIds": True, "odooVersion": 12,
            "settings": {"locale": {
                "name": "English (US)", "code": "en_US", "thousandsSeparator": ",", "decimalSeparator": ".",
                "dateFormat": "mm/dd/yyyy", "timeFormat": "hh:mm:ss", "formulaArgSeparator": ",", "weekStart": 1,
            }},
            "sheets": [
                self._sheet("sheet1", "Dashboard", max(self.y // 23 + 5, 60), self.cells, self.figures),
                self._sheet("sheet2", "Data", max(data_sheet_rows, 20), self.data_cells, []),
            ],
            "styles": {"1": {"textColor": "#01666b", "bold": True, "fontSize": 16}},
            "formats": {}, "borders": {}, "customTableStyles": {},
            "pivots": self.pivots, "pivotNextId": len(self.pivots) + 1,
            "lists": {}, "listNextId": 1, "chartOdooMenusReferences": {},
            "globalFilters": [
                {"id": PERIOD_FILTER, "type": "date", "label": "Period", "rangeType": "fixedPeriod",
                 "defaultValue": "this_quarter"},
                {"id": PRODUCT_FILTER, "type": "relation", "label": "Conference", "modelName": "event.event",
                 "defaultValue": [], "defaultValueDisplayNames": []},
                {"id": USER_FILTER, "type": "relation", "label": "User", "modelName": "res.users",
                 "defaultValue": [], "defaultValueDisplayNames": []},
            ],
        }

    @staticmethod
    def _sheet(sheet_id, name, rows, cells, figures):
        return {
            "id": sheet_id, "name": name, "colNumber": 10, "rowNumber": rows, "rows": {},
            "cols": {"0": {"size": 240}, "1": {"size": 120}}, "merges": [], "cells": cells,
            "styles": {key: cell.pop("style") for key, cell in cells.items() if "style" in cell},
            "formats": {}, "borders": {}, "conditionalFormats": [], "figures": figures, "tables": [],
            "areGridLinesVisible": False, "isVisible": True, "headerGroups": {"ROW": [], "COL": []},
            "dataValidationRules": [], "comments": {},
        }


def production():
    board = Dashboard("production")
    board.scorecards([
        ("Emails Sent", board.kpi_value("Emails sent", ["emails_sent"])),
        ("Contacted by Email", board.kpi_value("Leads contacted by email", ["leads_contacted_email"])),
        ("Other Sources", board.kpi_value("Leads from other sources", ["leads_contacted_other"])),
        ("Leads Imported", board.kpi_value("Leads imported", ["leads_imported"])),
    ])
    board.gauges(["emails_sent"], "Emails Sent")
    board.chart("Leads contacted: email vs other sources, per week", KPI_MODEL,
                [["kpi", "in", ["leads_contacted_email", "leads_contacted_other"]]], ["date:week", "kpi"], "value")
    board.chart("Emails sent per person", KPI_MODEL, [["kpi", "=", "emails_sent"]], ["user_id"], "value")
    return board


def research():
    board = Dashboard("research")
    board.scorecards([("Leads Imported", board.kpi_value("Leads imported", ["leads_imported"]))])
    board.gauges(["leads_imported"], "Leads Imported")
    board.chart("Leads imported per week", KPI_MODEL, [["kpi", "=", "leads_imported"]], ["date:week"], "value")
    board.chart("Leads imported per month", KPI_MODEL, [["kpi", "=", "leads_imported"]], ["date:month"], "value")
    board.chart("Leads imported per 3 months", KPI_MODEL, [["kpi", "=", "leads_imported"]], ["date:quarter"],
                "value")
    return board


def marketing():
    board = Dashboard("marketing")
    metric_matching = {
        PERIOD_FILTER: {"chain": "date", "type": "date", "offset": 0},
        PRODUCT_FILTER: {"chain": "event_id", "type": "many2one"},
        USER_FILTER: {"chain": "user_id", "type": "many2one"},
    }
    pivot_id = board.pivot("Campaign figures", METRIC_MODEL, [],
                           ["sent_count", "opened_count", "bounced_count", "response_count", "open_rate"],
                           metric_matching)
    board.scorecards([
        ("Emails Sent", board.data("Sent", f'=PIVOT.VALUE({pivot_id},"sent_count")')),
        ("Open Rate (%)", board.data("Open rate", f'=ROUND(PIVOT.VALUE({pivot_id},"open_rate"),1)')),
        ("Bounces", board.data("Bounces", f'=PIVOT.VALUE({pivot_id},"bounced_count")')),
        ("Replies", board.data("Replies", f'=PIVOT.VALUE({pivot_id},"response_count")')),
    ])
    board.gauges(["emails_sent", "responses"], "Campaigns")
    board.chart("Sent, opened, bounced per campaign", METRIC_MODEL, [], ["campaign_id"], "sent_count",
                matching=metric_matching)
    board.chart("Open rate per month", METRIC_MODEL, [], ["date:month"], "open_rate", mode="line",
                stacked=False, matching=metric_matching)
    board.chart("Replies per campaign", METRIC_MODEL, [], ["campaign_id"], "response_count",
                matching=metric_matching)
    return board


def phone(team):
    board = Dashboard("phone_team" if team else "phone_own")
    board.scorecards([
        ("Emails Sent", board.kpi_value("Emails sent", ["emails_sent"])),
        ("Calls", board.kpi_value("Calls", ["calls"])),
        ("Talk Time (min)", board.kpi_value("Talk time", ["talk_minutes"])),
        ("Conversions", board.kpi_value("Conversions", ["conversions"])),
    ])
    board.gauges(["emails_sent", "calls"], "Emails and Calls")
    if team:
        board.chart("Emails sent and calls per team member", KPI_MODEL,
                    [["kpi", "in", ["emails_sent", "calls"]]], ["user_id", "kpi"], "value")
        board.chart("Emails sent and calls per team", KPI_MODEL,
                    [["kpi", "in", ["emails_sent", "calls"]]], ["team_id", "kpi"], "value")
    board.chart("Emails sent and calls per week", KPI_MODEL,
                [["kpi", "in", ["emails_sent", "calls"]]], ["date:week", "kpi"], "value")
    return board


DASHBOARDS = {
    "production_dashboard": production,
    "research_dashboard": research,
    "marketing_dashboard": marketing,
    "phone_team_dashboard": lambda: phone(True),
    "phone_own_dashboard": lambda: phone(False),
}


def write_dashboards(dashboards, folder):
    """Write each of ``dashboards`` (``{file name: builder}``) as ``<folder>/<name>.json``."""
    for name, build in dashboards.items():
        path = Path(folder) / f"{name}.json"
        path.write_text(json.dumps(build().to_json(), indent=1, sort_keys=True) + "\n")


def write_files(folder):
    write_dashboards(DASHBOARDS, folder)


if __name__ == "__main__":
    write_files(Path(__file__).resolve().parent.parent / "data" / "files")
