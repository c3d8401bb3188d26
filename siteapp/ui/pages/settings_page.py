"""Settings: data folder, training device, coordinator address, HTTPS proxy, language,
the site policy and the DICOM network."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from siteapp.federation.enrolment import current_enrolment
from siteapp.store import ensure_data_dir
from siteapp.ui.pacs.network_settings import DicomNetworkSection
from siteapp.ui.pages.base import Page
from siteapp.ui.policy_settings import SitePolicySection
from siteapp.ui.session import SiteSession
from siteapp.ui.ui_settings import DEVICES, LANGUAGES
from siteapp.ui.widgets.notice_bar import NoticeKind
from siteapp.ui.workers import JobContext, Worker


def check_coordinator_address(address: str) -> str | None:
    """None when ``address`` is usable, else what is wrong with it (for a person)."""
    parsed = urlparse(address.strip())
    if parsed.scheme not in ("https", "http") or not parsed.hostname:
        return "enter the coordinator address as https://host:port, as given in the enrolment kit"
    return None


def check_proxy_address(address: str) -> str | None:
    """None when ``address`` is empty (use the environment) or a usable proxy address."""
    if not address.strip():
        return None
    parsed = urlparse(address.strip())
    if parsed.scheme not in ("http", "https") or not parsed.hostname or not parsed.port:
        return "enter the proxy as http://host:port (ask your IT department), or leave it empty"
    return None


def auto_device_description(ctx: JobContext) -> str:
    """What ``auto`` resolves to here (torch is already loaded by the app: a thread suffices)."""
    from siteapp.ui.jobs import auto_device

    return auto_device(ctx)


class SettingsPage(Page):
    page_id = "settings"
    icon_name = "settings"

    def title(self) -> str:
        return self.tr("Settings")

    def description(self) -> str:
        return self.tr("Where this site keeps its data, where training runs, and which coordinator it joins.")

    def __init__(self, session: SiteSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        box = QGroupBox(self.tr("This workstation"))
        form = QFormLayout(box)
        self.data_dir_edit = QLineEdit()
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.data_dir_edit, 1)
        row.addWidget(browse)
        form.addRow(self.tr("Data folder"), row)

        self.device_combo = QComboBox()
        for device in DEVICES:
            self.device_combo.addItem(self._device_label(device), device)
        self.device_hint = QLabel()
        self.device_hint.setObjectName("Hint")
        form.addRow(self.tr("Training device"), self.device_combo)
        form.addRow("", self.device_hint)

        self.coordinator_edit = QLineEdit()
        self.coordinator_edit.setPlaceholderText("https://coordinator.example.org:8443")
        form.addRow(self.tr("Coordinator address"), self.coordinator_edit)
        self.coordinator_hint = QLabel()
        self.coordinator_hint.setObjectName("Hint")
        form.addRow("", self.coordinator_hint)

        self.proxy_edit = QLineEdit()
        self.proxy_edit.setPlaceholderText("http://proxy.hospital.example:3128")
        form.addRow(self.tr("HTTPS proxy"), self.proxy_edit)
        proxy_hint = QLabel(self.tr(
            "Only if the hospital's network reaches the internet through a proxy. Empty: the "
            "system's HTTPS_PROXY and NO_PROXY. The coordinator is still checked against the kit."
        ))
        proxy_hint.setObjectName("Hint")
        proxy_hint.setWordWrap(True)
        form.addRow("", proxy_hint)

        self.language_combo = QComboBox()
        for code, name in LANGUAGES.items():
            self.language_combo.addItem(name, code)
        form.addRow(self.tr("Language"), self.language_combo)
        language_hint = QLabel(self.tr("Saving switches the whole window to the new language."))
        language_hint.setObjectName("Hint")
        form.addRow("", language_hint)
        self.body.addWidget(box)
        self.site_policy = SitePolicySection(self)
        self.body.addWidget(self.site_policy)
        self.dicom_network = DicomNetworkSection(self)
        self.body.addWidget(self.dicom_network)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.revert_button = QPushButton(self.tr("Revert"))
        self.revert_button.clicked.connect(self.refresh)
        self.save_button = QPushButton(self.tr("Save settings"))
        self.save_button.setObjectName("Primary")
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        self.body.addLayout(buttons)
        self.body.addStretch(1)
        self._device_worker: Worker | None = None

    def _device_label(self, device: str) -> str:
        labels = {
            "auto": self.tr("Automatic (GPU if present)"),
            "cpu": self.tr("CPU"),
            "cuda": self.tr("NVIDIA GPU (CUDA)"),
            "mps": self.tr("Apple GPU (MPS)"),
        }
        return labels[device]

    def refresh(self) -> None:
        prefs = self.session.preferences
        self.data_dir_edit.setText(str(self.session.data_dir))
        self.site_policy.refresh()
        self.dicom_network.refresh()
        self.device_combo.setCurrentIndex(max(0, self.device_combo.findData(prefs.device)))
        self.coordinator_edit.setText(prefs.coordinator_address)
        enrolment = current_enrolment(self.session.data_dir)
        if enrolment is not None:
            self.coordinator_edit.setText(enrolment.coordinator_url)
            self.coordinator_edit.setReadOnly(True)
            self.coordinator_hint.setText(self.tr(
                "Set by the enrolment kit of federation {federation}; import a new kit to change it."
            ).format(federation=enrolment.federation))
        else:
            self.coordinator_edit.setReadOnly(False)
            self.coordinator_hint.setText("")
        self.proxy_edit.setText(prefs.https_proxy)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(prefs.language)))
        if self._device_worker is None:
            self.device_hint.setText(self.tr("Checking this computer's GPU…"))
            worker = Worker(auto_device_description, self.tr("checking the training device"))
            worker.signals.finished.connect(
                lambda text: self.device_hint.setText(
                    self.tr("On this computer, automatic means: {device}").format(device=text)
                )
            )
            worker.signals.errored.connect(self.device_hint.setText)
            self._device_worker = worker.start()

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Choose the site's data folder"), self.data_dir_edit.text()
        )
        if folder:
            self.data_dir_edit.setText(folder)

    def save(self) -> bool:
        """Validate and persist; True when saved. Errors appear in the page's notice bar."""
        address = self.coordinator_edit.text().strip()
        problem = check_coordinator_address(address)
        if problem:
            self.show_error(self.tr("The coordinator address is not valid: {problem}.").format(problem=problem))
            return False
        proxy = self.proxy_edit.text().strip()
        problem = check_proxy_address(proxy)
        if problem:
            self.show_error(self.tr("The HTTPS proxy address is not valid: {problem}.").format(problem=problem))
            return False
        folder = Path(self.data_dir_edit.text().strip()).expanduser()
        # Read the form first: switching the folder refreshes every page, this one included.
        device, language = str(self.device_combo.currentData()), str(self.language_combo.currentData())
        try:
            ensure_data_dir(folder)
            self.session.set_data_dir(folder)  # refuses a folder another window holds
        except Exception as exc:
            self.show_exception(exc, self.tr("checking the data folder"))
            return False
        prefs = self.session.preferences
        language_before = prefs.language
        prefs.device = device
        prefs.coordinator_address = address
        prefs.https_proxy = proxy
        prefs.language = language
        prefs.sync()
        self.session.preferences_changed.emit()
        self.show_info(self.tr("Settings saved."), NoticeKind.SUCCESS)
        if prefs.language != language_before:
            self.session.language_changed.emit(prefs.language)
        return True
