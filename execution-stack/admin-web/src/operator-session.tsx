// The operator's signed-in state: the key loaded in this tab (memory only). Loading it is
// checked against the stack at once (a signed read of the operator audit chain), so a wrong or
// revoked key is refused here, not on the first action.
import { createContext, useContext, useMemo, useState, type ChangeEvent, type FormEvent, type ReactNode } from 'react';
import { Alert, Button, ErrorAlert, PageTitle, useAction } from '@bulwark/ui-kit';
import { APP_NAME } from './app-name';
import { operatorApi, type OperatorApi } from './execution-api';
import { loadOperatorKey, type OperatorKey } from './operator-key';

interface OperatorContextValue {
  readonly key: OperatorKey | undefined;
  readonly operator: OperatorApi | undefined;
  readonly signIn: (key: OperatorKey) => void;
  readonly signOut: () => void;
}

const OperatorContext = createContext<OperatorContextValue | undefined>(undefined);

export function OperatorProvider({ children }: { readonly children: ReactNode }) {
  const [key, setKey] = useState<OperatorKey | undefined>();
  const value = useMemo<OperatorContextValue>(() => ({
    key,
    operator: key ? operatorApi(key) : undefined,
    signIn: setKey,
    signOut: () => setKey(undefined),
  }), [key]);
  return <OperatorContext.Provider value={value}>{children}</OperatorContext.Provider>;
}

export function useOperator(): OperatorContextValue {
  const value = useContext(OperatorContext);
  if (!value) throw new Error('useOperator outside OperatorProvider');
  return value;
}

export function OperatorSignIn() {
  const { signIn } = useOperator();
  const [text, setText] = useState('');
  const [state, run] = useAction(async () => {
    const key = await loadOperatorKey(text);
    await operatorApi(key).audit();
    signIn(key);
  });
  const readFile = async (event: ChangeEvent<HTMLInputElement>) => setText(await (event.target.files?.[0]?.text() ?? Promise.resolve('')));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run();
  };
  return (
    <div className="narrow card">
      <PageTitle appName={APP_NAME}>Operator sign-in</PageTitle>
      <p>Operator actions are signed with your operator key. Choose your key file; it stays in this tab&apos;s memory and is never sent or stored.
        Reloading the page signs you out.</p>
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="key-file">Operator key file (JSON)</label>
          <input id="key-file" name="key-file" type="file" accept="application/json,.json" onChange={(e) => void readFile(e)} />
        </div>
        {state.status === 'failed' ? <ErrorAlert error={state.error} /> : null}
        {text ? <Alert tone="neutral">Key file read. Sign in to check it with the stack.</Alert> : null}
        <Button type="submit" disabled={!text} busy={state.status === 'running'}>Sign in</Button>
      </form>
      <p className="muted small">Market data (instruments, order books) needs no key.</p>
    </div>
  );
}
