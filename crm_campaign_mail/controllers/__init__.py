from . import crm_mail_tracking
