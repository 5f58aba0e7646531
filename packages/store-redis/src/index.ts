export type { RedisConnectionOption } from './connection.js';
export { DEFAULT_CLIENT_OPTIONS } from './connection.js';
export type { RedisStoreErrorCode } from './errors.js';
export { REDIS_STORE_DECRYPT_FAILED, REDIS_STORE_LOCK_LOST } from './errors.js';
export type { RedisTokenStoreOptions } from './redis-token-store.js';
export { RedisTokenStore } from './redis-token-store.js';
