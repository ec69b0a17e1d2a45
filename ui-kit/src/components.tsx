// The design system's components. Every input has a visible label tied to it, errors are
// announced (role=alert) and tied to their field (aria-describedby), every table has a caption
// and header scopes, and every asynchronous view says what state it is in.
import { useEffect, useId, useRef, type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';
import type { ResourceHandle } from './hooks';
import { describeError, ApiError } from './problem';
import { formatAge } from './time';

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & { readonly variant?: 'primary' | 'secondary' | 'danger' | 'link'; readonly busy?: boolean };

export function Button({ variant = 'primary', busy = false, disabled, children, type = 'button', ...rest }: ButtonProps) {
  return (
    <button {...rest} type={type} className={`btn btn-${variant}`} disabled={disabled || busy} aria-busy={busy || undefined}>
      {busy ? <span className="spinner" aria-hidden="true" /> : null}
      {children}
    </button>
  );
}

type FieldProps = InputHTMLAttributes<HTMLInputElement> & { readonly label: string; readonly hint?: ReactNode; readonly error?: string | undefined };

export function Field({ label, hint, error, id, ...input }: FieldProps) {
  const generated = useId();
  const inputId = id ?? generated;
  const hintId = hint ? `${inputId}-hint` : undefined;
  const errorId = error ? `${inputId}-error` : undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={inputId}>{label}</label>
      {hint ? <p id={hintId} className="hint">{hint}</p> : null}
      <input id={inputId} aria-invalid={error ? true : undefined} aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined} {...input} />
      {error ? <p id={errorId} className="field-error" role="alert">{error}</p> : null}
    </div>
  );
}

type SelectProps = SelectHTMLAttributes<HTMLSelectElement> & {
  readonly label: string;
  readonly options: readonly { readonly value: string; readonly label: string }[];
  readonly error?: string | undefined;
};

export function SelectField({ label, options, error, id, ...select }: SelectProps) {
  const generated = useId();
  const selectId = id ?? generated;
  const errorId = error ? `${selectId}-error` : undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={selectId}>{label}</label>
      <select id={selectId} aria-invalid={error ? true : undefined} aria-describedby={errorId} {...select}>
        {options.map((option) => <option key={option.value} value={option.value}>{option.label}</option>)}
      </select>
      {error ? <p id={errorId} className="field-error" role="alert">{error}</p> : null}
    </div>
  );
}

export type Tone = 'info' | 'success' | 'warning' | 'error' | 'neutral';

export function Alert({ tone = 'info', title, children }: { readonly tone?: Tone; readonly title?: string; readonly children?: ReactNode }) {
  return (
    <div className={`alert alert-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {title ? <strong className="alert-title">{title}</strong> : null}
      {children ? <div>{children}</div> : null}
    </div>
  );
}

export function ErrorAlert({ error, onRetry }: { readonly error: unknown; readonly onRetry?: () => void }) {
  const problem = error instanceof ApiError ? error.problem : undefined;
  return (
    <Alert tone="error" title="That did not work">
      <p>{describeError(error)}</p>
      {problem?.code || problem?.correlationId ? (
        <p className="muted small">
          {problem.code ? <>Code <code>{problem.code}</code>. </> : null}
          {problem.correlationId ? <>Reference <code>{problem.correlationId}</code>.</> : null}
        </p>
      ) : null}
      {onRetry ? <Button variant="secondary" onClick={onRetry}>Try again</Button> : null}
    </Alert>
  );
}

export function Badge({ tone = 'neutral', children }: { readonly tone?: Tone; readonly children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export function Loading({ label = 'Loading…' }: { readonly label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </div>
  );
}

export function Empty({ children }: { readonly children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/**
 * Renders a resource honestly: a spinner while loading, the error with a retry, the empty
 * message when there is nothing, and a stale banner (with the data's age) when a refresh fails.
 */
export function ResourceView<T>({ handle, isEmpty, empty, children, label }: {
  readonly handle: ResourceHandle<T>;
  readonly isEmpty?: (data: T) => boolean;
  readonly empty?: ReactNode;
  readonly label?: string;
  readonly children: (data: T) => ReactNode;
}) {
  const { resource, reload } = handle;
  if (resource.status === 'loading') return <Loading label={label ? `Loading ${label}…` : undefined} />;
  if (resource.status === 'error') return <ErrorAlert error={resource.error} onRetry={reload} />;
  return (
    <>
      {resource.stale ? (
        <Alert tone="warning" title="Showing older data">
          <p>
            The last refresh failed ({describeError(resource.error)}). This is what we had {formatAge(resource.updatedAt, Date.now())}.{' '}
            <Button variant="link" onClick={reload}>Refresh now</Button>
          </p>
        </Alert>
      ) : null}
      {isEmpty?.(resource.data) ? <Empty>{empty ?? 'Nothing here yet.'}</Empty> : children(resource.data)}
    </>
  );
}

export interface Column<T> {
  readonly header: string;
  readonly render: (row: T) => ReactNode;
  readonly align?: 'start' | 'end';
}

export function DataTable<T>({ caption, columns, rows, rowKey }: {
  readonly caption: string;
  readonly columns: readonly Column<T>[];
  readonly rows: readonly T[];
  readonly rowKey: (row: T) => string;
}) {
  return (
    <div className="table-scroll" role="region" aria-label={caption} tabIndex={0}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>{columns.map((column) => <th key={column.header} scope="col" className={column.align === 'end' ? 'num' : undefined}>{column.header}</th>)}</tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((column) => <td key={column.header} className={column.align === 'end' ? 'num' : undefined}>{column.render(row)}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function KeyValues({ items }: { readonly items: readonly (readonly [string, ReactNode])[] }) {
  return (
    <dl className="key-values">
      {items.map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A page's title: sets document.title and takes focus after navigation, so screen readers hear where they are. */
export function PageTitle({ children, appName, actions }: { readonly children: string; readonly appName: string; readonly actions?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${children} · ${appName}`;
    heading.current?.focus();
  }, [children, appName]);
  return (
    <div className="page-title">
      <h1 ref={heading} tabIndex={-1}>{children}</h1>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}

export function Section({ title, children, actions }: { readonly title: string; readonly children: ReactNode; readonly actions?: ReactNode }) {
  const id = useId();
  return (
    <section className="card" aria-labelledby={id}>
      <div className="card-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}
