import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '@/gql';
import type { AddinParameterScope } from '@/gql/graphql';
import { useI18n } from '@/i18n';
import { formatDateTime } from '@/lib/format';
import { errorCode } from '@/lib/graphql-client';
import { describeError } from './errors';
import { RequestError } from './RequestError';

export const AdminParameterSetQuery = graphql(`
  query AdminParameterSet($scope: AddinParameterScope!, $targetId: ID!) {
    addinParameterSet(scope: $scope, targetId: $targetId) {
      scope
      targetId
      version
      updatedBy
      updatedAt
      parameters {
        key
        value
      }
      versions {
        version
        savedBy
        savedAt
        parameters {
          key
          value
        }
      }
    }
  }
`);

export const AdminEffectiveParametersQuery = graphql(`
  query AdminEffectiveParameters($routingId: ID!) {
    effectiveAddinParameters(routingId: $routingId) {
      key
      value
    }
  }
`);

const SaveParameterSetMutation = graphql(`
  mutation AdminSaveParameterSet(
    $scope: AddinParameterScope!
    $targetId: ID!
    $parameters: [KeyValueInput!]!
    $expectedVersion: Int!
  ) {
    saveAddinParameterSet(scope: $scope, targetId: $targetId, parameters: $parameters, expectedVersion: $expectedVersion) {
      scope
      targetId
      version
      updatedBy
      updatedAt
      parameters {
        key
        value
      }
    }
  }
`);

interface KeyValue {
  key: string;
  value: string;
}

interface PanelProps {
  scope: AddinParameterScope;
  targetId: string;
  targetLabel: string;
  /** Set for a ROUTING target: its effective (merged) parameters are shown too. */
  routingCode?: string | undefined;
}

/** One target's parameter set: the editor, its version history and (for a routing) the merged result. */
export function ParameterSetPanel({ scope, targetId, targetLabel, routingCode }: PanelProps) {
  const { t, locale } = useI18n();
  const id = useId();
  const [{ data, error, fetching }, reexecute] = useQuery({
    query: AdminParameterSetQuery,
    variables: { scope, targetId },
  });
  const isRouting = scope === 'ROUTING';
  const [effective, reexecuteEffective] = useQuery({
    query: AdminEffectiveParametersQuery,
    variables: { routingId: targetId },
    pause: !isRouting,
  });
  const [reloads, setReloads] = useState(0);
  const [savedVersion, setSavedVersion] = useState<number | null>(null);

  const set = data?.addinParameterSet ?? null;
  const loaded = data !== undefined;

  function reload() {
    setSavedVersion(null);
    setReloads((n) => n + 1);
    reexecute({ requestPolicy: 'network-only' });
    if (isRouting) reexecuteEffective({ requestPolicy: 'network-only' });
  }

  function onSaved(version: number) {
    setSavedVersion(version);
    reexecute({ requestPolicy: 'network-only' });
    if (isRouting) reexecuteEffective({ requestPolicy: 'network-only' });
  }

  const effectiveRows = effective.data?.effectiveAddinParameters ?? [];

  return (
    <div className="admin-params">
      <section className="panel" aria-labelledby={`${id}-editor`}>
        <div className="admin-params__head">
          <h3 id={`${id}-editor`}>{t('admin.params.editorTitle', { target: targetLabel })}</h3>
          <button type="button" className="button button--small" onClick={reload}>
            {t('admin.params.reload')}
          </button>
        </div>
        {error && !data && <RequestError error={error} onRetry={reload} />}
        {!loaded && fetching && <p role="status">{t('app.loading')}</p>}
        {savedVersion !== null && (
          <p className="notice" role="status">
            {t('admin.params.saved', { version: savedVersion })}
          </p>
        )}
        {loaded && (
          <>
            <p className="muted">
              {set
                ? t('admin.params.currentVersion', {
                    version: set.version,
                    by: set.updatedBy,
                    at: formatDateTime(set.updatedAt, locale),
                  })
                : t('admin.params.newSet')}
            </p>
            <ParameterEditor
              key={`${set?.version ?? 0}:${reloads}`}
              scope={scope}
              targetId={targetId}
              version={set?.version ?? 0}
              initial={set?.parameters ?? []}
              onSaving={() => setSavedVersion(null)}
              onSaved={onSaved}
              onReload={reload}
            />
          </>
        )}
      </section>

      {loaded && (
        <section className="panel" aria-labelledby={`${id}-history`}>
          <h3 id={`${id}-history`}>{t('admin.params.history')}</h3>
          {!set || set.versions.length === 0 ? (
            <p className="hint">{t('admin.params.historyEmpty')}</p>
          ) : (
            <div className="table-wrap">
              <table className="table admin-table">
                <caption className="admin-caption">{t('admin.params.historyCaption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('admin.params.col.version')}</th>
                    <th scope="col">{t('admin.params.col.savedBy')}</th>
                    <th scope="col">{t('admin.params.col.savedAt')}</th>
                    <th scope="col">{t('admin.params.col.parameters')}</th>
                  </tr>
                </thead>
                <tbody>
                  {set.versions.map((version) => (
                    <tr key={version.version}>
                      <th scope="row" className="num">
                        {version.version}
                      </th>
                      <td>{version.savedBy}</td>
                      <td>
                        <time dateTime={version.savedAt}>{formatDateTime(version.savedAt, locale)}</time>
                      </td>
                      <td>
                        {version.parameters.length === 0 ? (
                          <span className="muted">{t('admin.params.emptySet')}</span>
                        ) : (
                          <ul className="admin-pairs">
                            {version.parameters.map((pair) => (
                              <li key={pair.key}>
                                <code>{pair.key}</code> = <code className="prewrap">{pair.value}</code>
                              </li>
                            ))}
                          </ul>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}

      {isRouting && (
        <section className="panel" aria-labelledby={`${id}-effective`}>
          <h3 id={`${id}-effective`}>{t('admin.params.effective')}</h3>
          <p className="hint">{t('admin.params.effectiveHint')}</p>
          {effective.error && !effective.data && (
            <RequestError error={effective.error} onRetry={() => reexecuteEffective({ requestPolicy: 'network-only' })} />
          )}
          {!effective.data && effective.fetching && <p role="status">{t('app.loading')}</p>}
          {effective.data && effectiveRows.length === 0 && <p className="hint">{t('admin.params.effectiveEmpty')}</p>}
          {effectiveRows.length > 0 && (
            <div className="table-wrap">
              <table className="table admin-table">
                <caption className="admin-caption">
                  {t('admin.params.effectiveCaption', { code: routingCode ?? targetId })}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">{t('admin.params.col.key')}</th>
                    <th scope="col">{t('admin.params.col.value')}</th>
                  </tr>
                </thead>
                <tbody>
                  {effectiveRows.map((pair) => (
                    <tr key={pair.key}>
                      <th scope="row" className="admin-mono">
                        {pair.key}
                      </th>
                      <td className="prewrap">{pair.value}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </div>
  );
}

interface Row extends KeyValue {
  rowId: number;
}

type RowProblem = 'required' | 'duplicate';

/** Which rows are wrong: an empty key, or a key (trimmed, as the server stores it) used twice. */
function problemsOf(rows: Row[]): Map<number, RowProblem> {
  const problems = new Map<number, RowProblem>();
  const seen = new Map<string, number[]>();
  for (const row of rows) {
    const key = row.key.trim();
    if (!key) problems.set(row.rowId, 'required');
    else seen.set(key, [...(seen.get(key) ?? []), row.rowId]);
  }
  for (const ids of seen.values()) if (ids.length > 1) ids.forEach((rowId) => problems.set(rowId, 'duplicate'));
  return problems;
}

interface EditorProps {
  scope: AddinParameterScope;
  targetId: string;
  /** The version being edited (0: no set yet), sent as `expectedVersion`. */
  version: number;
  initial: readonly KeyValue[];
  /** A save starts (the previous "saved" message no longer holds). */
  onSaving(): void;
  onSaved(version: number): void;
  onReload(): void;
}

/** Key/value rows (add, remove, keys unique and non-empty), saved with optimistic concurrency. */
function ParameterEditor({ scope, targetId, version, initial, onSaving, onSaved, onReload }: EditorProps) {
  const { t } = useI18n();
  const id = useId();
  const nextRowId = useRef(initial.length);
  const [rows, setRows] = useState<Row[]>(() => initial.map((pair, index) => ({ ...pair, rowId: index })));
  const [checked, setChecked] = useState(false);
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<{ conflict: boolean; text: string } | null>(null);
  const [focusRow, setFocusRow] = useState<number | null>(null);
  const addRef = useRef<HTMLButtonElement>(null);
  const [, save] = useMutation(SaveParameterSetMutation);

  useEffect(() => {
    if (focusRow === null) return;
    document.getElementById(`${id}-key-${focusRow}`)?.focus();
    setFocusRow(null);
  }, [focusRow, id]);

  const problems = checked ? problemsOf(rows) : new Map<number, RowProblem>();

  function update(rowId: number, change: Partial<KeyValue>) {
    setRows((current) => current.map((row) => (row.rowId === rowId ? { ...row, ...change } : row)));
  }

  function addRow() {
    const rowId = nextRowId.current++;
    setRows((current) => [...current, { rowId, key: '', value: '' }]);
    setFocusRow(rowId);
  }

  function removeRow(rowId: number) {
    setRows((current) => current.filter((row) => row.rowId !== rowId));
    addRef.current?.focus();
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setChecked(true);
    setFailure(null);
    onSaving();
    if (problemsOf(rows).size > 0) return;
    setSaving(true);
    const result = await save({
      scope,
      targetId,
      parameters: rows.map((row) => ({ key: row.key.trim(), value: row.value })),
      expectedVersion: version,
    });
    setSaving(false);
    if (result.error || !result.data) {
      const conflict = errorCode(result.error) === 'CONFLICT';
      setFailure({
        conflict,
        text: conflict ? t('admin.params.conflict') : result.error ? describeError(t, result.error) : t('app.error.network'),
      });
      return;
    }
    onSaved(result.data.saveAddinParameterSet.version);
  }

  const invalid = problems.size > 0;
  return (
    <form onSubmit={onSubmit} noValidate aria-label={t('admin.params.caption')}>
      {invalid && (
        <p className="notice notice--error" role="alert">
          {t('admin.params.invalid')}
        </p>
      )}
      {failure && (
        <div className="notice notice--error" role="alert">
          <p>{failure.text}</p>
          {failure.conflict && (
            <button type="button" className="button" onClick={onReload}>
              {t('admin.params.reloadLatest')}
            </button>
          )}
        </div>
      )}
      {rows.length === 0 ? (
        <p className="hint">{t('admin.params.noRows')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table admin-table admin-editor">
            <caption className="admin-caption">{t('admin.params.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.params.col.key')}</th>
                <th scope="col">{t('admin.params.col.value')}</th>
                <th scope="col">{t('admin.params.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, index) => {
                const n = index + 1;
                const problem = problems.get(row.rowId);
                const problemId = `${id}-problem-${row.rowId}`;
                return (
                  <tr key={row.rowId}>
                    <td>
                      <input
                        id={`${id}-key-${row.rowId}`}
                        className="field__input admin-mono"
                        value={row.key}
                        maxLength={100}
                        spellCheck={false}
                        autoComplete="off"
                        aria-label={t('admin.params.keyOf', { n })}
                        aria-invalid={problem ? true : undefined}
                        aria-describedby={problem ? problemId : undefined}
                        onChange={(event) => update(row.rowId, { key: event.target.value })}
                      />
                      {problem && (
                        <span id={problemId} className="admin-problem">
                          {problem === 'required' ? t('admin.params.keyRequired') : t('admin.params.keyDuplicate')}
                        </span>
                      )}
                    </td>
                    <td>
                      <input
                        className="field__input"
                        value={row.value}
                        maxLength={2000}
                        spellCheck={false}
                        autoComplete="off"
                        aria-label={t('admin.params.valueOf', { n })}
                        onChange={(event) => update(row.rowId, { value: event.target.value })}
                      />
                    </td>
                    <td>
                      <button type="button" className="button button--small" onClick={() => removeRow(row.rowId)}>
                        {t('admin.params.removeRow', { n })}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <div className="admin-form__actions">
        <button type="button" className="button" ref={addRef} onClick={addRow}>
          {t('admin.params.add')}
        </button>
        <button type="submit" className="button button--primary" disabled={saving}>
          {t('admin.params.save')}
        </button>
      </div>
    </form>
  );
}
