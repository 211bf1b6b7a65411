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
    "\n  query AddinJobCounts {\n    queued: addinJobs(status: QUEUED, first: 0) {\n      totalCount\n    }\n    running: addinJobs(status: RUNNING, first: 0) {\n      totalCount\n    }\n    completed: addinJobs(status: COMPLETED, first: 0) {\n      totalCount\n    }\n    failed: addinJobs(status: FAILED, first: 0) {\n      totalCount\n    }\n    cancelled: addinJobs(status: CANCELLED, first: 0) {\n      totalCount\n    }\n  }\n": typeof types.AddinJobCountsDocument,
    "\n  fragment AddinJobFields on AddinJob {\n    id\n    status\n    attempt\n    maxAttempts\n    agentId\n    leaseExpiresAt\n    progress\n    message\n    failureReason\n    createdBy\n    createdAt\n    claimedAt\n    updatedAt\n    finishedAt\n    retryOfId\n    parameters {\n      key\n      value\n    }\n    outputs {\n      name\n      size\n      sha256\n      uploadId\n      file {\n        id\n        routingId\n        logicalName\n        revision\n        downloadable\n        downloadUrl\n      }\n    }\n    routing {\n      id\n      code\n      title\n      owner {\n        id\n      }\n    }\n  }\n": typeof types.AddinJobFieldsFragmentDoc,
    "\n  query AddinJobsPage($routingId: ID, $status: AddinJobStatus, $first: Int!, $after: String) {\n    addinJobs(routingId: $routingId, status: $status, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...AddinJobFields\n        }\n      }\n    }\n  }\n": typeof types.AddinJobsPageDocument,
    "\n  mutation AddinRetryJob($id: ID!) {\n    retryAddinJob(id: $id) {\n      ...AddinJobFields\n    }\n  }\n": typeof types.AddinRetryJobDocument,
    "\n  mutation AddinCancelJob($id: ID!) {\n    cancelAddinJob(id: $id) {\n      ...AddinJobFields\n    }\n  }\n": typeof types.AddinCancelJobDocument,
    "\n  query AdminAddinKeys($agent: String!) {\n    addinKeys(agent: $agent) {\n      id\n      agent\n      prefix\n      createdAt\n      expiresAt\n      lastUsedAt\n    }\n  }\n": typeof types.AdminAddinKeysDocument,
    "\n  mutation AdminRenewAddinKey($agent: String!) {\n    renewAddinKey(agent: $agent) {\n      secret\n      key {\n        id\n        agent\n        prefix\n        createdAt\n        expiresAt\n        lastUsedAt\n      }\n      previous {\n        id\n        prefix\n        expiresAt\n      }\n    }\n  }\n": typeof types.AdminRenewAddinKeyDocument,
    "\n  query AdminParameterSet($scope: AddinParameterScope!, $targetId: ID!) {\n    addinParameterSet(scope: $scope, targetId: $targetId) {\n      scope\n      targetId\n      version\n      updatedBy\n      updatedAt\n      parameters {\n        key\n        value\n      }\n      versions {\n        version\n        savedBy\n        savedAt\n        parameters {\n          key\n          value\n        }\n      }\n    }\n  }\n": typeof types.AdminParameterSetDocument,
    "\n  query AdminEffectiveParameters($routingId: ID!) {\n    effectiveAddinParameters(routingId: $routingId) {\n      key\n      value\n    }\n  }\n": typeof types.AdminEffectiveParametersDocument,
    "\n  mutation AdminSaveParameterSet(\n    $scope: AddinParameterScope!\n    $targetId: ID!\n    $parameters: [KeyValueInput!]!\n    $expectedVersion: Int!\n  ) {\n    saveAddinParameterSet(scope: $scope, targetId: $targetId, parameters: $parameters, expectedVersion: $expectedVersion) {\n      scope\n      targetId\n      version\n      updatedBy\n      updatedAt\n      parameters {\n        key\n        value\n      }\n    }\n  }\n": typeof types.AdminSaveParameterSetDocument,
    "\n  query AdminParameterTargets($search: String, $first: Int!) {\n    items(search: $search, first: $first) {\n      totalCount\n      edges {\n        node {\n          id\n          itemCode\n          name\n          revisions(first: 200) {\n            edges {\n              node {\n                id\n                code\n                routings(first: 200) {\n                  edges {\n                    node {\n                      id\n                      code\n                      title\n                    }\n                  }\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.AdminParameterTargetsDocument,
    "\n  query AdminUserChoices {\n    users(first: 200) {\n      edges {\n        node {\n          id\n          username\n          displayName\n          role\n          isActive\n        }\n      }\n    }\n  }\n": typeof types.AdminUserChoicesDocument,
    "\n  query AdminApiTokens($userId: ID) {\n    apiTokens(userId: $userId) {\n      id\n      name\n      prefix\n      createdAt\n      lastUsedAt\n      revokedAt\n      user {\n        id\n        username\n        displayName\n      }\n    }\n  }\n": typeof types.AdminApiTokensDocument,
    "\n  mutation AdminCreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      secret\n      token {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n        revokedAt\n        user {\n          id\n          username\n          displayName\n        }\n      }\n    }\n  }\n": typeof types.AdminCreateApiTokenDocument,
    "\n  mutation AdminRevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      name\n      revokedAt\n    }\n  }\n": typeof types.AdminRevokeApiTokenDocument,
    "\n  fragment AdminUser on User {\n    id\n    username\n    displayName\n    role\n    isActive\n    createdAt\n  }\n": typeof types.AdminUserFragmentDoc,
    "\n  query AdminUsers($first: Int!, $after: String) {\n    users(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...AdminUser\n        }\n      }\n    }\n  }\n": typeof types.AdminUsersDocument,
    "\n  mutation AdminCreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      ...AdminUser\n    }\n  }\n": typeof types.AdminCreateUserDocument,
    "\n  mutation AdminChangeUserRole($id: ID!, $role: Role!) {\n    changeUserRole(id: $id, role: $role) {\n      id\n      username\n      role\n    }\n  }\n": typeof types.AdminChangeUserRoleDocument,
    "\n  mutation AdminDeactivateUser($id: ID!) {\n    deactivateUser(id: $id) {\n      id\n      username\n      isActive\n    }\n  }\n": typeof types.AdminDeactivateUserDocument,
    "\n  query AlertsPage {\n    alerts(first: 100) {\n      eventId\n      type\n      title\n      message\n      severity\n      routingId\n      createdAt\n    }\n  }\n": typeof types.AlertsPageDocument,
    "\n  query ApprovalsInbox($first: Int!, $after: String) {\n    routings(status: PENDING_APPROVAL, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          code\n          title\n          status\n          version\n          submittedAt\n          updatedAt\n          owner {\n            id\n            username\n            displayName\n          }\n          revision {\n            id\n            code\n            item {\n              id\n              itemCode\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.ApprovalsInboxDocument,
    "\n  mutation ApprovalsApprove($id: ID!, $comment: String) {\n    approveRouting(id: $id, comment: $comment) {\n      id\n      status\n      version\n    }\n  }\n": typeof types.ApprovalsApproveDocument,
    "\n  mutation ApprovalsReject($id: ID!, $reason: String!, $comment: String) {\n    rejectRouting(id: $id, reason: $reason, comment: $comment) {\n      id\n      status\n      version\n    }\n  }\n": typeof types.ApprovalsRejectDocument,
    "\n  query Me {\n    me {\n      id\n      username\n      displayName\n      role\n    }\n  }\n": typeof types.MeDocument,
    "\n  mutation ExplorerCreateItem($input: CreateItemInput!) {\n    createItem(input: $input) {\n      id\n      itemCode\n      name\n    }\n  }\n": typeof types.ExplorerCreateItemDocument,
    "\n  mutation ExplorerCreateRevision($itemId: ID!, $input: CreateRevisionInput!) {\n    createRevision(itemId: $itemId, input: $input) {\n      id\n      code\n    }\n  }\n": typeof types.ExplorerCreateRevisionDocument,
    "\n  mutation ExplorerCreateRouting($revisionId: ID!, $input: CreateRoutingInput!) {\n    createRouting(revisionId: $revisionId, input: $input) {\n      id\n      ...ExplorerRouting\n    }\n  }\n": typeof types.ExplorerCreateRoutingDocument,
    "\n  fragment ExplorerRouting on Routing {\n    id\n    code\n    title\n    status\n    generationStatus\n  }\n": typeof types.ExplorerRoutingFragmentDoc,
    "\n  fragment ExplorerRevision on Revision {\n    id\n    code\n    routings(status: $status, first: 100) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          ...ExplorerRouting\n        }\n      }\n    }\n  }\n": typeof types.ExplorerRevisionFragmentDoc,
    "\n  fragment ExplorerItem on Item {\n    id\n    itemCode\n    name\n    revisions(first: 50) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          ...ExplorerRevision\n        }\n      }\n    }\n  }\n": typeof types.ExplorerItemFragmentDoc,
    "\n  query ExplorerItems($search: String, $status: RoutingStatus, $first: Int!, $after: String) {\n    items(search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          ...ExplorerItem\n        }\n      }\n    }\n  }\n": typeof types.ExplorerItemsDocument,
    "\n  query ExplorerItemRevisions($id: ID!, $status: RoutingStatus, $first: Int!, $after: String) {\n    item(id: $id) {\n      id\n      revisions(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            id\n            ...ExplorerRevision\n          }\n        }\n      }\n    }\n  }\n": typeof types.ExplorerItemRevisionsDocument,
    "\n  query ExplorerRevisionRoutings($id: ID!, $status: RoutingStatus, $first: Int!, $after: String) {\n    revision(id: $id) {\n      id\n      routings(status: $status, first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            id\n            ...ExplorerRouting\n          }\n        }\n      }\n    }\n  }\n": typeof types.ExplorerRevisionRoutingsDocument,
    "\n  query ExplorerRoutingRow($id: ID!) {\n    routing(id: $id) {\n      id\n      ...ExplorerRouting\n      revision {\n        id\n      }\n    }\n  }\n": typeof types.ExplorerRoutingRowDocument,
    "\n  fragment FilesTabFile on File {\n    id\n    logicalName\n    revision\n    size\n    sha256\n    scanStatus\n    scanDetail\n    downloadable\n    downloadUrl\n    addinJobId\n    uploadedAt\n  }\n": typeof types.FilesTabFileFragmentDoc,
    "\n  query FilesTab($id: ID!) {\n    routing(id: $id) {\n      id\n      files {\n        ...FilesTabFile\n      }\n    }\n  }\n": typeof types.FilesTabDocument,
    "\n  query FilesUploadSession($id: ID!) {\n    uploadSession(id: $id) {\n      id\n      status\n      size\n      offset\n      failureReason\n      file {\n        id\n        scanStatus\n        scanDetail\n      }\n    }\n  }\n": typeof types.FilesUploadSessionDocument,
    "\n  mutation WorkspaceSubmitRouting($id: ID!) {\n    submitRouting(id: $id) {\n      ...WorkspaceRoutingFields\n    }\n  }\n": typeof types.WorkspaceSubmitRoutingDocument,
    "\n  mutation WorkspaceApproveRouting($id: ID!, $comment: String) {\n    approveRouting(id: $id, comment: $comment) {\n      ...WorkspaceRoutingFields\n    }\n  }\n": typeof types.WorkspaceApproveRoutingDocument,
    "\n  mutation WorkspaceRejectRouting($id: ID!, $reason: String!, $comment: String) {\n    rejectRouting(id: $id, reason: $reason, comment: $comment) {\n      ...WorkspaceRoutingFields\n    }\n  }\n": typeof types.WorkspaceRejectRoutingDocument,
    "\n  fragment WorkspaceRoutingFields on Routing {\n    id\n    code\n    title\n    description\n    status\n    version\n    camRevision\n    generationStatus\n    lastAddinJobId\n    lastGeneratedAt\n    submittedAt\n    approvedAt\n    createdAt\n    updatedAt\n    owner {\n      id\n      username\n      displayName\n    }\n    approvedBy {\n      id\n      username\n      displayName\n    }\n    revision {\n      id\n      code\n      item {\n        id\n        itemCode\n        name\n      }\n    }\n    steps {\n      id\n      sequence\n      name\n      workCenter\n      machine\n      description\n      setupMinutes\n      cycleMinutes\n      toolingNotes\n      parameters {\n        key\n        value\n      }\n    }\n  }\n": typeof types.WorkspaceRoutingFieldsFragmentDoc,
    "\n  query RoutingWorkspace($id: ID!) {\n    routing(id: $id) {\n      ...WorkspaceRoutingFields\n    }\n  }\n": typeof types.RoutingWorkspaceDocument,
    "\n  mutation WorkspaceSaveRouting($id: ID!, $input: UpdateRoutingInput!, $expectedVersion: Int!) {\n    updateRouting(id: $id, input: $input, expectedVersion: $expectedVersion) {\n      ...WorkspaceRoutingFields\n    }\n  }\n": typeof types.WorkspaceSaveRoutingDocument,
    "\n  query WorkspaceHistory($id: ID!, $first: Int!, $after: String) {\n    routing(id: $id) {\n      id\n      history(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            id\n            type\n            actor\n            at\n            message\n            data\n          }\n        }\n      }\n    }\n  }\n": typeof types.WorkspaceHistoryDocument,
    "\n  subscription LiveAddinJobCreated($since: String) {\n    addinJobCreated(since: $since) {\n      eventId\n      jobId\n      routingId\n      createdAt\n    }\n  }\n": typeof types.LiveAddinJobCreatedDocument,
    "\n  subscription LiveAddinJobUpdated($since: String) {\n    addinJobUpdated(since: $since) {\n      eventId\n      jobId\n      routingId\n      status\n      message\n      updatedAt\n    }\n  }\n": typeof types.LiveAddinJobUpdatedDocument,
    "\n  subscription LiveRoutingApprovalChanged($since: String) {\n    routingApprovalChanged(since: $since) {\n      eventId\n      routingId\n      status\n      approvedBy\n      timestamp\n    }\n  }\n": typeof types.LiveRoutingApprovalChangedDocument,
    "\n  subscription LiveFileCommitted($since: String) {\n    fileCommitted(since: $since) {\n      eventId\n      fileId\n      routingId\n      logicalName\n      revision\n      size\n      sha256\n      scanStatus\n    }\n  }\n": typeof types.LiveFileCommittedDocument,
    "\n  subscription LiveNotificationAlert($since: String) {\n    notificationAlert(since: $since) {\n      eventId\n      type\n      title\n      message\n      severity\n    }\n  }\n": typeof types.LiveNotificationAlertDocument,
};
const documents: Documents = {
    "\n  query AddinJobCounts {\n    queued: addinJobs(status: QUEUED, first: 0) {\n      totalCount\n    }\n    running: addinJobs(status: RUNNING, first: 0) {\n      totalCount\n    }\n    completed: addinJobs(status: COMPLETED, first: 0) {\n      totalCount\n    }\n    failed: addinJobs(status: FAILED, first: 0) {\n      totalCount\n    }\n    cancelled: addinJobs(status: CANCELLED, first: 0) {\n      totalCount\n    }\n  }\n": types.AddinJobCountsDocument,
    "\n  fragment AddinJobFields on AddinJob {\n    id\n    status\n    attempt\n    maxAttempts\n    agentId\n    leaseExpiresAt\n    progress\n    message\n    failureReason\n    createdBy\n    createdAt\n    claimedAt\n    updatedAt\n    finishedAt\n    retryOfId\n    parameters {\n      key\n      value\n    }\n    outputs {\n      name\n      size\n      sha256\n      uploadId\n      file {\n        id\n        routingId\n        logicalName\n        revision\n        downloadable\n        downloadUrl\n      }\n    }\n    routing {\n      id\n      code\n      title\n      owner {\n        id\n      }\n    }\n  }\n": types.AddinJobFieldsFragmentDoc,
    "\n  query AddinJobsPage($routingId: ID, $status: AddinJobStatus, $first: Int!, $after: String) {\n    addinJobs(routingId: $routingId, status: $status, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...AddinJobFields\n        }\n      }\n    }\n  }\n": types.AddinJobsPageDocument,
    "\n  mutation AddinRetryJob($id: ID!) {\n    retryAddinJob(id: $id) {\n      ...AddinJobFields\n    }\n  }\n": types.AddinRetryJobDocument,
    "\n  mutation AddinCancelJob($id: ID!) {\n    cancelAddinJob(id: $id) {\n      ...AddinJobFields\n    }\n  }\n": types.AddinCancelJobDocument,
    "\n  query AdminAddinKeys($agent: String!) {\n    addinKeys(agent: $agent) {\n      id\n      agent\n      prefix\n      createdAt\n      expiresAt\n      lastUsedAt\n    }\n  }\n": types.AdminAddinKeysDocument,
    "\n  mutation AdminRenewAddinKey($agent: String!) {\n    renewAddinKey(agent: $agent) {\n      secret\n      key {\n        id\n        agent\n        prefix\n        createdAt\n        expiresAt\n        lastUsedAt\n      }\n      previous {\n        id\n        prefix\n        expiresAt\n      }\n    }\n  }\n": types.AdminRenewAddinKeyDocument,
    "\n  query AdminParameterSet($scope: AddinParameterScope!, $targetId: ID!) {\n    addinParameterSet(scope: $scope, targetId: $targetId) {\n      scope\n      targetId\n      version\n      updatedBy\n      updatedAt\n      parameters {\n        key\n        value\n      }\n      versions {\n        version\n        savedBy\n        savedAt\n        parameters {\n          key\n          value\n        }\n      }\n    }\n  }\n": types.AdminParameterSetDocument,
    "\n  query AdminEffectiveParameters($routingId: ID!) {\n    effectiveAddinParameters(routingId: $routingId) {\n      key\n      value\n    }\n  }\n": types.AdminEffectiveParametersDocument,
    "\n  mutation AdminSaveParameterSet(\n    $scope: AddinParameterScope!\n    $targetId: ID!\n    $parameters: [KeyValueInput!]!\n    $expectedVersion: Int!\n  ) {\n    saveAddinParameterSet(scope: $scope, targetId: $targetId, parameters: $parameters, expectedVersion: $expectedVersion) {\n      scope\n      targetId\n      version\n      updatedBy\n      updatedAt\n      parameters {\n        key\n        value\n      }\n    }\n  }\n": types.AdminSaveParameterSetDocument,
    "\n  query AdminParameterTargets($search: String, $first: Int!) {\n    items(search: $search, first: $first) {\n      totalCount\n      edges {\n        node {\n          id\n          itemCode\n          name\n          revisions(first: 200) {\n            edges {\n              node {\n                id\n                code\n                routings(first: 200) {\n                  edges {\n                    node {\n                      id\n                      code\n                      title\n                    }\n                  }\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": types.AdminParameterTargetsDocument,
    "\n  query AdminUserChoices {\n    users(first: 200) {\n      edges {\n        node {\n          id\n          username\n          displayName\n          role\n          isActive\n        }\n      }\n    }\n  }\n": types.AdminUserChoicesDocument,
    "\n  query AdminApiTokens($userId: ID) {\n    apiTokens(userId: $userId) {\n      id\n      name\n      prefix\n      createdAt\n      lastUsedAt\n      revokedAt\n      user {\n        id\n        username\n        displayName\n      }\n    }\n  }\n": types.AdminApiTokensDocument,
    "\n  mutation AdminCreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      secret\n      token {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n        revokedAt\n        user {\n          id\n          username\n          displayName\n        }\n      }\n    }\n  }\n": types.AdminCreateApiTokenDocument,
    "\n  mutation AdminRevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      name\n      revokedAt\n    }\n  }\n": types.AdminRevokeApiTokenDocument,
    "\n  fragment AdminUser on User {\n    id\n    username\n    displayName\n    role\n    isActive\n    createdAt\n  }\n": types.AdminUserFragmentDoc,
    "\n  query AdminUsers($first: Int!, $after: String) {\n    users(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...AdminUser\n        }\n      }\n    }\n  }\n": types.AdminUsersDocument,
    "\n  mutation AdminCreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      ...AdminUser\n    }\n  }\n": types.AdminCreateUserDocument,
    "\n  mutation AdminChangeUserRole($id: ID!, $role: Role!) {\n    changeUserRole(id: $id, role: $role) {\n      id\n      username\n      role\n    }\n  }\n": types.AdminChangeUserRoleDocument,
    "\n  mutation AdminDeactivateUser($id: ID!) {\n    deactivateUser(id: $id) {\n      id\n      username\n      isActive\n    }\n  }\n": types.AdminDeactivateUserDocument,
    "\n  query AlertsPage {\n    alerts(first: 100) {\n      eventId\n      type\n      title\n      message\n      severity\n      routingId\n      createdAt\n    }\n  }\n": types.AlertsPageDocument,
    "\n  query ApprovalsInbox($first: Int!, $after: String) {\n    routings(status: PENDING_APPROVAL, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          code\n          title\n          status\n          version\n          submittedAt\n          updatedAt\n          owner {\n            id\n            username\n            displayName\n          }\n          revision {\n            id\n            code\n            item {\n              id\n              itemCode\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n": types.ApprovalsInboxDocument,
    "\n  mutation ApprovalsApprove($id: ID!, $comment: String) {\n    approveRouting(id: $id, comment: $comment) {\n      id\n      status\n      version\n    }\n  }\n": types.ApprovalsApproveDocument,
    "\n  mutation ApprovalsReject($id: ID!, $reason: String!, $comment: String) {\n    rejectRouting(id: $id, reason: $reason, comment: $comment) {\n      id\n      status\n      version\n    }\n  }\n": types.ApprovalsRejectDocument,
    "\n  query Me {\n    me {\n      id\n      username\n      displayName\n      role\n    }\n  }\n": types.MeDocument,
    "\n  mutation ExplorerCreateItem($input: CreateItemInput!) {\n    createItem(input: $input) {\n      id\n      itemCode\n      name\n    }\n  }\n": types.ExplorerCreateItemDocument,
    "\n  mutation ExplorerCreateRevision($itemId: ID!, $input: CreateRevisionInput!) {\n    createRevision(itemId: $itemId, input: $input) {\n      id\n      code\n    }\n  }\n": types.ExplorerCreateRevisionDocument,
    "\n  mutation ExplorerCreateRouting($revisionId: ID!, $input: CreateRoutingInput!) {\n    createRouting(revisionId: $revisionId, input: $input) {\n      id\n      ...ExplorerRouting\n    }\n  }\n": types.ExplorerCreateRoutingDocument,
    "\n  fragment ExplorerRouting on Routing {\n    id\n    code\n    title\n    status\n    generationStatus\n  }\n": types.ExplorerRoutingFragmentDoc,
    "\n  fragment ExplorerRevision on Revision {\n    id\n    code\n    routings(status: $status, first: 100) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          ...ExplorerRouting\n        }\n      }\n    }\n  }\n": types.ExplorerRevisionFragmentDoc,
    "\n  fragment ExplorerItem on Item {\n    id\n    itemCode\n    name\n    revisions(first: 50) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          ...ExplorerRevision\n        }\n      }\n    }\n  }\n": types.ExplorerItemFragmentDoc,
    "\n  query ExplorerItems($search: String, $status: RoutingStatus, $first: Int!, $after: String) {\n    items(search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          ...ExplorerItem\n        }\n      }\n    }\n  }\n": types.ExplorerItemsDocument,
    "\n  query ExplorerItemRevisions($id: ID!, $status: RoutingStatus, $first: Int!, $after: String) {\n    item(id: $id) {\n      id\n      revisions(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            id\n            ...ExplorerRevision\n          }\n        }\n      }\n    }\n  }\n": types.ExplorerItemRevisionsDocument,
    "\n  query ExplorerRevisionRoutings($id: ID!, $status: RoutingStatus, $first: Int!, $after: String) {\n    revision(id: $id) {\n      id\n      routings(status: $status, first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            id\n            ...ExplorerRouting\n          }\n        }\n      }\n    }\n  }\n": types.ExplorerRevisionRoutingsDocument,
    "\n  query ExplorerRoutingRow($id: ID!) {\n    routing(id: $id) {\n      id\n      ...ExplorerRouting\n      revision {\n        id\n      }\n    }\n  }\n": types.ExplorerRoutingRowDocument,
    "\n  fragment FilesTabFile on File {\n    id\n    logicalName\n    revision\n    size\n    sha256\n    scanStatus\n    scanDetail\n    downloadable\n    downloadUrl\n    addinJobId\n    uploadedAt\n  }\n": types.FilesTabFileFragmentDoc,
    "\n  query FilesTab($id: ID!) {\n    routing(id: $id) {\n      id\n      files {\n        ...FilesTabFile\n      }\n    }\n  }\n": types.FilesTabDocument,
    "\n  query FilesUploadSession($id: ID!) {\n    uploadSession(id: $id) {\n      id\n      status\n      size\n      offset\n      failureReason\n      file {\n        id\n        scanStatus\n        scanDetail\n      }\n    }\n  }\n": types.FilesUploadSessionDocument,
    "\n  mutation WorkspaceSubmitRouting($id: ID!) {\n    submitRouting(id: $id) {\n      ...WorkspaceRoutingFields\n    }\n  }\n": types.WorkspaceSubmitRoutingDocument,
    "\n  mutation WorkspaceApproveRouting($id: ID!, $comment: String) {\n    approveRouting(id: $id, comment: $comment) {\n      ...WorkspaceRoutingFields\n    }\n  }\n": types.WorkspaceApproveRoutingDocument,
    "\n  mutation WorkspaceRejectRouting($id: ID!, $reason: String!, $comment: String) {\n    rejectRouting(id: $id, reason: $reason, comment: $comment) {\n      ...WorkspaceRoutingFields\n    }\n  }\n": types.WorkspaceRejectRoutingDocument,
    "\n  fragment WorkspaceRoutingFields on Routing {\n    id\n    code\n    title\n    description\n    status\n    version\n    camRevision\n    generationStatus\n    lastAddinJobId\n    lastGeneratedAt\n    submittedAt\n    approvedAt\n    createdAt\n    updatedAt\n    owner {\n      id\n      username\n      displayName\n    }\n    approvedBy {\n      id\n      username\n      displayName\n    }\n    revision {\n      id\n      code\n      item {\n        id\n        itemCode\n        name\n      }\n    }\n    steps {\n      id\n      sequence\n      name\n      workCenter\n      machine\n      description\n      setupMinutes\n      cycleMinutes\n      toolingNotes\n      parameters {\n        key\n        value\n      }\n    }\n  }\n": types.WorkspaceRoutingFieldsFragmentDoc,
    "\n  query RoutingWorkspace($id: ID!) {\n    routing(id: $id) {\n      ...WorkspaceRoutingFields\n    }\n  }\n": types.RoutingWorkspaceDocument,
    "\n  mutation WorkspaceSaveRouting($id: ID!, $input: UpdateRoutingInput!, $expectedVersion: Int!) {\n    updateRouting(id: $id, input: $input, expectedVersion: $expectedVersion) {\n      ...WorkspaceRoutingFields\n    }\n  }\n": types.WorkspaceSaveRoutingDocument,
    "\n  query WorkspaceHistory($id: ID!, $first: Int!, $after: String) {\n    routing(id: $id) {\n      id\n      history(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            id\n            type\n            actor\n            at\n            message\n            data\n          }\n        }\n      }\n    }\n  }\n": types.WorkspaceHistoryDocument,
    "\n  subscription LiveAddinJobCreated($since: String) {\n    addinJobCreated(since: $since) {\n      eventId\n      jobId\n      routingId\n      createdAt\n    }\n  }\n": types.LiveAddinJobCreatedDocument,
    "\n  subscription LiveAddinJobUpdated($since: String) {\n    addinJobUpdated(since: $since) {\n      eventId\n      jobId\n      routingId\n      status\n      message\n      updatedAt\n    }\n  }\n": types.LiveAddinJobUpdatedDocument,
    "\n  subscription LiveRoutingApprovalChanged($since: String) {\n    routingApprovalChanged(since: $since) {\n      eventId\n      routingId\n      status\n      approvedBy\n      timestamp\n    }\n  }\n": types.LiveRoutingApprovalChangedDocument,
    "\n  subscription LiveFileCommitted($since: String) {\n    fileCommitted(since: $since) {\n      eventId\n      fileId\n      routingId\n      logicalName\n      revision\n      size\n      sha256\n      scanStatus\n    }\n  }\n": types.LiveFileCommittedDocument,
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
export function graphql(source: "\n  query AddinJobCounts {\n    queued: addinJobs(status: QUEUED, first: 0) {\n      totalCount\n    }\n    running: addinJobs(status: RUNNING, first: 0) {\n      totalCount\n    }\n    completed: addinJobs(status: COMPLETED, first: 0) {\n      totalCount\n    }\n    failed: addinJobs(status: FAILED, first: 0) {\n      totalCount\n    }\n    cancelled: addinJobs(status: CANCELLED, first: 0) {\n      totalCount\n    }\n  }\n"): (typeof documents)["\n  query AddinJobCounts {\n    queued: addinJobs(status: QUEUED, first: 0) {\n      totalCount\n    }\n    running: addinJobs(status: RUNNING, first: 0) {\n      totalCount\n    }\n    completed: addinJobs(status: COMPLETED, first: 0) {\n      totalCount\n    }\n    failed: addinJobs(status: FAILED, first: 0) {\n      totalCount\n    }\n    cancelled: addinJobs(status: CANCELLED, first: 0) {\n      totalCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AddinJobFields on AddinJob {\n    id\n    status\n    attempt\n    maxAttempts\n    agentId\n    leaseExpiresAt\n    progress\n    message\n    failureReason\n    createdBy\n    createdAt\n    claimedAt\n    updatedAt\n    finishedAt\n    retryOfId\n    parameters {\n      key\n      value\n    }\n    outputs {\n      name\n      size\n      sha256\n      uploadId\n      file {\n        id\n        routingId\n        logicalName\n        revision\n        downloadable\n        downloadUrl\n      }\n    }\n    routing {\n      id\n      code\n      title\n      owner {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment AddinJobFields on AddinJob {\n    id\n    status\n    attempt\n    maxAttempts\n    agentId\n    leaseExpiresAt\n    progress\n    message\n    failureReason\n    createdBy\n    createdAt\n    claimedAt\n    updatedAt\n    finishedAt\n    retryOfId\n    parameters {\n      key\n      value\n    }\n    outputs {\n      name\n      size\n      sha256\n      uploadId\n      file {\n        id\n        routingId\n        logicalName\n        revision\n        downloadable\n        downloadUrl\n      }\n    }\n    routing {\n      id\n      code\n      title\n      owner {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AddinJobsPage($routingId: ID, $status: AddinJobStatus, $first: Int!, $after: String) {\n    addinJobs(routingId: $routingId, status: $status, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...AddinJobFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AddinJobsPage($routingId: ID, $status: AddinJobStatus, $first: Int!, $after: String) {\n    addinJobs(routingId: $routingId, status: $status, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...AddinJobFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddinRetryJob($id: ID!) {\n    retryAddinJob(id: $id) {\n      ...AddinJobFields\n    }\n  }\n"): (typeof documents)["\n  mutation AddinRetryJob($id: ID!) {\n    retryAddinJob(id: $id) {\n      ...AddinJobFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddinCancelJob($id: ID!) {\n    cancelAddinJob(id: $id) {\n      ...AddinJobFields\n    }\n  }\n"): (typeof documents)["\n  mutation AddinCancelJob($id: ID!) {\n    cancelAddinJob(id: $id) {\n      ...AddinJobFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminAddinKeys($agent: String!) {\n    addinKeys(agent: $agent) {\n      id\n      agent\n      prefix\n      createdAt\n      expiresAt\n      lastUsedAt\n    }\n  }\n"): (typeof documents)["\n  query AdminAddinKeys($agent: String!) {\n    addinKeys(agent: $agent) {\n      id\n      agent\n      prefix\n      createdAt\n      expiresAt\n      lastUsedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminRenewAddinKey($agent: String!) {\n    renewAddinKey(agent: $agent) {\n      secret\n      key {\n        id\n        agent\n        prefix\n        createdAt\n        expiresAt\n        lastUsedAt\n      }\n      previous {\n        id\n        prefix\n        expiresAt\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AdminRenewAddinKey($agent: String!) {\n    renewAddinKey(agent: $agent) {\n      secret\n      key {\n        id\n        agent\n        prefix\n        createdAt\n        expiresAt\n        lastUsedAt\n      }\n      previous {\n        id\n        prefix\n        expiresAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminParameterSet($scope: AddinParameterScope!, $targetId: ID!) {\n    addinParameterSet(scope: $scope, targetId: $targetId) {\n      scope\n      targetId\n      version\n      updatedBy\n      updatedAt\n      parameters {\n        key\n        value\n      }\n      versions {\n        version\n        savedBy\n        savedAt\n        parameters {\n          key\n          value\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminParameterSet($scope: AddinParameterScope!, $targetId: ID!) {\n    addinParameterSet(scope: $scope, targetId: $targetId) {\n      scope\n      targetId\n      version\n      updatedBy\n      updatedAt\n      parameters {\n        key\n        value\n      }\n      versions {\n        version\n        savedBy\n        savedAt\n        parameters {\n          key\n          value\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminEffectiveParameters($routingId: ID!) {\n    effectiveAddinParameters(routingId: $routingId) {\n      key\n      value\n    }\n  }\n"): (typeof documents)["\n  query AdminEffectiveParameters($routingId: ID!) {\n    effectiveAddinParameters(routingId: $routingId) {\n      key\n      value\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminSaveParameterSet(\n    $scope: AddinParameterScope!\n    $targetId: ID!\n    $parameters: [KeyValueInput!]!\n    $expectedVersion: Int!\n  ) {\n    saveAddinParameterSet(scope: $scope, targetId: $targetId, parameters: $parameters, expectedVersion: $expectedVersion) {\n      scope\n      targetId\n      version\n      updatedBy\n      updatedAt\n      parameters {\n        key\n        value\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AdminSaveParameterSet(\n    $scope: AddinParameterScope!\n    $targetId: ID!\n    $parameters: [KeyValueInput!]!\n    $expectedVersion: Int!\n  ) {\n    saveAddinParameterSet(scope: $scope, targetId: $targetId, parameters: $parameters, expectedVersion: $expectedVersion) {\n      scope\n      targetId\n      version\n      updatedBy\n      updatedAt\n      parameters {\n        key\n        value\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminParameterTargets($search: String, $first: Int!) {\n    items(search: $search, first: $first) {\n      totalCount\n      edges {\n        node {\n          id\n          itemCode\n          name\n          revisions(first: 200) {\n            edges {\n              node {\n                id\n                code\n                routings(first: 200) {\n                  edges {\n                    node {\n                      id\n                      code\n                      title\n                    }\n                  }\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminParameterTargets($search: String, $first: Int!) {\n    items(search: $search, first: $first) {\n      totalCount\n      edges {\n        node {\n          id\n          itemCode\n          name\n          revisions(first: 200) {\n            edges {\n              node {\n                id\n                code\n                routings(first: 200) {\n                  edges {\n                    node {\n                      id\n                      code\n                      title\n                    }\n                  }\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminUserChoices {\n    users(first: 200) {\n      edges {\n        node {\n          id\n          username\n          displayName\n          role\n          isActive\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminUserChoices {\n    users(first: 200) {\n      edges {\n        node {\n          id\n          username\n          displayName\n          role\n          isActive\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminApiTokens($userId: ID) {\n    apiTokens(userId: $userId) {\n      id\n      name\n      prefix\n      createdAt\n      lastUsedAt\n      revokedAt\n      user {\n        id\n        username\n        displayName\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminApiTokens($userId: ID) {\n    apiTokens(userId: $userId) {\n      id\n      name\n      prefix\n      createdAt\n      lastUsedAt\n      revokedAt\n      user {\n        id\n        username\n        displayName\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminCreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      secret\n      token {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n        revokedAt\n        user {\n          id\n          username\n          displayName\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AdminCreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      secret\n      token {\n        id\n        name\n        prefix\n        createdAt\n        lastUsedAt\n        revokedAt\n        user {\n          id\n          username\n          displayName\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminRevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      name\n      revokedAt\n    }\n  }\n"): (typeof documents)["\n  mutation AdminRevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      name\n      revokedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AdminUser on User {\n    id\n    username\n    displayName\n    role\n    isActive\n    createdAt\n  }\n"): (typeof documents)["\n  fragment AdminUser on User {\n    id\n    username\n    displayName\n    role\n    isActive\n    createdAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminUsers($first: Int!, $after: String) {\n    users(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...AdminUser\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminUsers($first: Int!, $after: String) {\n    users(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...AdminUser\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminCreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      ...AdminUser\n    }\n  }\n"): (typeof documents)["\n  mutation AdminCreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      ...AdminUser\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminChangeUserRole($id: ID!, $role: Role!) {\n    changeUserRole(id: $id, role: $role) {\n      id\n      username\n      role\n    }\n  }\n"): (typeof documents)["\n  mutation AdminChangeUserRole($id: ID!, $role: Role!) {\n    changeUserRole(id: $id, role: $role) {\n      id\n      username\n      role\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminDeactivateUser($id: ID!) {\n    deactivateUser(id: $id) {\n      id\n      username\n      isActive\n    }\n  }\n"): (typeof documents)["\n  mutation AdminDeactivateUser($id: ID!) {\n    deactivateUser(id: $id) {\n      id\n      username\n      isActive\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AlertsPage {\n    alerts(first: 100) {\n      eventId\n      type\n      title\n      message\n      severity\n      routingId\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  query AlertsPage {\n    alerts(first: 100) {\n      eventId\n      type\n      title\n      message\n      severity\n      routingId\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApprovalsInbox($first: Int!, $after: String) {\n    routings(status: PENDING_APPROVAL, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          code\n          title\n          status\n          version\n          submittedAt\n          updatedAt\n          owner {\n            id\n            username\n            displayName\n          }\n          revision {\n            id\n            code\n            item {\n              id\n              itemCode\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ApprovalsInbox($first: Int!, $after: String) {\n    routings(status: PENDING_APPROVAL, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          code\n          title\n          status\n          version\n          submittedAt\n          updatedAt\n          owner {\n            id\n            username\n            displayName\n          }\n          revision {\n            id\n            code\n            item {\n              id\n              itemCode\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ApprovalsApprove($id: ID!, $comment: String) {\n    approveRouting(id: $id, comment: $comment) {\n      id\n      status\n      version\n    }\n  }\n"): (typeof documents)["\n  mutation ApprovalsApprove($id: ID!, $comment: String) {\n    approveRouting(id: $id, comment: $comment) {\n      id\n      status\n      version\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ApprovalsReject($id: ID!, $reason: String!, $comment: String) {\n    rejectRouting(id: $id, reason: $reason, comment: $comment) {\n      id\n      status\n      version\n    }\n  }\n"): (typeof documents)["\n  mutation ApprovalsReject($id: ID!, $reason: String!, $comment: String) {\n    rejectRouting(id: $id, reason: $reason, comment: $comment) {\n      id\n      status\n      version\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      username\n      displayName\n      role\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      id\n      username\n      displayName\n      role\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ExplorerCreateItem($input: CreateItemInput!) {\n    createItem(input: $input) {\n      id\n      itemCode\n      name\n    }\n  }\n"): (typeof documents)["\n  mutation ExplorerCreateItem($input: CreateItemInput!) {\n    createItem(input: $input) {\n      id\n      itemCode\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ExplorerCreateRevision($itemId: ID!, $input: CreateRevisionInput!) {\n    createRevision(itemId: $itemId, input: $input) {\n      id\n      code\n    }\n  }\n"): (typeof documents)["\n  mutation ExplorerCreateRevision($itemId: ID!, $input: CreateRevisionInput!) {\n    createRevision(itemId: $itemId, input: $input) {\n      id\n      code\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ExplorerCreateRouting($revisionId: ID!, $input: CreateRoutingInput!) {\n    createRouting(revisionId: $revisionId, input: $input) {\n      id\n      ...ExplorerRouting\n    }\n  }\n"): (typeof documents)["\n  mutation ExplorerCreateRouting($revisionId: ID!, $input: CreateRoutingInput!) {\n    createRouting(revisionId: $revisionId, input: $input) {\n      id\n      ...ExplorerRouting\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ExplorerRouting on Routing {\n    id\n    code\n    title\n    status\n    generationStatus\n  }\n"): (typeof documents)["\n  fragment ExplorerRouting on Routing {\n    id\n    code\n    title\n    status\n    generationStatus\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ExplorerRevision on Revision {\n    id\n    code\n    routings(status: $status, first: 100) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          ...ExplorerRouting\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment ExplorerRevision on Revision {\n    id\n    code\n    routings(status: $status, first: 100) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          ...ExplorerRouting\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ExplorerItem on Item {\n    id\n    itemCode\n    name\n    revisions(first: 50) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          ...ExplorerRevision\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment ExplorerItem on Item {\n    id\n    itemCode\n    name\n    revisions(first: 50) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          ...ExplorerRevision\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ExplorerItems($search: String, $status: RoutingStatus, $first: Int!, $after: String) {\n    items(search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          ...ExplorerItem\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ExplorerItems($search: String, $status: RoutingStatus, $first: Int!, $after: String) {\n    items(search: $search, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          ...ExplorerItem\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ExplorerItemRevisions($id: ID!, $status: RoutingStatus, $first: Int!, $after: String) {\n    item(id: $id) {\n      id\n      revisions(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            id\n            ...ExplorerRevision\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ExplorerItemRevisions($id: ID!, $status: RoutingStatus, $first: Int!, $after: String) {\n    item(id: $id) {\n      id\n      revisions(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            id\n            ...ExplorerRevision\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ExplorerRevisionRoutings($id: ID!, $status: RoutingStatus, $first: Int!, $after: String) {\n    revision(id: $id) {\n      id\n      routings(status: $status, first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            id\n            ...ExplorerRouting\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ExplorerRevisionRoutings($id: ID!, $status: RoutingStatus, $first: Int!, $after: String) {\n    revision(id: $id) {\n      id\n      routings(status: $status, first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            id\n            ...ExplorerRouting\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ExplorerRoutingRow($id: ID!) {\n    routing(id: $id) {\n      id\n      ...ExplorerRouting\n      revision {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  query ExplorerRoutingRow($id: ID!) {\n    routing(id: $id) {\n      id\n      ...ExplorerRouting\n      revision {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment FilesTabFile on File {\n    id\n    logicalName\n    revision\n    size\n    sha256\n    scanStatus\n    scanDetail\n    downloadable\n    downloadUrl\n    addinJobId\n    uploadedAt\n  }\n"): (typeof documents)["\n  fragment FilesTabFile on File {\n    id\n    logicalName\n    revision\n    size\n    sha256\n    scanStatus\n    scanDetail\n    downloadable\n    downloadUrl\n    addinJobId\n    uploadedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FilesTab($id: ID!) {\n    routing(id: $id) {\n      id\n      files {\n        ...FilesTabFile\n      }\n    }\n  }\n"): (typeof documents)["\n  query FilesTab($id: ID!) {\n    routing(id: $id) {\n      id\n      files {\n        ...FilesTabFile\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FilesUploadSession($id: ID!) {\n    uploadSession(id: $id) {\n      id\n      status\n      size\n      offset\n      failureReason\n      file {\n        id\n        scanStatus\n        scanDetail\n      }\n    }\n  }\n"): (typeof documents)["\n  query FilesUploadSession($id: ID!) {\n    uploadSession(id: $id) {\n      id\n      status\n      size\n      offset\n      failureReason\n      file {\n        id\n        scanStatus\n        scanDetail\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WorkspaceSubmitRouting($id: ID!) {\n    submitRouting(id: $id) {\n      ...WorkspaceRoutingFields\n    }\n  }\n"): (typeof documents)["\n  mutation WorkspaceSubmitRouting($id: ID!) {\n    submitRouting(id: $id) {\n      ...WorkspaceRoutingFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WorkspaceApproveRouting($id: ID!, $comment: String) {\n    approveRouting(id: $id, comment: $comment) {\n      ...WorkspaceRoutingFields\n    }\n  }\n"): (typeof documents)["\n  mutation WorkspaceApproveRouting($id: ID!, $comment: String) {\n    approveRouting(id: $id, comment: $comment) {\n      ...WorkspaceRoutingFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WorkspaceRejectRouting($id: ID!, $reason: String!, $comment: String) {\n    rejectRouting(id: $id, reason: $reason, comment: $comment) {\n      ...WorkspaceRoutingFields\n    }\n  }\n"): (typeof documents)["\n  mutation WorkspaceRejectRouting($id: ID!, $reason: String!, $comment: String) {\n    rejectRouting(id: $id, reason: $reason, comment: $comment) {\n      ...WorkspaceRoutingFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WorkspaceRoutingFields on Routing {\n    id\n    code\n    title\n    description\n    status\n    version\n    camRevision\n    generationStatus\n    lastAddinJobId\n    lastGeneratedAt\n    submittedAt\n    approvedAt\n    createdAt\n    updatedAt\n    owner {\n      id\n      username\n      displayName\n    }\n    approvedBy {\n      id\n      username\n      displayName\n    }\n    revision {\n      id\n      code\n      item {\n        id\n        itemCode\n        name\n      }\n    }\n    steps {\n      id\n      sequence\n      name\n      workCenter\n      machine\n      description\n      setupMinutes\n      cycleMinutes\n      toolingNotes\n      parameters {\n        key\n        value\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment WorkspaceRoutingFields on Routing {\n    id\n    code\n    title\n    description\n    status\n    version\n    camRevision\n    generationStatus\n    lastAddinJobId\n    lastGeneratedAt\n    submittedAt\n    approvedAt\n    createdAt\n    updatedAt\n    owner {\n      id\n      username\n      displayName\n    }\n    approvedBy {\n      id\n      username\n      displayName\n    }\n    revision {\n      id\n      code\n      item {\n        id\n        itemCode\n        name\n      }\n    }\n    steps {\n      id\n      sequence\n      name\n      workCenter\n      machine\n      description\n      setupMinutes\n      cycleMinutes\n      toolingNotes\n      parameters {\n        key\n        value\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RoutingWorkspace($id: ID!) {\n    routing(id: $id) {\n      ...WorkspaceRoutingFields\n    }\n  }\n"): (typeof documents)["\n  query RoutingWorkspace($id: ID!) {\n    routing(id: $id) {\n      ...WorkspaceRoutingFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation WorkspaceSaveRouting($id: ID!, $input: UpdateRoutingInput!, $expectedVersion: Int!) {\n    updateRouting(id: $id, input: $input, expectedVersion: $expectedVersion) {\n      ...WorkspaceRoutingFields\n    }\n  }\n"): (typeof documents)["\n  mutation WorkspaceSaveRouting($id: ID!, $input: UpdateRoutingInput!, $expectedVersion: Int!) {\n    updateRouting(id: $id, input: $input, expectedVersion: $expectedVersion) {\n      ...WorkspaceRoutingFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WorkspaceHistory($id: ID!, $first: Int!, $after: String) {\n    routing(id: $id) {\n      id\n      history(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            id\n            type\n            actor\n            at\n            message\n            data\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query WorkspaceHistory($id: ID!, $first: Int!, $after: String) {\n    routing(id: $id) {\n      id\n      history(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            id\n            type\n            actor\n            at\n            message\n            data\n          }\n        }\n      }\n    }\n  }\n"];
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
export function graphql(source: "\n  subscription LiveFileCommitted($since: String) {\n    fileCommitted(since: $since) {\n      eventId\n      fileId\n      routingId\n      logicalName\n      revision\n      size\n      sha256\n      scanStatus\n    }\n  }\n"): (typeof documents)["\n  subscription LiveFileCommitted($since: String) {\n    fileCommitted(since: $since) {\n      eventId\n      fileId\n      routingId\n      logicalName\n      revision\n      size\n      sha256\n      scanStatus\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LiveNotificationAlert($since: String) {\n    notificationAlert(since: $since) {\n      eventId\n      type\n      title\n      message\n      severity\n    }\n  }\n"): (typeof documents)["\n  subscription LiveNotificationAlert($since: String) {\n    notificationAlert(since: $since) {\n      eventId\n      type\n      title\n      message\n      severity\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;