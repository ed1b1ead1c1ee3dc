/**
 * vmilist: HEPiX virtual-machine image lists — typed models, strict parsing
 * and JSON Schema validation, S/MIME signing and verification against grid
 * CAs and CRLs, streaming hashers, and a pure subscription-state reducer.
 * Isomorphic: no Node built-ins, no I/O, no clock (time is an argument).
 *
 * Every name below is public and documented at its declaration; nothing
 * else is. A change of this list is a change of the API: it needs a line in
 * CHANGELOG.md and a new snapshot (`npm run api:snapshot`), which
 * test/api/surface.node.test.ts checks.
 *
 * @packageDocumentation
 */

// Errors: every failure is a VmiListError with an ERR_* code.
export { VmiListError, ERROR_CODES, isVmiListError } from './errors.js';
export type { ErrorCode, Issue, VmiListErrorOptions } from './errors.js';

// The image-list model: strict JSON, parsing with dialects, serialising, versions and dates.
export { parseStrictJson, DEFAULT_MAX_LIST_BYTES, DEFAULT_MAX_DEPTH } from './model/index.js';
export type { JsonValue, JsonObject, StrictJsonOptions } from './model/index.js';
export { endorsersOf, imagesOf } from './model/index.js';
export type { Image, ImageEntry, ImageList, ImageListDocument, Endorser, EndorserX509, UnknownFields, Warning } from './model/index.js';
export { parseImageList, validateImageList, imageListIssues } from './model/index.js';
export type { ParseOptions, ParsedImageList } from './model/index.js';
export { serializeImageList, serializeJson } from './model/index.js';
export { compareVersions, bumpVersion } from './model/index.js';
export { parseListDate, formatListDate, canonicalListDate } from './model/index.js';
export { isVerifiedImageList } from './model/index.js';
export type { VerifiedImageList, SignerIdentity } from './model/index.js';
export { schemaIssues } from './schema/validate.js';

// Endorser-side builders (the vmilisttool flow).
export { createListTemplate, createImageMetadata, addImages } from './model/index.js';
export type { EnvDefaults, ListTemplateOptions, ImageFacts, ImageMetadataOptions, AddImagesResult } from './model/index.js';

// Hashing and image checks (SHA-2 in JS or WASM, streaming).
export { HASH_ALGORITHMS, createHasher, hashStream, verifyImage, createImageVerifier } from './hash/index.js';
export type { HashAlgorithm, Hasher, HasherFactory, HasherBackend, CreateHasherOptions, ByteSource } from './hash/index.js';
export type { HashStreamOptions, HashStreamResult, ImageDigestFacts, ImageVerification, VerifyImageOptions, ImageVerifier } from './hash/index.js';

// S/MIME: verification, signing, trust material.
export { verifySignedList, verifySignature, parseSmime, prepareTrust } from './smime/index.js';
export { prepareListForSigning, signImageList, signedContentOf } from './smime/index.js';
export type { DerOrPem, NamespaceFile, TrustMaterial, CrlPolicy, CertProfile, EndorserPrincipal, VerifyOptions, SignedInput } from './smime/index.js';
export type { SignDigest, SignOptions, SignableList, CertificateSummary, ParsedSmime, SignatureOptions, SignatureResult } from './smime/index.js';
export type { PreparedTrust, PrepareOptions, PreparedList } from './smime/index.js';

// X.509 distinguished names (OpenSSL one-line and RFC 4514 forms).
export { parseDn, dnEquals, nameToOpenSsl, nameToRfc4514, toOpenSslDn, certificateSubject, certificateIssuer } from './x509/index.js';
export type { Ava, Rdn, DistinguishedName, CertificateLike } from './x509/index.js';

// Subscriptions: the pure state reducer, site policy, registries, queries.
export { STATE_VERSION, emptyState, migrateState, subscribe, unsubscribe, updateSubscription, reduce, reduceOrThrow } from './subscription/index.js';
export { expireByTime, staleSubscriptions, revokeEndorser, reinstateEndorser, setPolicy, approveImage, denyImage } from './subscription/index.js';
export { defineRegistry, syncRegistry, findImage, findByChecksum, imagesByEndorser, runnable, deletable, checkImageIntegrity } from './subscription/index.js';
export { markInUse, forgetImages, explainEvent, explainEvents } from './subscription/index.js';
export type {
  AcceptedList,
  DenialReason,
  EndorserRegistry,
  ExpiryReason,
  ImageKind,
  ImageRecord,
  ImageStatus,
  Instant,
  NewImagesPolicy,
  NowOptions,
  RegistryEndorser,
  RegistryUpstream,
  RevokedEndorser,
  SitePolicy,
  Subscription,
  SubscriptionState,
  SubscribeInput,
  ReduceOptions,
  StaleOptions,
  StaleSubscription,
  RegistryInput,
  DeletableOptions,
  IntegrityResult,
  Voucher,
  InUseOptions,
} from './subscription/index.js';
export type {
  EndorserAddedEvent,
  EndorserRemovedEvent,
  EndorserRetiredEvent,
  ImageAddedEvent,
  ImageApprovedEvent,
  ImageChange,
  ImageConflictEvent,
  ImageDeniedEvent,
  ImageExpiredEvent,
  ImageRevokedEvent,
  ImageUpdatedEvent,
  ListAcceptedEvent,
  ListExpiredEvent,
  ListRejectedEvent,
  ListStaleEvent,
  ReduceResult,
  RegistryStaleEvent,
  SubscriptionAddedEvent,
  SubscriptionEvent,
  SubscriptionEventType,
  SubscriptionRemovedEvent,
} from './subscription/index.js';
