from . import yealink_phone_provision_wizard
