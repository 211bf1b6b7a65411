// Uploads one file to MCMS with the stock tus-js-client (the SPA's own client),
// for tests/files/test_stock_clients.py.
//
//   node tus_js_upload.mjs ENDPOINT FILE ROUTING_ID URL_STORE CHUNK_SIZE [RETRY_DELAYS_MS]
//
// The API token comes from $MCMS_TOKEN (sent as `Authorization: Bearer`).
// URL_STORE is tus-js-client's FileUrlStorage: an upload of the same file
// (same fingerprint) found there is resumed instead of created anew.
// RETRY_DELAYS_MS ("200,500,1000") enables the client's own retries.
//
// Prints one JSON object per line: {"event": "resuming"|"url"|"chunk"|"retry"|
// "success"|"error", ...}; exits 0 on success, 1 on error.

import * as fs from 'node:fs'
import * as path from 'node:path'
import { FileUrlStorage, Upload } from 'tus-js-client'

const [endpoint, file, routingId, urlStore, chunkSize, retries] = process.argv.slice(2)
const say = (event, fields = {}) => process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`)

const upload = new Upload(fs.createReadStream(file), {
  endpoint,
  chunkSize: Number(chunkSize),
  metadata: { filename: path.basename(file), routingId },
  headers: { Authorization: `Bearer ${process.env.MCMS_TOKEN}` },
  urlStorage: new FileUrlStorage(urlStore),
  retryDelays: retries ? retries.split(',').map(Number) : null,
  onUploadUrlAvailable: () => say('url', { url: upload.url }),
  onChunkComplete: (size, accepted, total) => say('chunk', { size, accepted, total }),
  onShouldRetry: (error, attempt) => {
    // tus-js-client's own rule, plus a line saying that it retries.
    const status = error.originalResponse ? error.originalResponse.getStatus() : 0
    const retry = status < 400 || status >= 500 || status === 409 || status === 423
    say('retry', { attempt, status, retry })
    return retry
  },
  onSuccess: () => {
    say('success', { url: upload.url })
    process.exit(0)
  },
  onError: (error) => {
    say('error', { message: String(error) })
    process.exit(1)
  },
})

const previous = await upload.findPreviousUploads()
if (previous.length > 0) {
  upload.resumeFromPreviousUpload(previous[0])
  say('resuming', { url: previous[0].uploadUrl })
}
upload.start()
