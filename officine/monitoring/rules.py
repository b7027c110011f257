"""Who may see and start OpenCoesione imports (django-rules).

An import replaces the implementation data of every programme at once, so starting one is a platform
administrator's act; programme staff may follow the imports (what data their dashboards show, and how fresh).
"""

import rules

from officine.accounts.rules import is_platform_admin, is_programme_staff

rules.add_perm("monitoring.import_release", is_platform_admin)
rules.add_perm("monitoring.view_releases", is_platform_admin | is_programme_staff)
