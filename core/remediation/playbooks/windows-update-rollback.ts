// Built-in playbook windows-update-rollback: pure data in the ringside-playbook v1 format (docs/playbooks.md), validated when loaded.
// Kept as a TS module holding only JSON because the core project compiles *.ts files only.
export default {
  format: 'ringside-playbook',
  formatVersion: 1,
  id: 'windows-update-rollback',
  name: 'Bad Windows update: uninstall and pause',
  version: 1,
  description:
    'Uninstalls a bad Windows update (wusa for a standalone KB, DISM for combined SSU+LCU packages that wusa cannot remove) and pauses the Intune update ring so it is not offered again. Servicing stack updates cannot be removed; after DISM /StartComponentCleanup /ResetBase older updates can no longer be uninstalled.',
  appliesTo: { platforms: ['windows'] },
  defaultStates: [],
  params: [
    { name: 'kb', type: 'kb', label: 'KB number of the bad update', default: 'KB5040442' },
    {
      name: 'dismPackage',
      type: 'dismPackage',
      label: 'DISM package name (from DISM /Online /Get-Packages)',
      default: 'Package_for_RollupFix~31bf3856ad364e35~amd64~~22621.3880.1.6',
    },
    {
      name: 'ringId',
      type: 'guid',
      label: 'Intune update ring (policy id)',
      default: '3f2a1c4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
    },
  ],
  routes: [
    {
      id: 'wusa-cmd',
      name: 'wusa uninstall (standalone KB)',
      shell: 'cmd',
      environment: 'windows',
      scope: 'batch',
      description:
        'Run elevated on each device. Exit code 2359303 means the update is not installed (already removed), so a second run changes nothing; 3010 means a restart is needed.',
      steps: [
        {
          op: 'run',
          label: 'uninstall the update',
          argv: ['wusa', '/uninstall', { concat: ['/kb:', { param: 'kb' }] }, '/quiet', '/norestart'],
          okExitCodes: [0, 3010, 2359303],
        },
        {
          op: 'manual',
          text: 'Restart the device in a maintenance window, then confirm the KB is gone with Get-HotFix.',
        },
      ],
    },
    {
      id: 'dism-powershell',
      name: 'DISM remove package (combined SSU+LCU)',
      shell: 'powershell',
      scope: 'batch',
      description:
        'Run elevated on each device. wusa cannot remove combined servicing stack and cumulative update packages; DISM removes the cumulative part. 0x800F0805 (-2146498555) means the package is not installed.',
      steps: [
        {
          op: 'run',
          label: 'list the installed packages (for the log)',
          argv: ['dism.exe', '/Online', '/Get-Packages', '/Format:Table'],
        },
        {
          op: 'run',
          label: 'remove the package',
          argv: [
            'dism.exe',
            '/Online',
            '/Remove-Package',
            { concat: ['/PackageName:', { param: 'dismPackage' }] },
            '/quiet',
            '/norestart',
          ],
          okExitCodes: [0, 3010, -2146498555],
        },
      ],
    },
    {
      id: 'intune-pause-powershell',
      name: 'Pause the Intune update ring (Microsoft Graph)',
      shell: 'powershell',
      scope: 'batch',
      description:
        'Run by an Intune administrator with the Microsoft.Graph PowerShell module: pauses quality updates on the ring so the update is not offered to more devices. Review before running; resume later by setting qualityUpdatesPaused to false.',
      steps: [
        {
          op: 'run',
          label: 'connect to Microsoft Graph',
          argv: ['Connect-MgGraph', '-Scopes', 'DeviceManagementConfiguration.ReadWrite.All'],
        },
        {
          op: 'run',
          label: 'pause quality updates on the ring',
          argv: [
            'Invoke-MgGraphRequest',
            '-Method',
            'PATCH',
            '-Uri',
            {
              concat: ['https://graph.microsoft.com/v1.0/deviceManagement/deviceConfigurations/', { param: 'ringId' }],
            },
            '-ContentType',
            'application/json',
            '-Body',
            '{"@odata.type":"#microsoft.graph.windowsUpdateForBusinessConfiguration","qualityUpdatesPaused":true}',
          ],
        },
      ],
    },
    {
      id: 'runsheet',
      name: 'Printable run sheet per device',
      shell: 'runsheet',
      scope: 'device',
      description: 'Manual steps for one device.',
      steps: [
        { op: 'manual', text: 'Open an elevated command prompt on the device.' },
        {
          op: 'run',
          label: 'uninstall the update',
          argv: ['wusa', '/uninstall', { concat: ['/kb:', { param: 'kb' }] }, '/quiet', '/norestart'],
        },
        {
          op: 'manual',
          text: 'If wusa says the update cannot be removed, use DISM /Online /Get-Packages and DISM /Online /Remove-Package /PackageName:<name>.',
        },
        { op: 'manual', text: 'Restart, confirm the KB is gone, record the result.' },
      ],
    },
  ],
};
