// Add-in job fixtures as the server answers them (with __typename, for urql's cache).
import type { AddinJobStatus } from '@/gql/graphql';

export interface JobFixture {
  id: string;
  status: AddinJobStatus;
  routingId?: string;
  code?: string;
  ownerId?: string;
  [field: string]: unknown;
}

export function job({ id, status, routingId = '9', code = 'R-100', ownerId = '1', ...rest }: JobFixture) {
  const finished = status === 'COMPLETED' || status === 'FAILED' || status === 'CANCELLED';
  return {
    __typename: 'AddinJob',
    id,
    status,
    attempt: 1,
    maxAttempts: 3,
    agentId: status === 'QUEUED' ? null : 'cam-pc-01',
    leaseExpiresAt: status === 'RUNNING' ? '2030-01-01T10:05:00Z' : null,
    progress: status === 'COMPLETED' ? 100 : status === 'RUNNING' ? 40 : 0,
    message: status === 'RUNNING' ? 'Generating toolpaths' : null,
    failureReason: status === 'FAILED' ? 'ADDIN_FAILED' : null,
    createdBy: 'approver',
    createdAt: '2030-01-01T10:00:00Z',
    claimedAt: status === 'QUEUED' ? null : '2030-01-01T10:00:05Z',
    updatedAt: '2030-01-01T10:01:00Z',
    finishedAt: finished ? '2030-01-01T10:02:00Z' : null,
    retryOfId: null,
    parameters: [{ __typename: 'KeyValue', key: 'postprocessor', value: 'fanuc-31i' }],
    outputs: [],
    routing: { __typename: 'Routing', id: routingId, code, title: 'Mill and drill', owner: { __typename: 'User', id: ownerId } },
    ...rest,
  };
}

export function output(name: string, size: number, file: { id: string; routingId?: string } | null) {
  return {
    __typename: 'AddinJobOutput',
    name,
    size,
    sha256: 'ab'.repeat(32),
    uploadId: file ? 'u1' : null,
    file: file && {
      __typename: 'File',
      id: file.id,
      routingId: file.routingId ?? '9',
      logicalName: name,
      revision: 1,
      downloadable: true,
      downloadUrl: `/api/files/${file.id}/content`,
    },
  };
}

export function jobsAnswer(nodes: unknown[], options: { hasNextPage?: boolean; endCursor?: string | null } = {}) {
  return {
    data: {
      addinJobs: {
        __typename: 'AddinJobConnection',
        totalCount: nodes.length,
        pageInfo: { __typename: 'PageInfo', hasNextPage: options.hasNextPage ?? false, endCursor: options.endCursor ?? null },
        edges: nodes.map((node, index) => ({ __typename: 'AddinJobEdge', cursor: String(index), node })),
      },
    },
  };
}
