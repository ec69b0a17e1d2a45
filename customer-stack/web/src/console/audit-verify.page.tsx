// The auditor's check of the customer stack's audit chain: the stack walks every entry from
// genesis and names the first broken one (its sequence number and what is wrong), if any.
import { Alert, Badge, Button, KeyValues, PageTitle, ResourceView, Section, formatInstant, useResource } from '@bulwark/ui-kit';
import { audit } from '../shared/customer-api';
import { APP_NAME } from './app-name';
import { EntryProof } from './entry-proof';

export function AuditVerifyPage() {
  const handle = useResource(async (signal) => ({ result: await audit.verify(signal), at: new Date() }), []);
  return (
    <>
      <PageTitle appName={APP_NAME} actions={<Button variant="secondary" onClick={handle.reload}>Verify again</Button>}>Audit chain</PageTitle>
      <div className="stack">
      <Section title="Whole-chain verification">
        <ResourceView handle={handle} label="the verification">
          {({ result, at }) => (
            <>
              {result.ok ? (
                <Alert tone="success" title="The audit chain verifies">
                  <p>Every entry from genesis to the head links to the one before it and its hash matches its content.</p>
                </Alert>
              ) : (
                <Alert tone="error" title="The audit chain is broken">
                  <p>
                    The first broken entry is number <strong>{result.firstBreak?.seq}</strong> ({result.firstBreak?.kind}). Entries after it cannot be trusted
                    until this is investigated.
                  </p>
                </Alert>
              )}
              <KeyValues items={[
                ['Result', <Badge key="r" tone={result.ok ? 'success' : 'error'}>{result.ok ? 'Verified' : 'Broken'}</Badge>],
                ['Head entry', result.headSeq],
                ['Entries checked', result.checkedEntries],
                ['Checked at', formatInstant(at)],
              ]} />
            </>
          )}
        </ResourceView>
      </Section>
      <EntryProof />
      </div>
    </>
  );
}
