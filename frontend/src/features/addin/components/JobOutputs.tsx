import { Link } from 'react-router';
import type { AddinJobFieldsFragment } from '@/gql/graphql';
import { useI18n } from '@/i18n';
import { formatBytes } from '@/lib/format';
import { formatExactBytes } from '../lib/format';

type Output = AddinJobFieldsFragment['outputs'][number];

function OutputName({ output }: { output: Output }) {
  const { t } = useI18n();
  const url = output.file?.downloadUrl;
  if (!url) return <span className="job-output__name">{output.name}</span>;
  return (
    <a className="job-output__name" href={url} download={output.name}>
      <span className="visually-hidden">{t('addin.output.download')} </span>
      {output.name}
    </a>
  );
}

function OutputState({ output }: { output: Output }) {
  const { t } = useI18n();
  if (output.file?.downloadUrl) return null;
  const key = output.file ? 'addin.output.notDownloadable' : output.uploadId ? 'addin.output.checking' : 'addin.output.notUploaded';
  return <span className="muted job-output__state">{t(key)}</span>;
}

function Size({ bytes }: { bytes: number }) {
  const { t, locale } = useI18n();
  return <span title={formatExactBytes(bytes, locale, t)}>{formatBytes(bytes, locale)}</span>;
}

/** The link to the routing holding a job's output files, if any output is stored. */
function RoutingFilesLink({ outputs, code }: { outputs: readonly Output[]; code: string }) {
  const { t } = useI18n();
  const routingId = outputs.find((output) => output.file)?.file?.routingId;
  if (!routingId) return null;
  return (
    <Link className="job-outputs__routing" to={`/routings/${routingId}/files`}>
      {t('addin.output.routingFiles', { code })}
    </Link>
  );
}

/** Outputs in a table cell: name (a download link when it may be downloaded), size. */
export function OutputList({ outputs, code }: { outputs: readonly Output[]; code: string }) {
  const { t } = useI18n();
  if (outputs.length === 0) return <span className="muted">{t('addin.output.none')}</span>;
  return (
    <div className="job-outputs">
      <ul className="job-outputs__list">
        {outputs.map((output) => (
          <li key={`${output.name}:${output.sha256}`} className="job-output">
            <OutputName output={output} /> (<Size bytes={output.size} />) <OutputState output={output} />
          </li>
        ))}
      </ul>
      <RoutingFilesLink outputs={outputs} code={code} />
    </div>
  );
}

/** Outputs in full: name, size, SHA-256, file. */
export function OutputsTable({ jobId, outputs, code }: { jobId: string; outputs: readonly Output[]; code: string }) {
  const { t } = useI18n();
  if (outputs.length === 0) return <p className="muted">{t('addin.output.none')}</p>;
  return (
    <>
      <div className="table-wrap">
        <table className="table job-outputs-table">
          <caption className="visually-hidden">{t('addin.outputs.caption', { id: jobId })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('addin.outputs.name')}</th>
              <th scope="col" className="num">
                {t('addin.outputs.size')}
              </th>
              <th scope="col">{t('addin.outputs.sha256')}</th>
              <th scope="col">{t('addin.outputs.file')}</th>
            </tr>
          </thead>
          <tbody>
            {outputs.map((output) => (
              <tr key={`${output.name}:${output.sha256}`}>
                <th scope="row">
                  <OutputName output={output} />
                </th>
                <td className="num">
                  <Size bytes={output.size} />
                </td>
                <td>
                  <code className="job-output__hash">{output.sha256}</code>
                </td>
                <td>
                  {output.file && t('addin.outputs.fileRevision', { name: output.file.logicalName, revision: output.file.revision })}{' '}
                  <OutputState output={output} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <RoutingFilesLink outputs={outputs} code={code} />
    </>
  );
}
