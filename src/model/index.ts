// Public API of src/model (re-exported by src/index.ts).
export type { JsonValue, JsonObject, StrictJsonOptions } from './json.js';
export { parseStrictJson, DEFAULT_MAX_LIST_BYTES, DEFAULT_MAX_DEPTH } from './json.js';
export type { Image, ImageEntry, ImageList, ImageListDocument, Endorser, EndorserX509, UnknownFields, Warning } from './types.js';
export { endorsersOf, imagesOf } from './types.js';
export type { ParseOptions, ParsedImageList } from './parse.js';
export { parseImageList, validateImageList, imageListIssues } from './parse.js';
export { serializeImageList, serializeJson } from './serialize.js';
export { compareVersions, bumpVersion } from './version.js';
export { parseListDate, formatListDate, canonicalListDate } from './dates.js';
export type { VerifiedImageList, SignerIdentity } from './verified.js';
export { isVerifiedImageList } from './verified.js';
// the builders' helpers for the CLI (nullFields, the *_ENV tables) stay internal
export type { EnvDefaults, ListTemplateOptions, ImageFacts, ImageMetadataOptions, AddImagesResult } from './builders.js';
export { createListTemplate, createImageMetadata, addImages } from './builders.js';
