/**
 * Image-list types. They mirror the wire format field by field, so a list
 * can be read, changed and written back without losing anything: fields
 * vmilist does not know (EGI AppDB's `ad:*`, `hv:format`, `sl:osname`, …)
 * stay on the object and round-trip unchanged.
 */
/** Fields vmilist does not know, kept as they came. */
export interface UnknownFields {
  [field: string]: unknown;
}

/** The X.509 identity of an endorser (`hv:endorser/hv:x509`). */
export interface EndorserX509 extends UnknownFields {
  /** Real name of the endorser. */
  'dc:creator'?: string;
  /** DN of the CA that issued the endorser's certificate (OpenSSL one-line form). */
  'hv:ca': string;
  /** DN of the endorser's certificate (OpenSSL one-line form). */
  'hv:dn': string;
  /** E-mail address of the endorser. */
  'hv:email'?: string;
}

/** One endorser entry (`hv:endorser`). */
export interface Endorser extends UnknownFields {
  'hv:x509': EndorserX509;
}

/** The metadata of one virtual-machine image (`hv:image`). */
export interface Image extends UnknownFields {
  /** RFC 4122 UUID of the image; stays the same across versions of the image. */
  'dc:identifier': string;
  'dc:title'?: string;
  'dc:description'?: string;
  /** Per-image expiry (AppDB dialect), `Z` form. */
  'dc:date:expires'?: string;
  /** Where to download the image. */
  'hv:uri': string;
  /** Size in bytes. */
  'hv:size': number;
  /** Version of the image. */
  'hv:version'?: string;
  'hv:hypervisor'?: string;
  'hv:format'?: string;
  /** SHA-512 of the image as 128 lower-case hex digits. */
  'sl:checksum:sha512': string;
  'sl:arch'?: string;
  'sl:os'?: string;
  'sl:osversion'?: string;
  'sl:comments'?: string;
}

/** An entry of `hv:images`. */
export interface ImageEntry extends UnknownFields {
  'hv:image': Image;
}

/** The body of an image list (the value of `hv:imagelist`). */
export interface ImageList extends UnknownFields {
  /** RFC 4122 UUID of the list; a subscription is pinned to it. */
  'dc:identifier': string;
  /** When the list was made, `Z` form (`2011-03-10T17:09:12Z`). */
  'dc:date:created': string;
  /** When the list stops being trusted, `Z` form. */
  'dc:date:expires': string;
  'dc:title'?: string;
  'dc:description'?: string;
  'dc:source'?: string;
  /** Where subscribers fetch new versions of the list. */
  'hv:uri'?: string;
  /** Version of the list; later lists have higher versions (see {@link compareVersions}). */
  'hv:version': string;
  /** One endorser, or several (EGI dialect). */
  'hv:endorser': Endorser | Endorser[];
  'hv:images': ImageEntry[];
}

/** The whole document: `{"hv:imagelist": …}`. */
export interface ImageListDocument extends UnknownFields {
  'hv:imagelist': ImageList;
}

/** A non-fatal finding while reading a list: a dialect form that was accepted. */
export interface Warning {
  /** Where, as a JSON-pointer-like path. */
  readonly path: string;
  /** What was accepted and how it was read. */
  readonly message: string;
}

/** The endorsers of a list as an array, whatever form the wire used. */
export function endorsersOf(list: ImageList): EndorserX509[] {
  const e = list['hv:endorser'];
  return (Array.isArray(e) ? e : [e]).map((x) => x['hv:x509']);
}

/** The images of a list. */
export function imagesOf(list: ImageList): Image[] {
  return list['hv:images'].map((entry) => entry['hv:image']);
}
