/**
 * How a catalogue (a Repoman-like image repository, a web portal) imports
 * signed image lists into its own store with the core API alone: verify the
 * signed message against the grid CAs and CRLs, reduce it into a
 * subscription state, and apply the reducer's events to the catalogue.
 * Nothing here touches `vmilist/node`; the catalogue owns its storage and
 * passes trust material and the time in.
 *
 * Run: npx tsx examples/catalogue-import.ts   (exits non-zero on any failure)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  VmiListError,
  emptyState,
  explainEvents,
  reduce,
  subscribe,
  verifySignedList,
  type Image,
  type SubscriptionEvent,
  type SubscriptionState,
  type VerifyOptions,
} from 'vmilist';

const root = new URL('..', import.meta.url).pathname;
const read = (p: string) => readFileSync(join(root, p));
const text = (p: string) => read(p).toString('utf8');

/** The catalogue's own store: one entry per image it offers. */
interface CatalogueEntry {
  readonly uuid: string;
  readonly title: string;
  readonly version: string;
  readonly url: string;
  readonly sha512: string;
  readonly endorsedBy: string;
  readonly vo?: string;
}

class Catalogue {
  readonly entries = new Map<string, CatalogueEntry>();
  readonly log: string[] = [];

  /** Applies reducer events: what the catalogue offers follows the endorsed lists. */
  apply(events: readonly SubscriptionEvent[], signer: string): void {
    for (const e of events) {
      switch (e.type) {
        case 'image.added':
        case 'image.updated':
          if (e.status === 'current') this.entries.set(e.uuid, toEntry(e.uuid, e.image, signer));
          else this.entries.delete(e.uuid);
          break;
        case 'image.expired':
        case 'image.revoked':
          this.entries.delete(e.uuid);
          break;
        default:
          break; // list.accepted and friends: only logged
      }
    }
    this.log.push(...explainEvents(events));
  }
}

function toEntry(uuid: string, image: Image, signer: string): CatalogueEntry {
  const vo = image['ad:vo'];
  return {
    uuid,
    title: image['dc:title'] ?? '(untitled)',
    version: image['hv:version'] ?? '',
    url: image['hv:uri'],
    sha512: image['sl:checksum:sha512'],
    endorsedBy: signer,
    ...(typeof vo === 'string' ? { vo } : {}),
  };
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`catalogue-import: ${message}`);
}

async function main(): Promise<void> {
  const manifest = JSON.parse(text('vectors/manifest.json')) as { at: string };
  // Trust material as data: the test grid CAs (root + intermediate) and their CRLs.
  const trust: Omit<VerifyOptions, 'at'> = {
    trustAnchors: [text('vectors/pki/root.pem')],
    intermediates: [text('vectors/pki/intermediate.pem')],
    crls: [text('vectors/pki/root.crl.pem'), text('vectors/pki/intermediate.crl.pem')],
  };
  const at = manifest.at;

  const catalogue = new Catalogue();
  let state: SubscriptionState = emptyState();

  // 1. Verify Alice's signed list; only a VerifiedImageList can reach the reducer.
  const signed = new Uint8Array(read('vectors/signed/alice-sha512.smime'));
  const verified = await verifySignedList(signed, { ...trust, at });
  const list = verified.list;
  console.log(`verified ${list['dc:title']} v${list['hv:version']} signed by ${verified.signer.dn}`);

  // 2. Subscribe, pinned to the list UUID and its signer; the catalogue approves what the endorser lists.
  const sub = subscribe(
    state,
    {
      uri: String(list['hv:uri'] ?? 'https://lists.vmilist-test.org/alice.json'),
      listId: list['dc:identifier'],
      allowedEndorsers: [{ dn: verified.signer.dn, ca: verified.signer.issuer }],
      newImages: 'approve',
    },
    { now: at },
  );
  state = sub.state;

  // 3. Reduce and apply the events.
  const first = reduce(state, verified, { now: at });
  check(!first.events.some((e) => e.type === 'list.rejected'), 'the first list was rejected');
  state = first.state;
  catalogue.apply(first.events, verified.signer.dn);
  const expected = list['hv:images'].map((e) => e['hv:image']['dc:identifier']).sort();
  check(JSON.stringify([...catalogue.entries.keys()].sort()) === JSON.stringify(expected), `catalogue holds ${[...catalogue.entries.keys()]} instead of ${expected}`);
  for (const e of list['hv:images']) {
    const entry = catalogue.entries.get(e['hv:image']['dc:identifier']);
    check(entry?.sha512 === e['hv:image']['sl:checksum:sha512'], `checksum of ${e['hv:image']['dc:identifier']} not carried over`);
  }

  // 4. The same bytes again: nothing changes.
  const again = reduce(state, await verifySignedList(signed, { ...trust, at }), { now: at });
  check(again.events.length === 0 && again.state === state, 'identical list bytes changed the state');

  // 5. A list that fails verification never reaches the catalogue.
  const before = JSON.stringify([...catalogue.entries]);
  try {
    await verifySignedList(new Uint8Array(read('vectors/signed/tampered-content.smime')), { ...trust, at });
    check(false, 'a tampered list verified');
  } catch (e) {
    check(e instanceof VmiListError && e.code === 'ERR_SIGNATURE_INVALID', `tampered list: expected ERR_SIGNATURE_INVALID, got ${String(e)}`);
  }
  // 6. Another list offered for this subscription (Bob's, valid in itself) is rejected by the reducer and changes nothing.
  const bob = await verifySignedList(new Uint8Array(read('vectors/signed/bob-sha512.smime')), { ...trust, at });
  const foreign = reduce(state, bob, { now: at, subscription: list['dc:identifier'] });
  const rejected = foreign.events.find((e) => e.type === 'list.rejected');
  check(rejected !== undefined && foreign.state === state, 'a foreign list was not rejected');
  console.log(`rejected bob's list for this subscription: ${rejected.type === 'list.rejected' ? rejected.code : ''}`);
  check(JSON.stringify([...catalogue.entries]) === before, 'a rejected list changed the catalogue');

  for (const line of catalogue.log) console.log(`  ${line}`);
  console.log(`catalogue: ${catalogue.entries.size} image(s)`);
  for (const e of catalogue.entries.values()) console.log(`  ${e.uuid}  ${e.title} v${e.version}  ${e.url}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
