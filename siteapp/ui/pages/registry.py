"""The sidebar's pages, in the order staff meet them in a working day."""

from __future__ import annotations

from siteapp.ui.main_window import PageFactory
from siteapp.ui.pages.audit_page import AuditPage
from siteapp.ui.pages.federation_page import FederationPage
from siteapp.ui.pages.help_page import HelpPage
from siteapp.ui.pages.inference_page import InferencePage
from siteapp.ui.pages.labels_page import LabelsPage
from siteapp.ui.pages.privacy_page import PrivacyPage
from siteapp.ui.pages.quality_page import QualityPage
from siteapp.ui.pages.settings_page import SettingsPage
from siteapp.ui.pages.studies_page import StudiesPage
from siteapp.ui.pages.viewer_page import ViewerPage


def default_pages() -> list[PageFactory]:
    return [
        StudiesPage,
        ViewerPage,
        LabelsPage,
        FederationPage,
        PrivacyPage,
        QualityPage,
        InferencePage,
        AuditPage,
        SettingsPage,
        HelpPage,
    ]
