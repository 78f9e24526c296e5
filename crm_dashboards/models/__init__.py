from . import crm_campaign_import_job
from . import crm_kpi_daily
from . import gamification_challenge
from . import gamification_goal_definition
from . import gamification_goal
from . import res_users
