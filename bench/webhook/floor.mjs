// The floor: a bare express 5 HTTPS endpoint that parses the AdmissionReview and returns a fixed answer.
// Same Node, same TLS, same body parsing as the webhook; no policy work. Run by run.mjs in its own process.
//   node floor.mjs PORT CERT KEY            answers a fixed allow (~110 bytes)
//   node floor.mjs PORT CERT KEY --deny     answers a fixed denial of the size and shape the webhook must send
//                                           for the bench fixture (an 821-byte AdmissionReview whose message is
//                                           ~700 characters): the same bytes through TLS, still no policy work.
//   node floor.mjs PORT CERT KEY --deny --plain
//                                           the same denial from a plain node:https handler (no express): what the
//                                           webhook's own hot path is built on since 2026-12-02, for comparison.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import express from 'express';

const [port, certFile, keyFile, ...flags] = process.argv.slice(2);
// The text of the webhook's denial of the postgres Deployment fixture, verbatim: only its size matters here.
const DENIAL_MESSAGE =
  'persistguard denied Deployment shop/postgres: 1 data-loss finding:\n- [data-path-pvc] Container "postgres" keeps data in /var/lib/postgresql/data (catalog postgres) on emptyDir volume "data" mounted at /var/lib/postgresql/data, which is deleted with the pod at spec.template.spec.containers[0].volumeMounts[0]. Fix: Mount a PersistentVolumeClaim at /var/lib/postgresql/data (volumeMounts + volumes.persistentVolumeClaim), or use a StatefulSet volumeClaimTemplate.\nDetails: persistguard explain <rule>. Exempt a finding deliberately with the annotations persistguard.io/ignore: <rule> and persistguard.io/ignore-reason: <why>.';
const respond = flags.includes('--deny')
  ? (uid) => ({ uid, allowed: false, status: { code: 403, reason: 'Forbidden', message: DENIAL_MESSAGE } })
  : (uid) => ({ uid, allowed: true });
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.post('/validate', express.json({ limit: '3mb', type: () => true }), (req, res) => {
  const uid = req.body?.request?.uid ?? '';
  res
    .type('application/json')
    .send(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: respond(uid) }));
});
app.get('/healthz', (_req, res) => res.send('ok'));

/** Reads the body, parses it, answers: the same I/O without express's router, body-parser and res.send. */
function plain(req, res) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let uid = '';
    try {
      uid = JSON.parse(Buffer.concat(chunks).toString('utf8'))?.request?.uid ?? '';
    } catch {
      // a fixed answer either way
    }
    const text = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: respond(uid) });
    res.writeHead(200, [
      'Content-Type',
      'application/json; charset=utf-8',
      'Content-Length',
      `${Buffer.byteLength(text)}`,
    ]);
    res.end(text);
  });
}

const server = https.createServer(
  { cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.2' },
  flags.includes('--plain') ? plain : app,
);
server.keepAliveTimeout = 120_000;
server.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
