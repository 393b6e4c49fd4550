// The floor: a bare express 5 HTTPS endpoint that parses the AdmissionReview and returns a fixed allow.
// Same Node, same TLS, same body parsing as the webhook; no policy work. Run by run.mjs in its own process.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import express from 'express';

const [port, certFile, keyFile] = process.argv.slice(2);
const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.post('/validate', express.json({ limit: '3mb', type: () => true }), (req, res) => {
  const uid = req.body?.request?.uid ?? '';
  res
    .type('application/json')
    .send(
      JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, allowed: true } }),
    );
});
app.get('/healthz', (_req, res) => res.send('ok'));
const server = https.createServer(
  { cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.2' },
  app,
);
server.keepAliveTimeout = 120_000;
server.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
