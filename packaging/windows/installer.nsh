; hcp-kiosk additions to the NSIS installer (electron-builder nsis.include).
; The pad starts at every sign-in (the kiosk account of Assigned Access, see docs/technician.md),
; and the uninstaller removes that again. Per-machine install, so the Run key is HKLM's.
!macro customInstall
  WriteRegStr HKLM "Software\Microsoft\Windows\CurrentVersion\Run" "hcp-kiosk" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}"'
!macroend

!macro customUnInstall
  DeleteRegValue HKLM "Software\Microsoft\Windows\CurrentVersion\Run" "hcp-kiosk"
!macroend
