/**
 * The grammar of an S3-compatible object store's coordinates, shared by the media store and
 * the backup store: an https endpoint without credentials or path, a bucket name, a region.
 */
export const OBJECT_STORE_GRAMMAR = {
  endpoint: {
    pattern: /^https:\/\/[a-z0-9.-]+(:[0-9]{1,5})?\/?$/,
    message: 'must be an https:// endpoint URL without credentials or path',
  },
  bucket: { pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, message: 'must be an S3 bucket name' },
  region: { pattern: /^[a-z0-9-]{1,32}$/, message: 'must be a region name' },
} as const;
