/**
 * The README's library example, runnable: verify a signed list against an
 * IGTF CA directory, subscribe to it and apply it to a subscription state.
 * Uses the test vectors (CA dir vectors/trust). Run: npx tsx examples/library.ts
 */
import { readFile } from 'node:fs/promises';
import { emptyState, explainEvents, reduce, subscribe, verifySignedList } from 'vmilist';
import { loadTrustStore } from 'vmilist/node';

const at = new Date('2026-06-01T00:00:00Z'); // the vectors' instant; a cron job passes new Date()
const trust = await loadTrustStore(new URL('../vectors/trust', import.meta.url).pathname); // IGTF CA dir with CRLs
const message = await readFile(new URL('../vectors/signed/alice-sha512.smime', import.meta.url)); // S/MIME as downloaded

// Signature, chain, CRLs, namespaces, schema, endorser binding and dates: all checked.
const verified = await verifySignedList(message, { ...trust, at });
console.log(verified.signer.dn, verified.list['hv:version']);

// Subscription state is plain JSON; reduce is pure (no I/O), so this is also the dry run.
const subscribed = subscribe(
  emptyState(),
  { uri: 'https://example.org/image.list', listId: verified.list['dc:identifier'], allowedEndorsers: [{ dn: verified.signer.dn, ca: verified.signer.issuer }], newImages: 'approve' },
  { now: at },
);
const { state, events } = reduce(subscribed.state, verified, { now: at });
for (const line of explainEvents(events)) console.log(line);
if (Object.keys(state.images).length !== verified.list['hv:images'].length) throw new Error('not every image was added');
