/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query AlertsPage {\n    alerts(first: 100) {\n      eventId\n      type\n      title\n      message\n      severity\n      routingId\n      createdAt\n    }\n  }\n": typeof types.AlertsPageDocument,
    "\n  query Me {\n    me {\n      id\n      username\n      displayName\n      role\n    }\n  }\n": typeof types.MeDocument,
    "\n  query ExplorerItems($search: String, $status: RoutingStatus, $first: Int!, $after: String) {\n    items(search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          ...ExplorerItem\n        }\n      }\n    }\n  }\n": typeof types.ExplorerItemsDocument,
    "\n  fragment ExplorerItem on Item {\n    id\n    itemCode\n    name\n    revisions(first: 200) {\n      totalCount\n      edges {\n        node {\n          id\n          code\n          routings(status: $status, first: 200) {\n            totalCount\n            edges {\n              node {\n                id\n                code\n                title\n                status\n                version\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.ExplorerItemFragmentDoc,
    "\n  fragment RoutingHistory on Routing {\n    history(first: 200) {\n      totalCount\n      edges {\n        node {\n          id\n          type\n          actor\n          at\n          message\n        }\n      }\n    }\n  }\n": typeof types.RoutingHistoryFragmentDoc,
    "\n  query RoutingPage($id: ID!) {\n    routing(id: $id) {\n      id\n      code\n      title\n      description\n      status\n      version\n      updatedAt\n      owner {\n        id\n        username\n        displayName\n      }\n      approvedBy {\n        id\n        displayName\n      }\n      revision {\n        id\n        code\n        item {\n          id\n          itemCode\n          name\n        }\n      }\n      ...RoutingSteps\n      ...RoutingHistory\n    }\n  }\n": typeof types.RoutingPageDocument,
    "\n  fragment RoutingSteps on Routing {\n    steps {\n      id\n      sequence\n      name\n      workCenter\n      machine\n      setupMinutes\n      cycleMinutes\n    }\n  }\n": typeof types.RoutingStepsFragmentDoc,
    "\n  subscription LiveAddinJobCreated($since: String) {\n    addinJobCreated(since: $since) {\n      eventId\n      jobId\n      routingId\n      createdAt\n    }\n  }\n": typeof types.LiveAddinJobCreatedDocument,
    "\n  subscription LiveAddinJobUpdated($since: String) {\n    addinJobUpdated(since: $since) {\n      eventId\n      jobId\n      routingId\n      status\n      message\n      updatedAt\n    }\n  }\n": typeof types.LiveAddinJobUpdatedDocument,
    "\n  subscription LiveRoutingApprovalChanged($since: String) {\n    routingApprovalChanged(since: $since) {\n      eventId\n      routingId\n      status\n      approvedBy\n      timestamp\n    }\n  }\n": typeof types.LiveRoutingApprovalChangedDocument,
    "\n  subscription LiveNotificationAlert($since: String) {\n    notificationAlert(since: $since) {\n      eventId\n      type\n      title\n      message\n      severity\n    }\n  }\n": typeof types.LiveNotificationAlertDocument,
};
const documents: Documents = {
    "\n  query AlertsPage {\n    alerts(first: 100) {\n      eventId\n      type\n      title\n      message\n      severity\n      routingId\n      createdAt\n    }\n  }\n": types.AlertsPageDocument,
    "\n  query Me {\n    me {\n      id\n      username\n      displayName\n      role\n    }\n  }\n": types.MeDocument,
    "\n  query ExplorerItems($search: String, $status: RoutingStatus, $first: Int!, $after: String) {\n    items(search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          ...ExplorerItem\n        }\n      }\n    }\n  }\n": types.ExplorerItemsDocument,
    "\n  fragment ExplorerItem on Item {\n    id\n    itemCode\n    name\n    revisions(first: 200) {\n      totalCount\n      edges {\n        node {\n          id\n          code\n          routings(status: $status, first: 200) {\n            totalCount\n            edges {\n              node {\n                id\n                code\n                title\n                status\n                version\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": types.ExplorerItemFragmentDoc,
    "\n  fragment RoutingHistory on Routing {\n    history(first: 200) {\n      totalCount\n      edges {\n        node {\n          id\n          type\n          actor\n          at\n          message\n        }\n      }\n    }\n  }\n": types.RoutingHistoryFragmentDoc,
    "\n  query RoutingPage($id: ID!) {\n    routing(id: $id) {\n      id\n      code\n      title\n      description\n      status\n      version\n      updatedAt\n      owner {\n        id\n        username\n        displayName\n      }\n      approvedBy {\n        id\n        displayName\n      }\n      revision {\n        id\n        code\n        item {\n          id\n          itemCode\n          name\n        }\n      }\n      ...RoutingSteps\n      ...RoutingHistory\n    }\n  }\n": types.RoutingPageDocument,
    "\n  fragment RoutingSteps on Routing {\n    steps {\n      id\n      sequence\n      name\n      workCenter\n      machine\n      setupMinutes\n      cycleMinutes\n    }\n  }\n": types.RoutingStepsFragmentDoc,
    "\n  subscription LiveAddinJobCreated($since: String) {\n    addinJobCreated(since: $since) {\n      eventId\n      jobId\n      routingId\n      createdAt\n    }\n  }\n": types.LiveAddinJobCreatedDocument,
    "\n  subscription LiveAddinJobUpdated($since: String) {\n    addinJobUpdated(since: $since) {\n      eventId\n      jobId\n      routingId\n      status\n      message\n      updatedAt\n    }\n  }\n": types.LiveAddinJobUpdatedDocument,
    "\n  subscription LiveRoutingApprovalChanged($since: String) {\n    routingApprovalChanged(since: $since) {\n      eventId\n      routingId\n      status\n      approvedBy\n      timestamp\n    }\n  }\n": types.LiveRoutingApprovalChangedDocument,
    "\n  subscription LiveNotificationAlert($since: String) {\n    notificationAlert(since: $since) {\n      eventId\n      type\n      title\n      message\n      severity\n    }\n  }\n": types.LiveNotificationAlertDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AlertsPage {\n    alerts(first: 100) {\n      eventId\n      type\n      title\n      message\n      severity\n      routingId\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  query AlertsPage {\n    alerts(first: 100) {\n      eventId\n      type\n      title\n      message\n      severity\n      routingId\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      username\n      displayName\n      role\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      id\n      username\n      displayName\n      role\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ExplorerItems($search: String, $status: RoutingStatus, $first: Int!, $after: String) {\n    items(search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          ...ExplorerItem\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ExplorerItems($search: String, $status: RoutingStatus, $first: Int!, $after: String) {\n    items(search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          ...ExplorerItem\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ExplorerItem on Item {\n    id\n    itemCode\n    name\n    revisions(first: 200) {\n      totalCount\n      edges {\n        node {\n          id\n          code\n          routings(status: $status, first: 200) {\n            totalCount\n            edges {\n              node {\n                id\n                code\n                title\n                status\n                version\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment ExplorerItem on Item {\n    id\n    itemCode\n    name\n    revisions(first: 200) {\n      totalCount\n      edges {\n        node {\n          id\n          code\n          routings(status: $status, first: 200) {\n            totalCount\n            edges {\n              node {\n                id\n                code\n                title\n                status\n                version\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RoutingHistory on Routing {\n    history(first: 200) {\n      totalCount\n      edges {\n        node {\n          id\n          type\n          actor\n          at\n          message\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment RoutingHistory on Routing {\n    history(first: 200) {\n      totalCount\n      edges {\n        node {\n          id\n          type\n          actor\n          at\n          message\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RoutingPage($id: ID!) {\n    routing(id: $id) {\n      id\n      code\n      title\n      description\n      status\n      version\n      updatedAt\n      owner {\n        id\n        username\n        displayName\n      }\n      approvedBy {\n        id\n        displayName\n      }\n      revision {\n        id\n        code\n        item {\n          id\n          itemCode\n          name\n        }\n      }\n      ...RoutingSteps\n      ...RoutingHistory\n    }\n  }\n"): (typeof documents)["\n  query RoutingPage($id: ID!) {\n    routing(id: $id) {\n      id\n      code\n      title\n      description\n      status\n      version\n      updatedAt\n      owner {\n        id\n        username\n        displayName\n      }\n      approvedBy {\n        id\n        displayName\n      }\n      revision {\n        id\n        code\n        item {\n          id\n          itemCode\n          name\n        }\n      }\n      ...RoutingSteps\n      ...RoutingHistory\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RoutingSteps on Routing {\n    steps {\n      id\n      sequence\n      name\n      workCenter\n      machine\n      setupMinutes\n      cycleMinutes\n    }\n  }\n"): (typeof documents)["\n  fragment RoutingSteps on Routing {\n    steps {\n      id\n      sequence\n      name\n      workCenter\n      machine\n      setupMinutes\n      cycleMinutes\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LiveAddinJobCreated($since: String) {\n    addinJobCreated(since: $since) {\n      eventId\n      jobId\n      routingId\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  subscription LiveAddinJobCreated($since: String) {\n    addinJobCreated(since: $since) {\n      eventId\n      jobId\n      routingId\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LiveAddinJobUpdated($since: String) {\n    addinJobUpdated(since: $since) {\n      eventId\n      jobId\n      routingId\n      status\n      message\n      updatedAt\n    }\n  }\n"): (typeof documents)["\n  subscription LiveAddinJobUpdated($since: String) {\n    addinJobUpdated(since: $since) {\n      eventId\n      jobId\n      routingId\n      status\n      message\n      updatedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LiveRoutingApprovalChanged($since: String) {\n    routingApprovalChanged(since: $since) {\n      eventId\n      routingId\n      status\n      approvedBy\n      timestamp\n    }\n  }\n"): (typeof documents)["\n  subscription LiveRoutingApprovalChanged($since: String) {\n    routingApprovalChanged(since: $since) {\n      eventId\n      routingId\n      status\n      approvedBy\n      timestamp\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LiveNotificationAlert($since: String) {\n    notificationAlert(since: $since) {\n      eventId\n      type\n      title\n      message\n      severity\n    }\n  }\n"): (typeof documents)["\n  subscription LiveNotificationAlert($since: String) {\n    notificationAlert(since: $since) {\n      eventId\n      type\n      title\n      message\n      severity\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;