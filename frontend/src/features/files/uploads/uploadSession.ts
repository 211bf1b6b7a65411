import type { Client } from 'urql';
import { graphql } from '@/gql';

export const FilesUploadSessionQuery = graphql(`
  query FilesUploadSession($id: ID!) {
    uploadSession(id: $id) {
      id
      status
      size
      offset
      failureReason
      file {
        id
        scanStatus
        scanDetail
      }
    }
  }
`);

/** The server's view of one upload, never from the cache: it changes without any mutation of ours. */
export function fetchUploadSession(client: Client, id: string) {
  return client.query(FilesUploadSessionQuery, { id }, { requestPolicy: 'network-only' }).toPromise();
}
