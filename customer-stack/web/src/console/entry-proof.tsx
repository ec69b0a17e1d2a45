// One entry, proved here: the stack sends the entry's hash and its RFC 9162 inclusion proof;
// this browser recomputes the Merkle root itself and compares it with the root of the batch
// that was anchored on chain (whose transaction is shown). The server is not trusted for the math.
import { useState, type FormEvent } from 'react';
import { Alert, Badge, Button, ErrorAlert, Field, KeyValues, Section, useAction, verifyAuditInclusion } from '@bulwark/ui-kit';
import { audit, type InclusionProof } from '../shared/customer-api';

const SEQ = /^[1-9]\d{0,18}$/;

interface Checked {
  readonly proof: InclusionProof;
  readonly ok: boolean;
  readonly computedRoot: string | null;
}

function OnChain({ batch }: { readonly batch: InclusionProof['batch'] }) {
  if (batch.status !== 'anchored') return <Badge tone="warning">Anchoring requested, not yet confirmed on chain</Badge>;
  return <span><Badge tone="success">Anchored</Badge> tx <code>{batch.txHash}</code>, block {batch.blockNumber}, chain {batch.chainId}</span>;
}

export function EntryProof() {
  const [seq, setSeq] = useState('1');
  const [error, setError] = useState<string | undefined>();
  const [state, run] = useAction(async (): Promise<Checked> => {
    const proof = await audit.proof(seq);
    const check = await verifyAuditInclusion(proof.entryHash, proof.leafIndex, Number(proof.treeSize), proof.proof, proof.batch.merkleRoot);
    return { proof, ...check };
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!SEQ.test(seq)) return setError('Enter an entry number (1 or more).');
    setError(undefined);
    void run();
  };
  const result = state.status === 'done' ? state.result : undefined;
  return (
    <Section title="Prove one entry">
      <form className="row" onSubmit={submit} noValidate>
        <Field label="Entry number" name="seq" inputMode="numeric" value={seq} error={error} onChange={(e) => setSeq(e.target.value.trim())} />
        <Button type="submit" busy={state.status === 'running'}>Verify in this browser</Button>
      </form>
      {state.status === 'failed' ? <ErrorAlert error={state.error} /> : null}
      {result ? (
        <>
          {result.ok ? (
            <Alert tone="success" title={`Entry ${result.proof.seq} is in the anchored tree`}>
              <p>This browser recomputed the Merkle root from the entry and {result.proof.proof.length} proof hashes, and it equals the batch root.</p>
            </Alert>
          ) : (
            <Alert tone="error" title={`Entry ${result.proof.seq} does NOT prove`}>
              <p>The root computed here differs from the batch root: the log or the proof has been changed.</p>
            </Alert>
          )}
          <KeyValues items={[
            ['Entry hash', <code key="e">{result.proof.entryHash}</code>],
            ['Leaf / tree size', `${result.proof.leafIndex + 1} of ${result.proof.treeSize}`],
            ['Root computed here', <code key="c">{result.computedRoot ?? 'malformed proof'}</code>],
            ['Batch root', <code key="r">{result.proof.batch.merkleRoot}</code>],
            ['Batch', `${result.proof.batch.firstSeq}–${result.proof.batch.lastSeq}`],
            ['On chain', <OnChain key="a" batch={result.proof.batch} />],
            ['Contract', <code key="k">{result.proof.batch.contractAddress ?? '—'}</code>],
          ]} />
        </>
      ) : null}
    </Section>
  );
}
