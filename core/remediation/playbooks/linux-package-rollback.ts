// Built-in playbook linux-package-rollback: pure data in the ringside-playbook v1 format (docs/playbooks.md), validated when loaded.
// Kept as a TS module holding only JSON because the core project compiles *.ts files only.
export default {
  format: 'ringside-playbook',
  formatVersion: 1,
  id: 'linux-package-rollback',
  name: 'Bad Linux package: downgrade and hold',
  version: 1,
  description:
    'Rolls a bad package back on RHEL/Fedora (dnf history undo, or dnf downgrade for one package) or Debian/Ubuntu (apt-get install pkg=version, then apt-mark hold so it is not upgraded again). Red Hat does not support rolling back selinux*, kernel or glibc.',
  appliesTo: { platforms: ['linux'] },
  defaultStates: [],
  params: [
    { name: 'package', type: 'package', label: 'Package name', default: 'falcon-sensor' },
    { name: 'version', type: 'version', label: 'Version to go back to (apt)', default: '7.15.0-17106' },
    { name: 'transaction', type: 'transactionId', label: 'dnf transaction to undo (dnf history list)', default: '42' },
  ],
  routes: [
    {
      id: 'dnf-undo',
      name: 'dnf history undo (RHEL, Fedora)',
      shell: 'bash',
      tool: 'dnf',
      scope: 'batch',
      description: 'Run as root on each device. Shows the transaction first, then undoes it.',
      steps: [
        { op: 'run', label: 'show the transaction', argv: ['dnf', 'history', 'info', { param: 'transaction' }] },
        { op: 'run', label: 'undo the transaction', argv: ['dnf', '-y', 'history', 'undo', { param: 'transaction' }] },
      ],
    },
    {
      id: 'dnf-downgrade',
      name: 'dnf downgrade one package (RHEL, Fedora)',
      shell: 'bash',
      tool: 'dnf',
      scope: 'batch',
      description:
        "Run as root on each device. Exit code 1 with 'lowest version already installed' means there is nothing older to go to.",
      steps: [
        { op: 'run', label: 'downgrade the package', argv: ['dnf', '-y', 'downgrade', '--', { param: 'package' }] },
      ],
    },
    {
      id: 'apt-pin',
      name: 'apt-get install pkg=version, then apt-mark hold (Debian, Ubuntu)',
      shell: 'bash',
      tool: 'apt',
      scope: 'batch',
      description:
        'Run as root on each device. Installing the same version again changes nothing; holding twice is harmless. Undo the hold later with apt-mark unhold.',
      steps: [
        {
          op: 'run',
          label: 'install the known good version',
          argv: [
            'apt-get',
            'install',
            '-y',
            '--allow-downgrades',
            '--',
            { concat: [{ param: 'package' }, '=', { param: 'version' }] },
          ],
        },
        {
          op: 'run',
          label: 'hold the package at that version',
          argv: ['apt-mark', 'hold', '--', { param: 'package' }],
        },
        { op: 'run', label: 'show the holds (for the log)', argv: ['apt-mark', 'showhold'] },
      ],
    },
    {
      id: 'runsheet',
      name: 'Printable run sheet per device',
      shell: 'runsheet',
      scope: 'device',
      description: 'Manual steps for one device.',
      steps: [
        {
          op: 'run',
          label: 'Debian/Ubuntu: install the known good version',
          argv: [
            'apt-get',
            'install',
            '-y',
            '--allow-downgrades',
            '--',
            { concat: [{ param: 'package' }, '=', { param: 'version' }] },
          ],
        },
        { op: 'run', label: 'Debian/Ubuntu: hold it', argv: ['apt-mark', 'hold', '--', { param: 'package' }] },
        { op: 'run', label: 'RHEL/Fedora: downgrade', argv: ['dnf', '-y', 'downgrade', '--', { param: 'package' }] },
        { op: 'manual', text: 'Confirm the service runs, record the result.' },
      ],
    },
  ],
};
