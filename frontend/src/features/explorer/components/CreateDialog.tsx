import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useMutation, type CombinedError } from 'urql';
import { Dialog } from '@/components/Dialog';
import { graphql } from '@/gql';
import type { ExplorerRoutingFragment } from '@/gql/graphql';
import { useI18n, type MessageKey } from '@/i18n';
import { errorCode, serverMessage } from '@/lib/graphql-client';
import type { ItemNode, RevisionNode } from '../lib/tree-state';

export const ExplorerCreateItemMutation = graphql(`
  mutation ExplorerCreateItem($input: CreateItemInput!) {
    createItem(input: $input) {
      id
      itemCode
      name
    }
  }
`);

export const ExplorerCreateRevisionMutation = graphql(`
  mutation ExplorerCreateRevision($itemId: ID!, $input: CreateRevisionInput!) {
    createRevision(itemId: $itemId, input: $input) {
      id
      code
    }
  }
`);

export const ExplorerCreateRoutingMutation = graphql(`
  mutation ExplorerCreateRouting($revisionId: ID!, $input: CreateRoutingInput!) {
    createRouting(revisionId: $revisionId, input: $input) {
      id
      ...ExplorerRouting
    }
  }
`);

/** What the server accepts as a code (item code, revision, routing code): see the backend's clean_code. */
const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._\-/ ]*$/;

interface FieldSpec {
  name: string;
  label: MessageKey;
  hint?: MessageKey;
  required: boolean;
  maxLength: number;
  code?: boolean;
  multiline?: boolean;
}

type Values = Record<string, string>;

interface FormDialogProps {
  title: string;
  context?: ReactNode;
  fields: readonly FieldSpec[];
  submitLabel: string;
  /** Sends the form; resolves to the error to show, or null when done. */
  onSubmit(values: Values): Promise<CombinedError | null>;
  /** The message for a CONFLICT (a duplicate code). */
  conflictMessage(values: Values): string;
  onCancel(): void;
}

const DESCRIPTION_MAX = 10_000;

/**
 * A form in a modal native `<dialog>`: the first field has focus on open,
 * Escape or Cancel closes it and focus goes back to the button that opened it.
 * Fields are checked before sending (required, length, code characters); the
 * server's refusal is shown in an alert.
 */
function FormDialog({ title, context, fields, submitLabel, onSubmit, conflictMessage, onCancel }: FormDialogProps) {
  const { t } = useI18n();
  const formRef = useRef<HTMLFormElement>(null);
  const titleId = useId();
  const baseId = useId();
  const [values, setValues] = useState<Values>(() => Object.fromEntries(fields.map((field) => [field.name, ''])));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const busyRef = useRef(false);

  const fieldId = (name: string) => `${baseId}-${name}`;

  function validate(field: FieldSpec, raw: string): string | null {
    const value = raw.trim();
    const label = t(field.label);
    if (field.required && !value) return t('explorer.form.required', { field: label });
    if (value.length > field.maxLength) return t('explorer.form.tooLong', { field: label, max: field.maxLength });
    if (field.code && value && !CODE_PATTERN.test(value)) return t('explorer.form.codeChars', { field: label });
    return null;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busyRef.current) return;
    const found: Record<string, string> = {};
    for (const field of fields) {
      const message = validate(field, values[field.name] ?? '');
      if (message) found[field.name] = message;
    }
    setErrors(found);
    setServerError(null);
    const firstInvalid = fields.find((field) => found[field.name]);
    if (firstInvalid) {
      document.getElementById(fieldId(firstInvalid.name))?.focus();
      return;
    }
    const trimmed = Object.fromEntries(fields.map((field) => [field.name, (values[field.name] ?? '').trim()]));
    busyRef.current = true;
    setBusy(true);
    let error: CombinedError | null;
    try {
      error = await onSubmit(trimmed);
    } finally {
      busyRef.current = false;
      setBusy(false);
    }
    if (!error) return;
    const code = errorCode(error);
    if (code === 'CONFLICT') {
      setServerError(conflictMessage(trimmed));
      const codeField = fields.find((field) => field.code);
      if (codeField) document.getElementById(fieldId(codeField.name))?.focus();
    } else if (code === 'INVALID_ARGUMENT') {
      setServerError(t('explorer.form.invalid', { message: error.graphQLErrors[0]?.message ?? error.message }));
    } else if (code === 'FORBIDDEN') {
      setServerError(t('explorer.form.forbidden'));
    } else if (error.networkError) {
      setServerError(t('app.error.network'));
    } else {
      setServerError(t('app.error.generic', { message: serverMessage(error) }));
    }
  }

  return (
    <Dialog
      className="explorer-dialog"
      aria-labelledby={titleId}
      onDismiss={() => {
        if (!busyRef.current) onCancel();
      }}
      initialFocus={() => formRef.current?.querySelector<HTMLElement>('input, textarea')?.focus()}
      // Back to the opener, unless the page moved focus on (to the node just created).
      keepMovedFocus
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          event.stopPropagation();
          if (!busyRef.current) onCancel();
        }
      }}
    >
      <form ref={formRef} noValidate onSubmit={submit}>
        <h2 id={titleId} className="explorer-dialog__title">
          {title}
        </h2>
        {context && <p className="explorer-dialog__context muted">{context}</p>}
        {fields.map((field) => {
          const id = fieldId(field.name);
          const error = errors[field.name];
          const hintId = field.hint ? `${id}-hint` : undefined;
          const errorId = error ? `${id}-error` : undefined;
          const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
          const common = {
            id,
            name: field.name,
            className: 'field__input',
            value: values[field.name] ?? '',
            'aria-invalid': error ? (true as const) : undefined,
            'aria-describedby': describedBy,
            'aria-required': field.required || undefined,
            onChange: (event: { target: { value: string } }) => {
              const value = event.target.value;
              setValues((previous) => ({ ...previous, [field.name]: value }));
              // Once shown, an error follows the input as it is corrected.
              if (errors[field.name]) {
                setErrors((previous) => {
                  const next = { ...previous };
                  const message = validate(field, value);
                  if (message) next[field.name] = message;
                  else delete next[field.name];
                  return next;
                });
              }
            },
          };
          return (
            <div key={field.name} className="field">
              <label className="field__label" htmlFor={id}>
                {t(field.label)}
                {!field.required && <span className="muted"> {t('explorer.form.optional')}</span>}
              </label>
              {field.multiline ? (
                <textarea {...common} rows={3} />
              ) : (
                <input {...common} type="text" autoComplete="off" spellCheck={false} />
              )}
              {error && (
                <p id={errorId} className="explorer-dialog__error">
                  {error}
                </p>
              )}
              {field.hint && (
                <p id={hintId} className="hint explorer-dialog__hint">
                  {t(field.hint)}
                </p>
              )}
            </div>
          );
        })}
        {serverError && (
          <div className="notice notice--error" role="alert">
            <p>{serverError}</p>
          </div>
        )}
        <p className="visually-hidden" role="status">
          {busy ? t('explorer.form.sending') : ''}
        </p>
        <div className="explorer-dialog__actions">
          <button type="submit" className="button button--primary" aria-disabled={busy || undefined}>
            {submitLabel}
          </button>
          <button type="button" className="button" onClick={() => !busyRef.current && onCancel()}>
            {t('explorer.form.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

const ITEM_FIELDS: readonly FieldSpec[] = [
  { name: 'itemCode', label: 'explorer.form.itemCode', hint: 'explorer.form.itemCodeHint', required: true, maxLength: 64, code: true },
  { name: 'name', label: 'explorer.form.itemName', required: true, maxLength: 200 },
  { name: 'description', label: 'explorer.form.description', required: false, maxLength: DESCRIPTION_MAX, multiline: true },
];

const REVISION_FIELDS: readonly FieldSpec[] = [
  { name: 'code', label: 'explorer.form.revisionCode', hint: 'explorer.form.revisionCodeHint', required: true, maxLength: 16, code: true },
  { name: 'description', label: 'explorer.form.description', required: false, maxLength: DESCRIPTION_MAX, multiline: true },
];

const ROUTING_FIELDS: readonly FieldSpec[] = [
  { name: 'code', label: 'explorer.form.routingCode', hint: 'explorer.form.routingCodeHint', required: true, maxLength: 64, code: true },
  { name: 'title', label: 'explorer.form.routingTitle', required: true, maxLength: 200 },
  { name: 'description', label: 'explorer.form.description', required: false, maxLength: DESCRIPTION_MAX, multiline: true },
];

export function NewItemDialog({
  onCreated,
  onCancel,
}: {
  onCreated(item: { id: string; itemCode: string; name: string }): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const [, createItem] = useMutation(ExplorerCreateItemMutation);
  return (
    <FormDialog
      title={t('explorer.newItemTitle')}
      fields={ITEM_FIELDS}
      submitLabel={t('explorer.form.createItem')}
      onCancel={onCancel}
      conflictMessage={(values) => t('explorer.form.itemConflict', { code: values.itemCode ?? '' })}
      onSubmit={async (values) => {
        const result = await createItem({
          input: { itemCode: values.itemCode ?? '', name: values.name ?? '', description: values.description ?? '' },
        });
        const item = result.data?.createItem;
        if (!item) return result.error ?? null;
        onCreated(item);
        return null;
      }}
    />
  );
}

export function NewRevisionDialog({
  item,
  onCreated,
  onCancel,
}: {
  item: ItemNode;
  onCreated(revision: { id: string; code: string }): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const [, createRevision] = useMutation(ExplorerCreateRevisionMutation);
  return (
    <FormDialog
      title={t('explorer.newRevisionTitle', { item: item.itemCode })}
      context={t('explorer.newRevisionContext', { item: item.itemCode, name: item.name })}
      fields={REVISION_FIELDS}
      submitLabel={t('explorer.form.createRevision')}
      onCancel={onCancel}
      conflictMessage={(values) => t('explorer.form.revisionConflict', { code: values.code ?? '', item: item.itemCode })}
      onSubmit={async (values) => {
        const result = await createRevision({
          itemId: item.id,
          input: { code: values.code ?? '', description: values.description ?? '' },
        });
        const revision = result.data?.createRevision;
        if (!revision) return result.error ?? null;
        onCreated(revision);
        return null;
      }}
    />
  );
}

export function NewRoutingDialog({
  item,
  revision,
  onCreated,
  onCancel,
}: {
  item: ItemNode;
  revision: RevisionNode;
  onCreated(routing: ExplorerRoutingFragment): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const [, createRouting] = useMutation(ExplorerCreateRoutingMutation);
  return (
    <FormDialog
      title={t('explorer.newRoutingTitle', { item: item.itemCode, revision: revision.code })}
      context={t('explorer.newRoutingContext')}
      fields={ROUTING_FIELDS}
      submitLabel={t('explorer.form.createRouting')}
      onCancel={onCancel}
      conflictMessage={(values) =>
        t('explorer.form.routingConflict', { code: values.code ?? '', item: item.itemCode, revision: revision.code })
      }
      onSubmit={async (values) => {
        const result = await createRouting({
          revisionId: revision.id,
          input: { code: values.code ?? '', title: values.title ?? '', description: values.description ?? '' },
        });
        const routing = result.data?.createRouting;
        if (!routing) return result.error ?? null;
        onCreated(routing);
        return null;
      }}
    />
  );
}
