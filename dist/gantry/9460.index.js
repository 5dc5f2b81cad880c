export const id = 9460;
export const ids = [9460];
export const modules = {

/***/ 79460:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   MANIFEST: () => (/* binding */ MANIFEST),
/* harmony export */   PREVIOUS_MANIFEST: () => (/* binding */ PREVIOUS_MANIFEST),
/* harmony export */   RESERVED: () => (/* binding */ RESERVED),
/* harmony export */   deleteKeys: () => (/* binding */ deleteKeys),
/* harmony export */   latestVersions: () => (/* binding */ latestVersions),
/* harmony export */   listObjects: () => (/* binding */ listObjects),
/* harmony export */   readManifest: () => (/* binding */ readManifest),
/* harmony export */   restoreVersion: () => (/* binding */ restoreVersion),
/* harmony export */   uploadFile: () => (/* binding */ uploadFile),
/* harmony export */   versioningEnabled: () => (/* binding */ versioningEnabled),
/* harmony export */   writeManifest: () => (/* binding */ writeManifest)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(53711);
/* harmony import */ var _content_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(66025);
/* harmony import */ var _etag_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(73511);
/**
 * The S3 side of a release: list what is there, upload (one request, or multipart above 8 MiB as
 * `aws s3` does), delete in batches, read and write the release manifests, restore object versions.
 * Every call goes through the SDK's standard retry mode (throttling and 5xx retried with backoff).
 */




/** Folder (under the prefix) where Gantry keeps its release manifests; never synced nor deleted. */
const RESERVED = '.gantry/';
const MANIFEST = `${RESERVED}release.json`;
const PREVIOUS_MANIFEST = `${RESERVED}previous-release.json`;
/** Upper bound on a manifest's size (bytes) when read back: 64 MiB (≈ 300 000 objects). */
const MANIFEST_LIMIT = 64 * 1024 * 1024;
/**
 * Lists the objects under `prefix` (ListObjectsV2, 1000 a page).
 * @param skip keys for which this returns true are left out (the manifest folder, excludes)
 * @returns key → ETag and size
 */
async function listObjects(s3, bucket, prefix, skip) {
    const objects = new Map();
    let token;
    do {
        const page = await s3.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_3__/* .ListObjectsV2Command */ .u6x({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }));
        for (const item of page.Contents ?? []) {
            if (item.Key === undefined || skip(item.Key))
                continue;
            objects.set(item.Key, { etag: item.ETag ?? '', size: item.Size ?? 0 });
        }
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return objects;
}
/** Whether the bucket keeps object versions (GetBucketVersioning says `Enabled`). */
async function versioningEnabled(s3, bucket) {
    const answer = await s3.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_3__/* .GetBucketVersioningCommand */ ._rj({ Bucket: bucket }));
    return answer.Status === 'Enabled';
}
/** The latest version id and ETag of each key under `prefix` (ListObjectVersions, all pages). */
async function latestVersions(s3, bucket, prefix) {
    const latest = new Map();
    let keyMarker;
    let versionMarker;
    for (;;) {
        const page = await s3.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_3__/* .ListObjectVersionsCommand */ .uc$({
            Bucket: bucket,
            Prefix: prefix || undefined,
            KeyMarker: keyMarker,
            VersionIdMarker: versionMarker,
        }));
        for (const version of page.Versions ?? []) {
            if (version.IsLatest === true && version.Key !== undefined && version.VersionId !== undefined)
                latest.set(version.Key, { versionId: version.VersionId, etag: version.ETag ?? '' });
        }
        if (page.IsTruncated !== true)
            return latest;
        keyMarker = page.NextKeyMarker;
        versionMarker = page.NextVersionIdMarker;
    }
}
/**
 * Uploads one file: PutObject below {@link PART_SIZE}, else a multipart upload of PART_SIZE parts
 * (aborted if a part fails, so no orphaned parts are billed). `Content-Encoding: gzip` is set when the
 * file is gzip data (see {@link contentEncoding}).
 * @returns the new object's ETag and version id (when the bucket is versioned)
 */
async function uploadFile(s3, bucket, key, file, size, headers) {
    if (size < _etag_js__WEBPACK_IMPORTED_MODULE_2__/* .PART_SIZE */ .El) {
        const body = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readFile)(file);
        const encoding = (0,_content_js__WEBPACK_IMPORTED_MODULE_1__/* .contentEncoding */ .R1)(key, body.subarray(0, 2));
        const answer = await s3.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_3__/* .PutObjectCommand */ .wKZ({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentLength: body.length,
            ContentType: headers.contentType,
            CacheControl: headers.cacheControl,
            ContentEncoding: encoding,
        }));
        return { etag: answer.ETag ?? '', versionId: answer.VersionId, contentEncoding: encoding };
    }
    const handle = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.open)(file, 'r');
    let uploadId;
    try {
        const head = Buffer.alloc(2);
        await handle.read(head, 0, 2, 0);
        const encoding = (0,_content_js__WEBPACK_IMPORTED_MODULE_1__/* .contentEncoding */ .R1)(key, head);
        const created = await s3.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_3__/* .CreateMultipartUploadCommand */ .nG4({
            Bucket: bucket,
            Key: key,
            ContentType: headers.contentType,
            CacheControl: headers.cacheControl,
            ContentEncoding: encoding,
        }));
        uploadId = created.UploadId;
        const parts = [];
        for (let offset = 0, number = 1; offset < size; offset += _etag_js__WEBPACK_IMPORTED_MODULE_2__/* .PART_SIZE */ .El, number++) {
            const length = Math.min(_etag_js__WEBPACK_IMPORTED_MODULE_2__/* .PART_SIZE */ .El, size - offset);
            const buffer = Buffer.alloc(length);
            const { bytesRead } = await handle.read(buffer, 0, length, offset);
            if (bytesRead !== length)
                throw new Error(`${file} changed size while being uploaded`);
            const part = await s3.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_3__/* .UploadPartCommand */ .iVK({
                Bucket: bucket,
                Key: key,
                UploadId: uploadId,
                PartNumber: number,
                Body: buffer,
                ContentLength: length,
            }));
            parts.push({ ETag: part.ETag ?? '', PartNumber: number });
        }
        const done = await s3.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_3__/* .CompleteMultipartUploadCommand */ .Gym({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
        }));
        uploadId = undefined;
        return { etag: done.ETag ?? '', versionId: done.VersionId, contentEncoding: encoding };
    }
    finally {
        await handle.close();
        if (uploadId !== undefined)
            await s3
                .send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_3__/* .AbortMultipartUploadCommand */ .tfP({ Bucket: bucket, Key: key, UploadId: uploadId }))
                .catch(() => undefined);
    }
}
/**
 * Deletes keys with DeleteObjects, 1000 a request (the API's maximum).
 * @throws Error listing the first keys S3 refused to delete
 */
async function deleteKeys(s3, bucket, keys) {
    for (let start = 0; start < keys.length; start += 1000) {
        const batch = keys.slice(start, start + 1000);
        const answer = await s3.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_3__/* .DeleteObjectsCommand */ .xvx({
            Bucket: bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }));
        const errors = answer.Errors ?? [];
        if (errors.length > 0) {
            const first = errors
                .slice(0, 5)
                .map((error) => `${error.Key ?? '?'} (${error.Code ?? 'error'})`)
                .join(', ');
            throw new Error(`S3 refused to delete ${errors.length} object(s): ${first}`);
        }
    }
}
/**
 * Reads a release manifest.
 * @returns the manifest, or undefined when there is none (NoSuchKey)
 * @throws Error when it exists but is not a manifest, or is larger than 64 MiB
 */
async function readManifest(s3, bucket, key) {
    let text;
    try {
        const answer = await s3.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_3__/* .GetObjectCommand */ .jLs({ Bucket: bucket, Key: key }));
        if ((answer.ContentLength ?? 0) > MANIFEST_LIMIT)
            throw new Error(`s3://${bucket}/${key} is larger than ${MANIFEST_LIMIT} bytes`);
        text = (await answer.Body?.transformToString('utf8')) ?? '';
    }
    catch (error) {
        const name = error.name;
        if (name === 'NoSuchKey' || name === 'NotFound')
            return undefined;
        throw error;
    }
    const manifest = JSON.parse(text);
    if (manifest.schema !== 'gantry.deploy-static.release/1' || typeof manifest.objects !== 'object')
        throw new Error(`s3://${bucket}/${key} is not a Gantry release manifest`);
    return manifest;
}
/** Writes a release manifest (JSON, `Cache-Control: no-store`). */
async function writeManifest(s3, bucket, key, manifest) {
    await s3.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_3__/* .PutObjectCommand */ .wKZ({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify(manifest),
        ContentType: 'application/json',
        CacheControl: 'no-store',
    }));
}
/**
 * Makes a past version of `key` its current content again: CopyObject from `key?versionId=…` onto
 * itself (the copy keeps that version's headers), as AWS documents for restoring previous versions
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/RestoringPreviousVersions.html).
 * Objects over 5 GiB cannot be copied in one request; static sites do not have them.
 * @returns the new ETag and version id
 */
async function restoreVersion(s3, bucket, key, versionId) {
    const source = `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}?versionId=${encodeURIComponent(versionId)}`;
    const answer = await s3.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_3__/* .CopyObjectCommand */ .s9Z({ Bucket: bucket, Key: key, CopySource: source }));
    return { etag: answer.CopyObjectResult?.ETag ?? '', versionId: answer.VersionId };
}


/***/ })

};
