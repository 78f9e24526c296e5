from . import test_call_ingest
from . import test_number_matching
from . import test_call_visibility
from . import test_click_to_dial
from . import test_pbx_feed
from . import test_action_url_http
from . import test_ui
from . import test_demo_data
