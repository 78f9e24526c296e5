from . import pivot
from . import web_json
