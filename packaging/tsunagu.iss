; Inno Setup 6 script: the Windows installer of つなぐ (Tsunagu).
;
; Build on Windows, after the PyInstaller build (PyInstaller does not cross-build):
;   python packaging\build.py --installer          (builds, smoke-tests, then runs iscc)
; or by hand:
;   python packaging\build.py
;   iscc /DAppVersion=0.1.0 packaging\tsunagu.iss   -> dist\tsunagu-setup-0.1.0.exe
;
; What a desk gets (README: Windows へのインストール):
; - A per-user install without administrator rights (PrivilegesRequired=lowest): the program
;   goes to %LOCALAPPDATA%\Programs\Tsunagu ({userpf}); Start-menu entries for the user.
; - The records never live in the program folder: the program keeps its database, key file,
;   settings and backups in %LOCALAPPDATA%\Tsunagu (app/paths.py). This installer creates that
;   folder with "uninsneveruninstall", so an update or an uninstall never deletes it.
; - An update is the newer setup run over the old one (same AppId): the data stays.
;
; This file is UTF-8 with a byte-order mark: Inno Setup reads the Japanese text correctly only so.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6C1F4E7B-2B5D-4D8E-9A3C-7A5E2F1B0C11}
AppName=つなぐ (Tsunagu)
AppVersion={#AppVersion}
AppVerName=つなぐ (Tsunagu) {#AppVersion}
AppPublisher=Tsunagu
VersionInfoVersion={#AppVersion}
; per user, no administrator rights, no UAC prompt
PrivilegesRequired=lowest
DefaultDirName={userpf}\Tsunagu
DefaultGroupName=つなぐ
DisableProgramGroupPage=yes
DisableDirPage=auto
UninstallDisplayName=つなぐ (Tsunagu)
UninstallDisplayIcon={app}\tsunagu.exe
; close a running つなぐ before replacing its files (it saves drafts as they are typed)
CloseApplications=yes
RestartApplications=no
OutputDir=..\dist
OutputBaseFilename=tsunagu-setup-{#AppVersion}
Compression=lzma2
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
WizardStyle=modern

[Languages]
Name: "japanese"; MessagesFile: "compiler:Languages\Japanese.isl"

[Tasks]
Name: "desktopicon"; Description: "デスクトップにアイコンを作成する"; GroupDescription: "アイコン:"; Flags: unchecked

[Dirs]
; where the records live (app/paths.py: %LOCALAPPDATA%\Tsunagu); never removed by the uninstaller
Name: "{localappdata}\Tsunagu"; Flags: uninsneveruninstall

[Files]
Source: "..\dist\tsunagu\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion

[InstallDelete]
; files of an older version that the new one no longer has (the program folder only)
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\つなぐ"; Filename: "{app}\tsunagu.exe"; WorkingDir: "{app}"; Comment: "自立相談支援機関のケース記録"
Name: "{group}\つなぐ デモ（架空のケースで練習）"; Filename: "{app}\tsunagu.exe"; Parameters: "--demo"; WorkingDir: "{app}"; Comment: "使い捨てのデモ用データベースで起動します（終了すると消えます）"
Name: "{group}\つなぐのアンインストール"; Filename: "{uninstallexe}"
Name: "{userdesktop}\つなぐ"; Filename: "{app}\tsunagu.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\tsunagu.exe"; Description: "つなぐを起動する"; Flags: nowait postinstall skipifsilent

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    DataDir := ExpandConstant('{localappdata}\Tsunagu');
    if DirExists(DataDir) and not UninstallSilent then
      MsgBox('つなぐの記録（データベース・鍵ファイル・設定・バックアップ）は削除していません。' + #13#10 +
             DataDir + #13#10#13#10 +
             'もう一度インストールすると、そのまま使えます。不要になったときは、' +
             'バックアップを確かめてから、このフォルダーを手で削除してください。',
             mbInformation, MB_OK);
  end;
end;
