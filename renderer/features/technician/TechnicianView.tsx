// Technician mode: opens a field pack offline, walks its device checklist by keyboard, reveals keys on request, exports signed results.
import { useEffect, useState } from 'react';
import type { PackPayload } from '../../../core/field/format.js';
import { Checklist } from './Checklist.js';
import { OpenPack } from './OpenPack.js';
import type { TechProgress } from './store.js';

export function TechnicianView(props: { onExit: () => void }) {
  const [opened, setOpened] = useState<{ payload: PackPayload; progress: TechProgress } | null>(null);

  useEffect(() => {
    document.documentElement.dataset.technicianState = opened ? 'open' : 'locked';
  }, [opened]);

  if (!opened)
    return <OpenPack onOpened={(payload, progress) => setOpened({ payload, progress })} onExit={props.onExit} />;
  // The decrypted pack (with its keys) lives only in this component's memory; closing drops it.
  return <Checklist payload={opened.payload} initial={opened.progress} onClose={() => setOpened(null)} />;
}
