// Technician mode: opens a field pack offline, walks its device checklist by keyboard, reveals keys on request, exports signed results.
import { useEffect, useState } from 'react';
import { db } from '../../db/client.js';
import type { TechPack } from '../../db/technician-verbs.js';
import { Checklist } from './Checklist.js';
import { OpenPack } from './OpenPack.js';
import type { TechProgress } from './store.js';

export function TechnicianView(props: { onExit: () => void }) {
  const [opened, setOpened] = useState<{ payload: TechPack; progress: TechProgress } | null>(null);

  useEffect(() => {
    document.documentElement.dataset.technicianState = opened ? 'open' : 'locked';
  }, [opened]);

  if (!opened)
    return <OpenPack onOpened={(payload, progress) => setOpened({ payload, progress })} onExit={props.onExit} />;
  // The decrypted pack (with its keys) lives only in the worker's memory; closing drops it there too.
  return (
    <Checklist
      payload={opened.payload}
      initial={opened.progress}
      onClose={() => {
        void db().techClosePack(opened.payload.packId);
        setOpened(null);
      }}
    />
  );
}
