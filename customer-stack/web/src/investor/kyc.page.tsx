// Verifying your identity: where it stands (each state says what happens next), and the form
// when there is something to submit. The stack checks age, residency and the document, and
// screens the name; a slow provider leaves it pending, never approved.
import { useState, type FormEvent } from 'react';
import { Alert, Badge, Button, ErrorAlert, Field, KeyValues, PageTitle, ResourceView, Section, SelectField, formatInstant, useAction, useResource } from '@bulwark/ui-kit';
import { KYC_STATUS_TEXT, kyc, kycTone, type KycSubmission, type KycView } from '../shared/compliance-api';
import { APP_NAME } from './app-name';

const POLL_MS = 5_000;

const NEXT_STEP: Readonly<Record<KycView['status'], string>> = {
  not_started: 'Tell us who you are to start investing. It takes a couple of minutes.',
  pending: 'We are checking your details. This page updates by itself.',
  manual_review: 'A compliance officer is looking at your application. We will email you when it is decided.',
  approved: 'You are verified. Your limits follow your tier.',
  rejected: 'We could not verify you with these details. You can correct them and submit again.',
};

type FormErrors = Partial<Record<'givenNames' | 'familyName' | 'dateOfBirth' | 'line1' | 'city' | 'documentNumber', string>>;

export function validateKyc(form: { givenNames: string; familyName: string; dateOfBirth: string; line1: string; city: string; documentNumber: string }, today: Date): FormErrors {
  const errors: FormErrors = {};
  if (!form.givenNames.trim()) errors.givenNames = 'Enter your given names as on your document.';
  if (!form.familyName.trim()) errors.familyName = 'Enter your family name as on your document.';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.dateOfBirth) || Number.isNaN(Date.parse(form.dateOfBirth))) errors.dateOfBirth = 'Enter your date of birth.';
  else if (Date.parse(form.dateOfBirth) > today.getTime()) errors.dateOfBirth = 'Your date of birth cannot be in the future.';
  if (!form.line1.trim()) errors.line1 = 'Enter the first line of your address.';
  if (!form.city.trim()) errors.city = 'Enter your city.';
  if (!/^[A-Za-z0-9]{5,20}$/.test(form.documentNumber.trim())) errors.documentNumber = 'Enter the document number: 5 to 20 letters and digits.';
  return errors;
}

function KycForm({ onSubmitted }: { readonly onSubmitted: () => void }) {
  const [form, setForm] = useState({ givenNames: '', familyName: '', dateOfBirth: '', line1: '', city: '', postalCode: '', documentType: 'lk_nic', documentNumber: '' });
  const [errors, setErrors] = useState<FormErrors>({});
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) => setForm({ ...form, [key]: event.target.value });
  const [state, run] = useAction(async () => {
    const submission: KycSubmission = {
      givenNames: form.givenNames.trim(),
      familyName: form.familyName.trim(),
      dateOfBirth: form.dateOfBirth,
      residenceCountry: 'LK',
      address: { line1: form.line1.trim(), city: form.city.trim(), ...(form.postalCode.trim() ? { postalCode: form.postalCode.trim() } : {}), country: 'LK' },
      document: { type: form.documentType === 'passport' ? 'passport' : 'lk_nic', number: form.documentNumber.trim(), country: 'LK' },
      requestedTier: 1,
    };
    await kyc.submit(submission);
    onSubmitted();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = validateKyc(form, new Date());
    setErrors(found);
    if (Object.keys(found).length === 0) void run();
  };
  return (
    <form onSubmit={submit} noValidate>
      <fieldset>
        <legend>You</legend>
        <Field label="Given names" name="given-names" autoComplete="given-name" value={form.givenNames} error={errors.givenNames} onChange={set('givenNames')} />
        <Field label="Family name" name="family-name" autoComplete="family-name" value={form.familyName} error={errors.familyName} onChange={set('familyName')} />
        <Field label="Date of birth" name="dob" type="date" autoComplete="bday" value={form.dateOfBirth} error={errors.dateOfBirth} onChange={set('dateOfBirth')} />
      </fieldset>
      <fieldset>
        <legend>Where you live (Sri Lanka)</legend>
        <Field label="Address" name="address-line1" autoComplete="address-line1" value={form.line1} error={errors.line1} onChange={set('line1')} />
        <Field label="City" name="city" autoComplete="address-level2" value={form.city} error={errors.city} onChange={set('city')} />
        <Field label="Postal code (optional)" name="postal-code" autoComplete="postal-code" value={form.postalCode} onChange={set('postalCode')} />
      </fieldset>
      <fieldset>
        <legend>Your identity document</legend>
        <SelectField label="Document" name="document-type" value={form.documentType} onChange={set('documentType')}
          options={[{ value: 'lk_nic', label: 'National identity card (NIC)' }, { value: 'passport', label: 'Passport' }]} />
        <Field label="Document number" name="document-number" value={form.documentNumber} error={errors.documentNumber} onChange={set('documentNumber')} />
      </fieldset>
      <p className="hint">This verifies you for tier 1. Higher tiers need a live selfie check, which this web app cannot take yet.</p>
      {state.status === 'failed' ? <ErrorAlert error={state.error} /> : null}
      <Button type="submit" busy={state.status === 'running'}>Submit for verification</Button>
    </form>
  );
}

export function KycPage() {
  const handle = useResource((signal) => kyc.me(signal), [], POLL_MS);
  return (
    <>
      <PageTitle appName={APP_NAME}>Verify your identity</PageTitle>
      <ResourceView handle={handle} label="your verification">
        {(view) => (
          <div className="stack">
            <Section title="Status" actions={<Badge tone={kycTone(view.status)}>{KYC_STATUS_TEXT[view.status]}</Badge>}>
              <p>{NEXT_STEP[view.status]}</p>
              <KeyValues items={[
                ['Tier', String(view.tier)],
                ['Requested tier', view.requestedTier === null ? '—' : String(view.requestedTier)],
                ['Submitted', formatInstant(view.submittedAt)],
                ['Decided', formatInstant(view.decidedAt)],
              ]} />
              {view.reasons.length > 0 ? (
                <Alert tone={view.status === 'rejected' ? 'error' : 'info'} title="Reasons">{view.reasons.map((r) => <p key={r}><code>{r}</code></p>)}</Alert>
              ) : null}
            </Section>
            {view.status === 'not_started' || view.status === 'rejected' ? (
              <Section title="Your details"><KycForm onSubmitted={handle.reload} /></Section>
            ) : null}
          </div>
        )}
      </ResourceView>
    </>
  );
}
