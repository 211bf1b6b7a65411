// The four SPEC subscriptions and fileCommitted, each over every routing the caller may see; the
// pages pick what concerns them. `since` replays what a dropped connection missed.
import { graphql } from '@/gql';

export const LiveAddinJobCreated = graphql(`
  subscription LiveAddinJobCreated($since: String) {
    addinJobCreated(since: $since) {
      eventId
      jobId
      routingId
      createdAt
    }
  }
`);

export const LiveAddinJobUpdated = graphql(`
  subscription LiveAddinJobUpdated($since: String) {
    addinJobUpdated(since: $since) {
      eventId
      jobId
      routingId
      status
      message
      updatedAt
    }
  }
`);

export const LiveRoutingApprovalChanged = graphql(`
  subscription LiveRoutingApprovalChanged($since: String) {
    routingApprovalChanged(since: $since) {
      eventId
      routingId
      status
      approvedBy
      timestamp
    }
  }
`);

export const LiveFileCommitted = graphql(`
  subscription LiveFileCommitted($since: String) {
    fileCommitted(since: $since) {
      eventId
      fileId
      routingId
      logicalName
      revision
      size
      sha256
      scanStatus
    }
  }
`);

export const LiveNotificationAlert = graphql(`
  subscription LiveNotificationAlert($since: String) {
    notificationAlert(since: $since) {
      eventId
      type
      title
      message
      severity
    }
  }
`);
