; Inno Setup script: the Windows installer of the MedFed site app.
;
; NOT BUILT IN THIS REPOSITORY'S CI: Inno Setup and PyInstaller's Windows output exist
; only on Windows. The operator builds it on a Windows 10/11 x64 machine (see
; installers/README.md, "Windows"):
;   1. make install equivalent: py -3.11 -m venv .venv, then
;      .venv\Scripts\pip install -c constraints.txt -e .[dev]
;   2. .venv\Scripts\python -m PyInstaller --noconfirm --distpath dist
;          --workpath build\pyinstaller installers\siteapp\medfed-site.spec
;      (writes dist\medfed-site\ and build\pyinstaller\medfed-site\medfed.ico)
;   3. "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0
;          installers\siteapp\windows\medfed-site.iss
; Result: dist\medfed-site-<version>-setup.exe
;
; Per-user or all-users install (the user chooses); the Start-menu entry opens the
; window (medfed-site.exe gui; its console hides itself), and medfed-site.exe is the
; same command-line program as on Linux. Uninstalling removes the program only: each
; user's data folder (%LOCALAPPDATA%\MedFed\MedFed: studies index, privacy ledger,
; enrolment kit, models) is kept, because the privacy ledger must survive a reinstall.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "MedFed Site"
#define Root "..\..\.."

[Setup]
AppId={{4353CAE2-37E8-5127-896E-8F4D806794FF}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=MedFed
AppComments=Federated medical-imaging training with patient-level differential privacy
DefaultDirName={autopf}\MedFed Site
DefaultGroupName=MedFed
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#Root}\dist
OutputBaseFilename=medfed-site-{#AppVersion}-setup
SetupIconFile={#Root}\build\pyinstaller\medfed-site\medfed.ico
UninstallDisplayIcon={app}\medfed-site.exe
UninstallDisplayName={#AppName} {#AppVersion}
; The payload is ~1 GB of mostly native libraries: lzma2 solid compression roughly
; halves it; /fast keeps the build under a few minutes.
Compression=lzma2/fast
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#Root}\dist\medfed-site\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\medfed-site.exe"; Parameters: "gui"; WorkingDir: "{userdocs}"; Comment: "Open the MedFed site app"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\medfed-site.exe"; Parameters: "gui"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Run]
Filename: "{app}\medfed-site.exe"; Parameters: "gui"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
