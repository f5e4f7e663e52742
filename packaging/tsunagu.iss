; Inno Setup script for the Windows installer (build on a Windows runner after PyInstaller):
;   pyinstaller --noconfirm packaging\tsunagu.spec
;   iscc packaging\tsunagu.iss
; Installs per machine into Program Files; the desk's data lives in %LOCALAPPDATA%\Tsunagu
; (a local disk), never in the program folder, so an upgrade never touches it.
#define AppVersion "0.1.0"

[Setup]
AppId={{6C1F4E7B-2B5D-4D8E-9A3C-7A5E2F1B0C11}
AppName=つなぐ (Tsunagu)
AppVersion={#AppVersion}
AppPublisher=Tsunagu
DefaultDirName={autopf}\Tsunagu
DefaultGroupName=つなぐ
OutputBaseFilename=tsunagu-setup-{#AppVersion}
Compression=lzma2
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequired=admin

[Languages]
Name: "japanese"; MessagesFile: "compiler:Languages\Japanese.isl"

[Files]
Source: "..\dist\tsunagu\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\つなぐ"; Filename: "{app}\tsunagu.exe"
Name: "{autodesktop}\つなぐ"; Filename: "{app}\tsunagu.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "デスクトップにアイコンを作成する"; Flags: unchecked
