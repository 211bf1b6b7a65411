// The add-in job fields both add-in pages show, and the list query they page through.
import { graphql } from '@/gql';

export const AddinJobFields = graphql(`
  fragment AddinJobFields on AddinJob {
    id
    status
    attempt
    maxAttempts
    agentId
    leaseExpiresAt
    progress
    message
    failureReason
    createdBy
    createdAt
    claimedAt
    updatedAt
    finishedAt
    retryOfId
    parameters {
      key
      value
    }
    outputs {
      name
      size
      sha256
      uploadId
      file {
        id
        routingId
        logicalName
        revision
        downloadable
        downloadUrl
      }
    }
    routing {
      id
      code
      title
      owner {
        id
      }
    }
  }
`);

export const AddinJobsPageQuery = graphql(`
  query AddinJobsPage($routingId: ID, $status: AddinJobStatus, $first: Int!, $after: String) {
    addinJobs(routingId: $routingId, status: $status, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...AddinJobFields
        }
      }
    }
  }
`);

export const AddinRetryJobMutation = graphql(`
  mutation AddinRetryJob($id: ID!) {
    retryAddinJob(id: $id) {
      ...AddinJobFields
    }
  }
`);

export const AddinCancelJobMutation = graphql(`
  mutation AddinCancelJob($id: ID!) {
    cancelAddinJob(id: $id) {
      ...AddinJobFields
    }
  }
`);

export const ADDIN_JOB_EVENTS = ['addin.job.created', 'addin.job.updated'] as const;
export const ACTIVE_STATUSES = ['QUEUED', 'RUNNING'] as const;
export const FINISHED_STATUSES = ['COMPLETED', 'FAILED', 'CANCELLED'] as const;
