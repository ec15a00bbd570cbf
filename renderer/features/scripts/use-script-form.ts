// The scripts form as one reducer: playbook, route, target (site, ring, state, host names), keys, output and parameters.
import { useMemo, useReducer } from 'react';

export interface ScriptForm {
  playbookId: string;
  route: string;
  site: string;
  ring: string;
  state: string;
  hosts: string;
  withKeys: boolean;
  /** The keys confirmation is open (keys go in only after it). */
  askKeys: boolean;
  perDevice: boolean;
  params: Record<string, string>;
}

type FormAction =
  | { type: 'set'; patch: Partial<ScriptForm> }
  | { type: 'playbook'; id: string }
  | { type: 'param'; name: string; value: string };

const INITIAL: ScriptForm = {
  playbookId: 'cs-channel-291',
  route: '',
  site: '',
  ring: '',
  state: 'default',
  hosts: '',
  withKeys: false,
  askKeys: false,
  perDevice: false,
  params: {},
};

function reduce(form: ScriptForm, action: FormAction): ScriptForm {
  switch (action.type) {
    case 'set':
      return { ...form, ...action.patch };
    case 'playbook':
      // Another playbook has other routes: fall back to its first.
      return { ...form, playbookId: action.id, route: '' };
    case 'param':
      return { ...form, params: { ...form.params, [action.name]: action.value } };
  }
}

export function useScriptForm() {
  const [form, dispatch] = useReducer(reduce, INITIAL);
  const { site, ring, hosts, state } = form;
  const target = useMemo(() => {
    const hostnames = hosts
      .split(/[\s,;]+/)
      .map((h) => h.trim())
      .filter(Boolean);
    return {
      ...(site ? { site } : {}),
      ...(ring ? { ring } : {}),
      ...(hostnames.length ? { hostnames } : {}),
      ...(state === 'default' ? {} : { states: state === 'all' ? [] : [state] }),
    };
  }, [site, ring, hosts, state]);
  return {
    form,
    target,
    set: (patch: Partial<ScriptForm>) => dispatch({ type: 'set', patch }),
    choosePlaybook: (id: string) => dispatch({ type: 'playbook', id }),
    setParam: (name: string, value: string) => dispatch({ type: 'param', name, value }),
  };
}
