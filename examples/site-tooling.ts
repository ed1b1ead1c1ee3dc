/**
 * A site's own tooling on the vmilist/node site API: subscribe to a signed
 * list, sync the image cache, take a new version of the list, update, sync
 * again, read the status — the whole cycle a cron job runs, without the CLI.
 * A vmcatcher-style handler (here a one-line shell command) logs the cache
 * events it gets. Everything comes from the test PKI and images in vectors/
 * (file:// URLs, a fixed clock); nothing leaves the machine.
 *
 * Run: npx tsx examples/site-tooling.ts   (exits non-zero on any failure)
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { signImageList } from 'vmilist';
import { openSite, type HandlerRun } from 'vmilist/node';

const vectors = new URL('../vectors/', import.meta.url).pathname;
const work = await mkdtemp(join(tmpdir(), 'vmilist-site-'));
const check = (ok: boolean, what: string) => {
  if (!ok) throw new Error(`site-tooling example: ${what}`);
};

// the endorser's side: Alice's test list, its images served from vectors/images
type Doc = { 'hv:imagelist': Record<string, unknown> & { 'hv:images': { 'hv:image': Record<string, unknown> }[] } };
const doc = JSON.parse(await readFile(join(vectors, 'lists/alice.json'), 'utf8')) as Doc;
const files: Record<string, string> = { 'TinyLinux x86_64': 'tiny-linux-x86_64.img', 'TinyLinux aarch64': 'tiny-linux-aarch64.img' };
doc['hv:imagelist']['hv:images'] = doc['hv:imagelist']['hv:images']
  .filter((e) => files[String(e['hv:image']['dc:title'])])
  .map((e) => ({ 'hv:image': { ...e['hv:image'], 'hv:uri': pathToFileURL(join(vectors, 'images', files[String(e['hv:image']['dc:title'])] as string)).href } }));
const publish = async (d: Doc) => {
  const signed = await signImageList(JSON.stringify(d, null, 2), {
    certificate: await readFile(join(vectors, 'pki/alice.pem'), 'utf8'),
    privateKey: await readFile(join(vectors, 'pki/alice.key.pem'), 'utf8'),
    signingTime: new Date('2026-06-01T00:00:00Z'),
  });
  await writeFile(join(work, 'alice.list'), signed);
};
await publish(doc);

// the site: state file, IGTF-layout trust dir, cache, one handler, a fixed clock
const handlerLog = join(work, 'handler.log');
const runs: HandlerRun[] = [];
const site = await openSite({
  stateFile: join(work, 'state.json'),
  caDir: join(vectors, 'trust'),
  cacheDir: join(work, 'cache'),
  vmcatcherHook: [`sh -c 'echo "$VMCATCHER_EVENT_TYPE $VMCATCHER_EVENT_FILENAME" >> "${handlerLog}"'`],
  now: () => new Date('2026-06-01T00:00:00Z'),
  onHandlerRun: (r) => runs.push(r),
  env: { PATH: process.env['PATH'] },
});

try {
  const sub = await site.subscribe(join(work, 'alice.list'), { newImages: 'approve' });
  console.log(`subscribed ${sub.subscription.id}: ${sub.events.filter((e) => e.type === 'image.added').length} image(s) added`);

  const first = await site.syncCache();
  console.log(`cache: ${first.actions.map((a) => `${a.action} ${a.uuid}`).join(', ')}`);
  check(first.actions.filter((a) => a.action === 'downloaded').length === 2 && first.errors.length === 0, 'both images downloaded');

  // the endorser drops the aarch64 image in a new version
  doc['hv:imagelist']['hv:images'] = doc['hv:imagelist']['hv:images'].slice(0, 1);
  doc['hv:imagelist']['hv:version'] = '2.0.0';
  doc['hv:imagelist']['dc:date:created'] = '2026-05-01T00:00:00Z';
  await publish(doc);
  const update = await site.update();
  console.log(`update: ${update.outcomes.map((o) => `${o.subscription} ${o.result} ${o.version}`).join(', ')}`);
  check(update.outcomes[0]?.result === 'accepted' && update.events.some((e) => e.type === 'image.expired'), 'the new version is accepted and expires the dropped image');

  const second = await site.syncCache();
  console.log(`cache: ${second.actions.map((a) => `${a.action} ${a.uuid}`).join(', ')}`);
  check(second.actions.length === 1 && second.actions[0]?.action === 'expired', 'the dropped image leaves the cache');

  const status = await site.status();
  console.log(`status: ${status.images.runnable} runnable, ${status.cache.cached} cached, ${status.warnings.length} warning(s)`);
  check(status.cache.cached === 1 && status.cache.toDownload === 0, 'status counts the cache');

  const events = (await readFile(handlerLog, 'utf8')).trim().split('\n').map((l) => l.trim());
  console.log(`the handler got ${events.length} events:\n  ${events.join('\n  ')}`);
  check(events[0] === 'ProcessPrefix' && events.at(-1) === 'ProcessPostfix' && events.length === 10, 'cache events in vmcatcher order');
  check(runs.every((r) => r.ok), 'every handler run succeeded');
} finally {
  await rm(work, { recursive: true, force: true });
}
