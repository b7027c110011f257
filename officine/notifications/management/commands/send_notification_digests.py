"""``manage.py send_notification_digests``: the daily digest, and a retry of e-mails that failed.

``run_consultation_jobs`` already ends with the same work; run this one on its own only where the
consultation jobs do not run (e.g. cron ``30 6 * * *`` on an instance without consultations).
"""

from django.core.management.base import BaseCommand

from officine.notifications.services import retry_unsent_immediate, send_digests


class Command(BaseCommand):
    help = "E-mail each daily-digest user their new notices, and retry notices whose e-mail failed."

    def handle(self, *args, **options) -> None:
        retried = retry_unsent_immediate()
        digests = send_digests()
        self.stdout.write(f"Digests sent: {digests}; failed e-mails sent again: {retried}")
