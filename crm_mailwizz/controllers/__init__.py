from . import mail_tracking
